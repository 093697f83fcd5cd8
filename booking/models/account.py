"""Accounts (people and organisations) and their API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, Timestamped, UTCDateTime

if TYPE_CHECKING:
    from booking.models.place import PlaceHost

ACCOUNT_KINDS = ("person", "organisation")
SCOPES = ("read", "book", "manage", "admin")
LOCALES = ("nl", "en")


class Account(Timestamped, Base):
    """A person or a partner organisation that uses the API."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Stored normalised (trimmed, lower case) so uniqueness ignores case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="person")
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # The language of mails (nl or en).
    locale: Mapped[str] = mapped_column(String(5), default="nl")
    email_notifications: Mapped[bool] = mapped_column(default=True)
    # Erased (AVG art. 17): the row stays, anonymous, so past bookings keep their numbers.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Blocked by an admin: no token, session or sign-in works until it is unblocked.
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When a mailed code or link first proved the address. Until then the account sees only
    # what its own tokens made: anyone can sign up with any address (security.md).
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Told by mail that a long unused account will be erased (the retention purge).
    inactivity_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )
    hosted: Mapped[list[PlaceHost]] = relationship(
        back_populates="account", cascade="all, delete-orphan"
    )

    @property
    def email_verified(self) -> bool:
        """Whether a mailed code or link has proved the address."""
        return self.email_verified_at is not None

    @property
    def hosted_place_ids(self) -> list[int]:
        """Ids of the places this account hosts."""
        return sorted(host.place_id for host in self.hosted)

    @property
    def roles(self) -> list[str]:
        """Roles derived from the account: admin, host, organisation, person."""
        roles = [self.kind]
        if self.hosted:
            roles.append("host")
        if self.is_admin:
            roles.append("admin")
        return roles


class ApiToken(Timestamped, Base):
    """A personal API token; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The token that minted this one; revoking a token revokes everything it minted.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )

    account: Mapped[Account] = relationship(back_populates="tokens")


class WebSession(Base):
    """A signed-in session on the pages. The cookie only names this row: ending the row ends
    the session wherever a copy of the cookie went (sign-out, sign-out everywhere, erasure)."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
