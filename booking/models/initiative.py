"""Experimental initiatives: from idea to trial to a running activity, and what was learned."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models.base import Base, Timestamped, UTCDateTime, utcnow

if TYPE_CHECKING:
    from booking.models.account import Account
    from booking.models.place import Neighbourhood

IDEA, TRIAL, RUNNING, ENDED = "idea", "trial", "running", "ended"
INITIATIVE_STATUSES = (IDEA, TRIAL, RUNNING, ENDED)
# Where an initiative may go from each status.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    IDEA: (TRIAL, ENDED),
    TRIAL: (RUNNING, ENDED),
    RUNNING: (ENDED,),
    ENDED: (),
}
OUTCOMES = ("continued", "stopped", "moved")
# The week and the day as needs, searches and filters name them (0 = Monday).
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
DAY_PARTS = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(22)),
}
TIMES_OF_DAY = tuple(DAY_PARTS)

initiative_partners = Table(
    "initiative_partners",
    Base.metadata,
    Column("initiative_id", ForeignKey("initiatives.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    Column("created_at", UTCDateTime, default=utcnow, nullable=False),
    # A listed partner is invited until it accepts: only then is it a partner.
    Column("accepted_at", UTCDateTime, nullable=True),
)


class Initiative(Timestamped, Base):
    """What residents (with partners) want to try, its needs, trial period and outcome."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    initiator_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="SET NULL"), index=True
    )
    target_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {capacity, facilities, duration_minutes, weekdays, time_of_day}
    needs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    trial_starts_on: Mapped[date | None]
    trial_ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default=IDEA, index=True)
    outcome: Mapped[str | None] = mapped_column(String(16))
    lessons: Mapped[str] = mapped_column(Text, default="")

    initiator: Mapped[Account] = relationship()
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    # Written through booking.services.initiatives (rows of initiative_partners), read here.
    partners: Mapped[list[Account]] = relationship(
        secondary=initiative_partners,
        secondaryjoin=lambda: _partner_join(accepted=True),
        order_by="Account.id",
        viewonly=True,
    )
    invited: Mapped[list[Account]] = relationship(
        secondary=initiative_partners,
        secondaryjoin=lambda: _partner_join(accepted=False),
        order_by="Account.id",
        viewonly=True,
    )
    transitions: Mapped[list[InitiativeTransition]] = relationship(
        back_populates="initiative",
        cascade="all, delete-orphan",
        order_by=lambda: (InitiativeTransition.at, InitiativeTransition.id),
    )

    @property
    def partner_ids(self) -> list[int]:
        """Ids of the partner accounts (those that accepted)."""
        return [partner.id for partner in self.partners]

    @property
    def invited_partner_ids(self) -> list[int]:
        """Ids of the accounts invited as partners that have not answered yet."""
        return [account.id for account in self.invited]


def _partner_join(accepted: bool) -> Any:
    from booking.models.account import Account

    answered = initiative_partners.c.accepted_at
    return (Account.id == initiative_partners.c.account_id) & (
        answered.is_not(None) if accepted else answered.is_(None)
    )


class InitiativeTransition(Base):
    """One step of an initiative's life: who moved it, when, and with what note."""

    __tablename__ = "initiative_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(1000), default="")

    initiative: Mapped[Initiative] = relationship(back_populates="transitions")
