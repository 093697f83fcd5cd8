"""Sign-ups for activities (DESIGN §15): a place at a public booking, a waitlist, a check-in."""

from __future__ import annotations

from typing import Any

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.api.writes import booking_write_limit
from booking.schemas.booking import (
    CheckInSchema,
    SignupInputSchema,
    SignupQuerySchema,
    SignupSchema,
)
from booking.services.signups import checkin, signing_up

blp = Blueprint("signups", __name__, url_prefix="/api/v1", description="Sign-ups for activities")


@blp.route("/bookings/<id:booking_id>/signups")
class BookingSignups(View):
    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.arguments(SignupInputSchema)
    @blp.response(201, SignupSchema)
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Sign up for a public activity (scope book): confirmed while places are left, else
        on the waitlist; a partner school signs up a class with `party_size`."""
        return signing_up.sign_up(current_actor(), booking_id, data)

    @blp.doc(**SECURED)
    @blp.response(200, SignupSchema(many=True))
    def get(self, booking_id: int) -> Any:
        """Who is coming and who waits (the organiser, the place's hosts, admins)."""
        return signing_up.organiser_list(current_actor(), booking_id)


@blp.route("/signups")
class OwnSignups(View):
    @blp.doc(**SECURED)
    @blp.arguments(SignupQuerySchema, location="query")
    @blp.response(200, SignupSchema(many=True))
    def get(self, _args: dict[str, Any]) -> Any:
        """Your own sign-ups that still stand."""
        return signing_up.own_signups(current_actor())


@blp.route("/signups/<id:signup_id>")
class SignupById(View):
    @blp.doc(**SECURED)
    @blp.response(200, SignupSchema)
    def get(self, signup_id: int) -> Any:
        """One sign-up (its owner, the organiser, hosts, admins)."""
        return signing_up.get_signup(current_actor(), signup_id)

    @booking_write_limit
    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, signup_id: int) -> None:
        """Leave the activity; the freed places go to the waitlist at once."""
        signing_up.cancel_signup(current_actor(), signup_id)

    @blp.doc(**SECURED)
    @blp.arguments(CheckInSchema)
    @blp.response(200, SignupSchema)
    def patch(self, data: dict[str, Any], signup_id: int) -> Any:
        """Tick off who came, from the start of the activity (the organiser and hosts)."""
        return checkin.check_in(current_actor(), signup_id, data["checked_in"])
