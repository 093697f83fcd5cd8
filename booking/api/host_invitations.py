"""Co-hosts: invitations to host a place (DESIGN §16)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from booking.api.auth import current_actor
from booking.api.base import SECURED, Blueprint, View
from booking.models import utcnow
from booking.services import host_invitations

blp = Blueprint(
    "host_invitations", __name__, url_prefix="/api/v1", description="Invitations to host a place"
)


class InvitationInputSchema(Schema):
    """Whom to invite."""

    email = fields.Email(required=True, validate=validate.Length(max=254))


class InvitationSchema(Schema):
    """An invitation: to which address, by whom, and where it stands."""

    id = fields.Integer()
    place_id = fields.Integer()
    email = fields.String()
    invited_by = fields.Integer(attribute="invited_by_id", allow_none=True)
    status = fields.Method(
        "_status", metadata={"enum": ["pending", "accepted", "withdrawn", "expired"]}
    )
    expires_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()

    def _status(self, invitation: Any) -> str:
        return str(invitation.status_at(utcnow()))


@blp.route("/places/<id:place_id>/host-invitations")
class PlaceInvitations(View):
    @blp.doc(**SECURED)
    @blp.arguments(InvitationInputSchema)
    @blp.response(201, InvitationSchema)
    def post(self, data: dict[str, Any], place_id: int) -> Any:
        """Invite someone by e-mail to host the place (its hosts, admins); 14 days."""
        return host_invitations.invite(current_actor(), place_id, data["email"])

    @blp.doc(**SECURED)
    @blp.response(200, InvitationSchema(many=True))
    def get(self, place_id: int) -> Any:
        """The place's invitations, newest first (its hosts, admins)."""
        return host_invitations.invitations_of(current_actor(), place_id)


@blp.route("/host-invitations/<id:invitation_id>")
class InvitationById(View):
    @blp.doc(**SECURED)
    @blp.response(204)
    def delete(self, invitation_id: int) -> None:
        """Withdraw an invitation not yet accepted (the place's hosts, admins)."""
        host_invitations.withdraw(current_actor(), invitation_id)


@blp.route("/host-invitations/<id:invitation_id>/accept")
class AcceptInvitation(View):
    @blp.doc(**SECURED)
    @blp.response(200, InvitationSchema)
    def post(self, invitation_id: int) -> Any:
        """Accept an invitation to your address; the address must be proven (403
        `email_not_verified`)."""
        return host_invitations.accept(current_actor(), invitation_id)
