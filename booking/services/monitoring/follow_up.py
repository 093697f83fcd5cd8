"""The monitoring work that runs by itself: the morning-after attendance asks, the
complaints' reminders and escalations, and the sign-ups' reminders the day before. The
worker runs it every hour; `booking monitoring follow-up --as-of` runs it by hand (and moves
the clock, for a test or a catch-up)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from booking.extensions import db
from booking.services.monitoring.attendance import ask_for_attendance
from booking.services.monitoring.complaints import follow_up_complaints
from booking.services.signups.notices import remind

# The advisory lock that keeps two workers from following up at once (an arbitrary constant).
FOLLOW_UP_LOCK = 7_301_2027


def run_follow_up(now: datetime) -> dict[str, int]:
    """One follow-up as one transaction; on PostgreSQL one worker at a time (the others
    skip and get {})."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    if postgres and not db.session.scalar(select(func.pg_try_advisory_xact_lock(FOLLOW_UP_LOCK))):
        db.session.rollback()
        return {}
    counts = {
        "attendance_asked": ask_for_attendance(now),
        **follow_up_complaints(now),
        "signup_reminders": remind(now),
    }
    db.session.commit()
    return counts
