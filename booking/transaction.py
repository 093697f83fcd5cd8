"""The transaction boundary: one commit per request (API views and pages alike)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError

from booking.errors import integrity_conflict, is_unique_violation

log = logging.getLogger(__name__)

# PostgreSQL aborts one of two transactions that wait on each other (deadlock_detected),
# e.g. two inserts checking the exclusion constraint against each other's new rows, or a
# transaction it cannot serialise. Nothing was written; running the request again is safe.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3


def unit_of_work(view: Callable[..., Any]) -> Callable[..., Any]:
    """One transaction per request: commit when the view returns, roll back on any error.

    A transaction the database aborted to break a deadlock is run again (at most three
    times), so a lost race becomes the answer it should be (often a 409), not a 500. So is
    one that lost a race for a unique key (two sign-ups with one e-mail, two places whose
    generated slugs collide): run again, the service's own check sees the winner's row and
    answers its 409, or generates another slug.
    """
    from booking.extensions import db

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                result = view(*args, **kwargs)
                db.session.commit()
                return result
            except OperationalError as error:
                _rollback(db)
                sqlstate = getattr(error.orig, "sqlstate", None)
                if sqlstate not in RETRYABLE_SQLSTATES or attempt == ATTEMPTS:
                    raise
                log.info("transaction aborted (%s); attempt %d of %d", sqlstate, attempt, ATTEMPTS)
            except IntegrityError as error:
                _rollback(db)
                if not is_unique_violation(error) or attempt == ATTEMPTS:
                    raise integrity_conflict(error) from None
                log.info("lost a unique-key race; attempt %d of %d", attempt, ATTEMPTS)
            except BaseException:
                _rollback(db)
                raise
            time.sleep(random.uniform(0.005, 0.03) * attempt)  # noqa: S311 - jitter
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def _rollback(db: Any) -> None:
    try:
        db.session.rollback()
    except OperationalError:  # the connection is gone; the pool replaces it
        log.warning("rollback failed: connection lost")
