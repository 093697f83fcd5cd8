"""No e-mail address, name or free text in any log line: a whole journey through gunicorn
(its access log and the service's JSON log) and `booking worker` (a refused mail, retried),
and then the logs are searched for what the people typed."""

from __future__ import annotations

import subprocess
from pathlib import Path

from flask import Flask

from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import local, upcoming
from tests.factories import Factory
from tests.gunicorn import BIN, ROOT, TEST_SECRET, gunicorn
from tests.http import send
from tests.smtp import smtp_server

NAME = "Zwaantje Kwikstaart"
EMAIL = "zwaantje.kwikstaart@example.nl"
TITLE = "Verrassingsfeest Opa Kees"
DESCRIPTION = "Niet verder vertellen aan de buren"


def test_a_journey_leaves_no_personal_data_in_the_logs(
    clean_app: Flask, database_url: str, make: Factory, tmp_path: Path
) -> None:
    place = make.place(opening_hours="24/7", policy={**DEFAULT_POLICY, "requires_approval": True})
    room = make.room(place)
    make.account(name="Gastvrouw Ria", hosts=[place])
    server_log, worker_log = tmp_path / "server.log", tmp_path / "worker.log"
    env = {
        "BOOKING_DATABASE_URL": database_url,
        "BOOKING_RATELIMIT_ENABLED": "false",
        "BOOKING_LOG_FORMAT": "json",
        "GUNICORN_CMD_ARGS": f"--access-logfile {tmp_path / 'access.log'}",
    }
    with smtp_server() as (mailbox, smtp_url), gunicorn(env, workers=2, log=server_log) as base:
        api = f"{base}/api/v1"
        status, _, signed_up = send("POST", f"{api}/accounts", {"name": NAME, "email": EMAIL})
        assert status == 201
        me = {"Authorization": f"Bearer {signed_up['token']}"}
        day = upcoming(9)
        made = send(
            "POST",
            f"{api}/bookings",
            {
                "room_id": room,
                "start": local(day, "19:00"),
                "end": local(day, "21:00"),
                "title": TITLE,
                "description": DESCRIPTION,
            },
            me,
        )
        assert made[0] == 201
        refused = send("POST", f"{api}/bookings", {"room_id": room, "title": TITLE}, me)
        assert refused[0] == 422
        assert send("GET", f"{api}/places?q={NAME.replace(' ', '+')}")[0] == 200
        assert send("GET", f"{base}/plekken?q={EMAIL}")[0] == 200
        assert send("POST", f"{api}/auth/email-link", {"email": EMAIL})[0] == 202
        assert send("PATCH", f"{api}/accounts/me", {"name": NAME + " Jr"}, me)[0] == 200
        # The worker: the first mail is refused, then everything goes out.
        mailbox.refuse_next = 1
        with worker_log.open("w") as sink:
            for _ in range(2):
                subprocess.run(
                    [BIN / "booking", "worker", "--once"],
                    cwd=ROOT,
                    env={
                        **_environment(env),
                        "BOOKING_SMTP_URL": smtp_url,
                        "BOOKING_ENV": "development",
                        # The key gunicorn sealed the sign-in code with.
                        "BOOKING_SECRET_KEY": TEST_SECRET,
                    },
                    stderr=sink,
                    stdout=sink,
                    check=True,
                )
                _make_due(clean_app)
        assert mailbox.to(EMAIL)
    logs = {path.name: path.read_text() for path in tmp_path.glob("*.log")}
    assert logs["server.log"] and logs["access.log"] and "attempt 1 failed" in logs["worker.log"]
    for name, text in logs.items():
        for personal in (
            EMAIL,
            EMAIL.replace("@", "%40"),
            "Zwaantje",
            "Kwikstaart",
            TITLE,
            "Opa Kees",
            DESCRIPTION,
            "Gastvrouw Ria",
        ):
            assert personal not in text, f"{personal!r} in {name}"


def _environment(extra: dict[str, str]) -> dict[str, str]:
    import os

    return {**os.environ, **{k: v for k, v in extra.items() if k != "GUNICORN_CMD_ARGS"}}


def _make_due(app: Flask) -> None:
    """The refused mail's backoff has passed."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from booking.extensions import db
    from booking.models import OutboxMessage

    with app.app_context():
        db.session.execute(update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
        db.session.remove()


# Shaped as the real ones are: token_urlsafe, a dashed code, itsdangerous' dotted tokens.
SECRETS = {
    "/feeds/private/{}.ics": "wkf_Zq8sEcReTfEeD-x_1",
    "/inloggen/code/{}": "QWERT-ZXCVB",
    "/aanvragen/bevestig/{}": "TmKJpr6A6jh3QrYNsEcReT_-x",
    "/beheer/besluit/{}": "WyJib29raW5nIiw.sEcReTdEcIsIoN.aBc-D_e",
    "/aanwezig/{}": "WzEsMl0.sEcReTaTtEnD.Zx-q9",
}


def test_no_live_secret_of_a_link_is_logged(
    clean_app: Flask, database_url: str, tmp_path: Path
) -> None:
    """Every secret-bearing link, followed as a mail scanner would (GET, a query after it):
    neither gunicorn's access log nor the JSON log holds the secret."""
    server_log = tmp_path / "server.log"
    env = {
        "BOOKING_DATABASE_URL": database_url,
        "BOOKING_RATELIMIT_ENABLED": "false",
        "BOOKING_LOG_FORMAT": "json",
        "GUNICORN_CMD_ARGS": f"--access-logfile {tmp_path / 'access.log'}",
    }
    with gunicorn(env, workers=1, log=server_log) as base:
        for path, secret in SECRETS.items():
            status, _, _ = send("GET", f"{base}{path.format(secret)}?lang=nl")
            assert status < 500, path
    logs = {path.name: path.read_text() for path in tmp_path.glob("*.log")}
    assert "/aanwezig/[redacted]" in logs["access.log"]
    assert "/feeds/private/[redacted].ics" in logs["server.log"]
    for name, text in logs.items():
        for path, secret in SECRETS.items():
            assert secret not in text, f"{path} in {name}"
            # Nor a telling piece of it.
            assert "sEcReT" not in text and "QWERT" not in text, name


def test_every_route_with_a_secret_is_in_the_one_list(clean_app: Flask) -> None:
    """A route that takes a code or a token in its path is redacted by SECRET_ROUTES."""
    from booking.access_log import SECRET_ROUTES

    secret_rules = [
        rule.rule
        for rule in clean_app.url_map.iter_rules()
        if rule.arguments & {"code", "token", "secret"}
    ]
    assert len(secret_rules) >= 5
    for rule in secret_rules:
        assert rule.startswith(SECRET_ROUTES), f"{rule} is not in SECRET_ROUTES"
