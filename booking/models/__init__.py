"""The data model: one module per aggregate."""

from booking.models.account import Account, ApiToken
from booking.models.base import Base, UTCDateTime, utcnow
from booking.models.place import Closure, Neighbourhood, Place, PlaceHost
from booking.models.room import Room

__all__ = [
    "Account",
    "ApiToken",
    "Base",
    "Closure",
    "Neighbourhood",
    "Place",
    "PlaceHost",
    "Room",
    "UTCDateTime",
    "utcnow",
]
