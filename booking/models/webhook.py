"""Partner webhooks: a subscription to outbox events, delivered by `booking worker`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from booking.models.base import Base, Timestamped, UTCDateTime


class WebhookSubscription(Timestamped, Base):
    """Where to POST which events, for whom, and the (encrypted) secret that signs them."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON)
    place_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    initiative_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(default=True)
    # Fernet token of the whsec_ secret (booking/services/webhooks.py says why).
    secret_encrypted: Mapped[str] = mapped_column(Text)
    # Since when every delivery has failed; three days of it disables the subscription.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str] = mapped_column(String(200), default="")

    def filters(self) -> dict[str, Any]:
        """The optional narrowing of what it receives."""
        return {"place_ids": self.place_ids, "initiative_ids": self.initiative_ids}
