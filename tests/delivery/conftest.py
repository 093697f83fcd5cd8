"""An app that mails through a real SMTP server started for the test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from booking.delivery.worker import Round, run_once
from booking.extensions import db
from booking.models import OutboxMessage
from tests.conftest import discard_app, make_test_app
from tests.delivery.mailed_calendars import check_mailed_calendars
from tests.factories import Factory
from tests.smtp import Mailbox, smtp_server


@dataclass
class MailingApp:
    """The app, its client, factories, and the mailbox its mails arrive in."""

    app: Flask
    client: FlaskClient
    make: Factory
    mailbox: Mailbox
    smtp_url: str

    def deliver(self) -> Round:
        """Run the worker once, as `booking worker --once` does."""
        return run_once(self.app)

    def make_due(self, **values: object) -> None:
        """Make every outbox message due now (a backoff has passed), changing `values` too."""

        def apply() -> None:
            db.session.execute(
                update(OutboxMessage).values(
                    next_attempt_at=datetime.now(UTC) - timedelta(seconds=1), **values
                )
            )
            db.session.commit()

        self.make.run(apply)


@pytest.fixture
def mailing(database_url: str, app: Flask) -> Iterator[MailingApp]:
    """The app with BOOKING_SMTP_URL pointing at a fresh SMTP server."""
    with smtp_server() as (mailbox, url):
        application = make_test_app(database_url, SMTP_URL=url, OUTBOX_LEASE_SECONDS=60)
        yield MailingApp(application, application.test_client(), Factory(application), mailbox, url)
        try:
            # Every calendar file the test mailed, read back by three more clients.
            check_mailed_calendars(application, list(mailbox.received))
        finally:
            discard_app(application)
