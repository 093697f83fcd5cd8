"""The data model: one module per aggregate."""

from booking.models.account import Account, ApiToken, WebSession
from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.booking import (
    Booking,
    BookingEvent,
    IdempotencyKey,
    Occupancy,
    Series,
)
from booking.models.feed import FeedToken
from booking.models.initiative import Initiative, InitiativeTransition
from booking.models.monitoring import Attendance, AttendanceAsk, Complaint, Feedback
from booking.models.outbox import OutboxEvent, OutboxMessage, SignInCode, WebRequest
from booking.models.photo import PhotoFile, PlacePhoto
from booking.models.place import Closure, HostInvitation, Neighbourhood, Place, PlaceHost
from booking.models.room import Room
from booking.models.signup import Signup
from booking.models.webhook import WebhookSubscription

__all__ = [
    "Account",
    "ApiToken",
    "Attendance",
    "AttendanceAsk",
    "Base",
    "Booking",
    "BookingEvent",
    "Closure",
    "Complaint",
    "FeedToken",
    "Feedback",
    "HostInvitation",
    "IdempotencyKey",
    "Initiative",
    "InitiativeTransition",
    "Neighbourhood",
    "Occupancy",
    "OutboxEvent",
    "OutboxMessage",
    "PhotoFile",
    "Place",
    "PlaceHost",
    "PlacePhoto",
    "Room",
    "Series",
    "SignInCode",
    "Signup",
    "UTCDateTime",
    "WebRequest",
    "WebSession",
    "WebhookSubscription",
    "utcnow",
]
