"""The `booking` command group (a Flask CLI, also available as `flask`)."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from booking.errors import DomainError
from booking.extensions import db


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no places.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo data set (real place names, invented rooms and hours)."""
    from sqlalchemy import update

    from booking.demo import database_is_empty, seed_demo
    from booking.models import OutboxEvent, utcnow

    if if_empty and not database_is_empty():
        click.echo("Database already has places; demo data not loaded.")
        return
    count = seed_demo()
    # The demo's bookings and invitations are made as if by people, but nobody is there to
    # read the mails: their events count as dispatched, so no mail goes to .invalid addresses.
    db.session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .values(dispatched_at=utcnow())
    )
    db.session.commit()
    click.echo(f"Loaded {count} demo places.")


@click.command("create-admin")
@click.option("--name", required=True, help="The admin's name.")
@click.option("--email", required=True, help="The admin's email address.")
@with_appcontext
def create_admin_command(name: str, email: str) -> None:
    """Create an administrator; the last line of output is the admin's API token."""
    from booking.services.accounts import create_admin

    try:
        account, raw = create_admin(name, email)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.detail) from error
    db.session.commit()
    click.echo(f"Created admin account {account.id} <{account.email}>. Token (shown once):")
    click.echo(raw)


@click.command("expire-pending")
@with_appcontext
def expire_pending_command() -> None:
    """Mark pending requests whose start has passed as expired (safe to run from cron)."""
    from booking.models import utcnow
    from booking.services.booking.bookings import expire_pending

    count = expire_pending(utcnow())
    db.session.commit()
    click.echo(f"Expired {count} pending booking(s).")


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (cron, tests).")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to wait when idle.")
@with_appcontext
def worker_command(once: bool, poll: float) -> None:
    """Deliver the outbox (mail); SIGTERM finishes the current delivery and stops."""
    import signal
    import threading

    from flask import current_app

    from booking.delivery.worker import run_forever, run_once

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if once:
        done = run_once(app, stop)
        click.echo(
            f"Dispatched {done.dispatched} event(s); delivered {done.delivered}, "
            f"retrying {done.retried}, failed {done.failed} message(s)."
        )
        return
    run_forever(app, stop, poll)


@click.group("outbox")
def outbox_group() -> None:
    """Look at the outbox."""


@outbox_group.command("status")
@with_appcontext
def outbox_status_command() -> None:
    """How many messages wait, were delivered, or failed; and events not yet dispatched."""
    from booking.services.outbox.status import counts, latest_failures

    for key, value in counts().items():
        click.echo(f"{key}: {value}")
    for message_id, kind, error in latest_failures():
        click.echo(f"failed message {message_id} ({kind}): {error}")


@click.group("monitoring")
def monitoring_group() -> None:
    """Monitoring: attendance asks and complaint follow-up (docs/monitoring.md)."""


@monitoring_group.command("follow-up")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="Run as if it were this moment (UTC); default: now.",
)
@with_appcontext
def monitoring_follow_up(as_of: datetime | None) -> None:
    """Ask yesterday's attendance; remind of complaints (4 weeks) and sign-ups (a day before)."""
    from booking.models import utcnow
    from booking.services.monitoring.follow_up import run_follow_up

    now = as_of.replace(tzinfo=UTC) if as_of is not None else utcnow()
    counts = run_follow_up(now)
    if not counts:
        click.echo("another worker is following up right now; nothing done")
        return
    for kind, count in counts.items():
        click.echo(f"{kind}: {count}")


@click.group("privacy")
def privacy_group() -> None:
    """Personal data: the retention purge (docs/privacy.md)."""


@privacy_group.command("purge")
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Purge as if it were this day (UTC midnight); default: now.",
)
@click.option("--dry-run", is_flag=True, help="Count what would go, change nothing.")
@with_appcontext
def privacy_purge(as_of: datetime | None, dry_run: bool) -> None:
    """Remove what is kept longer than its purpose; one line per kind with its count."""
    from booking.models import utcnow
    from booking.services.privacy.retention import KINDS, run_purge

    now = as_of.replace(tzinfo=UTC) if as_of is not None else utcnow()
    counts = run_purge(now, dry_run)
    if not counts:
        click.echo("another worker is purging right now; nothing done")
        return
    for kind in KINDS:
        click.echo(f"{kind}: {counts[kind]}{' (dry run)' if dry_run else ''}")


@click.command("export")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="The JSON file.")
@click.option(
    "--without-personal-data",
    is_flag=True,
    help="Replace names, e-mail addresses and texts people wrote (for tests and suppliers).",
)
@with_appcontext
def export_command(output: str, without_personal_data: bool) -> None:
    """Write every table (history and outbox included) to a versioned JSON file, and say
    what it holds."""
    import json

    from booking.transfer import export_all

    document = export_all(personal_data=not without_personal_data)
    with open(output, "w", encoding="utf-8") as target:
        json.dump(document, target, ensure_ascii=False)
    rows = sum(len(t["rows"]) for t in document["tables"].values())
    click.echo(f"Exported {rows} rows of {len(document['tables'])} tables to {output}.")
    click.echo(f"It holds: {document['contains']}")


@click.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_command(source: str) -> None:
    """Restore an export into this database, which must be migrated and empty."""
    import json

    from booking.transfer import TransferError, import_all

    with open(source, encoding="utf-8") as handle:
        document = json.load(handle)
    try:
        counts = import_all(document)
    except TransferError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Imported {sum(counts.values())} rows into {len(counts)} tables.")


def register_commands(app: Flask) -> None:
    """Attach the project's commands to the app's CLI."""
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(expire_pending_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(outbox_group)
    app.cli.add_command(privacy_group)
    app.cli.add_command(monitoring_group)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)


def main() -> None:
    """Entry point of the `booking` console script."""
    from booking import create_app

    FlaskGroup(create_app=create_app, help="Wijkruimte booking service.")()
