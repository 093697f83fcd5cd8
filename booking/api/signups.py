"""Sign-ups for activities (DESIGN §15): a place at a public booking, a waitlist, a check-in."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from booking.api.auth import current_actor
from booking.api.base import OPTIONALLY_SECURED, SECURED, Blueprint, View
from booking.api.writes import booking_write_limit
from booking.i18n import select_locale
from booking.ratelimits import anonymous_mailed_link_limits
from booking.schemas.booking import (
    CheckInSchema,
    SignupInputSchema,
    SignupQuerySchema,
    SignupSchema,
    UnconfirmedSignupSchema,
)
from booking.services.signups import by_mail, checkin, signing_up

blp = Blueprint("signups", __name__, url_prefix="/api/v1", description="Sign-ups for activities")


@blp.route("/bookings/<id:booking_id>/signups")
class BookingSignups(View):
    @booking_write_limit
    @anonymous_mailed_link_limits
    @blp.doc(**OPTIONALLY_SECURED)
    @blp.arguments(SignupInputSchema)
    @blp.response(201, SignupSchema)
    @blp.alt_response(202, schema=UnconfirmedSignupSchema, description="Without a token")
    def post(self, data: dict[str, Any], booking_id: int) -> Any:
        """Sign up for a public activity: with a `book` token confirmed while places are
        left, else on the waitlist; without one, a mailed link confirms it (202)."""
        actor = current_actor()
        if actor.account is None:
            by_mail.ask(booking_id, data, select_locale())
            answer: Response = jsonify(
                {
                    "status": "unconfirmed",
                    "detail": "A link to confirm is on its way to this address; it works "
                    "for 24 hours. Nothing is held until it is followed.",
                }
            )
            answer.status_code = 202
            return answer
        return signing_up.sign_up(actor, booking_id, data)

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
