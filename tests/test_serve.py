"""The README path: migrate a fresh SQLite database, seed the demo, serve with gunicorn."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from tests.gunicorn import BIN, ROOT, gunicorn
from tests.http import send


def test_gunicorn_serves_the_demo_places(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "BOOKING_ENV": "development",
    }
    for command in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        subprocess.run(
            [BIN / "booking", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    with gunicorn(env, workers=2) as base:
        with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
            assert json.load(r) == {"status": "ok"}
        with urllib.request.urlopen(f"{base}/readyz", timeout=2) as r:
            assert json.load(r) == {"status": "ok", "database": "ok", "migrations": "head"}
        with urllib.request.urlopen(f"{base}/api/v1/places?page_size=5", timeout=5) as r:
            places = json.load(r)
            assert len(places) == 5 and json.loads(r.headers["X-Pagination"])["total"] == 32
        with urllib.request.urlopen(f"{base}/api/v1/docs", timeout=5) as r:
            page = r.read().decode()
            assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page and "//cdn" not in page
            csp = r.headers["Content-Security-Policy"]
            assert "script-src 'self' 'sha256-" in csp and "unsafe-inline" not in csp.split(";")[1]
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5) as r:
            spec = json.load(r)
            assert "/api/v1/places/{place_id}/opening-hours" in spec["paths"]
        # An overlong request line reaches the app, which answers it as a problem, not gunicorn.
        status, headers, problem = send("GET", f"{base}/api/v1/places?q=" + "x" * 9000)
        assert (status, problem["code"]) == (414, "uri_too_long")
        assert headers["Content-Type"] == "application/problem+json"


def test_production_refuses_to_start_without_a_public_base_url(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "BOOKING_PUBLIC_BASE_URL"}
    env["BOOKING_DATABASE_URL"] = f"sqlite:///{tmp_path / 'prod.db'}"
    env.pop("BOOKING_ENV", None)  # wsgi.py makes production the default
    started = subprocess.run(
        [BIN / "python", "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert started.returncode != 0
    assert "BOOKING_PUBLIC_BASE_URL is required" in started.stderr


def test_gunicorn_refuses_to_serve_the_factory_without_production_settings(
    tmp_path: Path,
) -> None:
    """`gunicorn 'booking:create_app()'` is production unless told: no development key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKING_")}
    env["BOOKING_DATABASE_URL"] = f"sqlite:///{tmp_path / 'factory.db'}"
    started = subprocess.run(
        [BIN / "gunicorn", "--bind", "127.0.0.1:0", "booking:create_app()"],
        cwd=tmp_path,  # no gunicorn.conf.py here: only the installed package
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    (line,) = [line for line in started.stderr.splitlines() if "BOOKING_SECRET_KEY" in line]
    assert "BOOKING_PUBLIC_BASE_URL" in line and "Traceback" not in started.stderr


def test_the_access_log_never_shows_a_private_feed_token(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    env = {"BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'log.db'}", "BOOKING_ENV": "development"}
    subprocess.run(
        [BIN / "booking", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    with gunicorn({**env, "GUNICORN_CMD_ARGS": f"--access-logfile {log}"}, workers=1) as base:
        signed_up = send(
            "POST", f"{base}/api/v1/accounts", {"name": "Ann", "email": "ann@example.nl"}
        )[2]
        headers = {"Authorization": f"Bearer {signed_up['token']}"}
        created = send("POST", f"{base}/api/v1/feed-tokens", {"name": "agenda"}, headers)[2]
        secret = created["token"]
        assert created["url"].startswith(base)
        assert send("GET", created["url"])[0] == 200
        assert send("GET", created["url"] + "?x=1")[0] == 200
    text = log.read_text()
    assert "/feeds/private/[redacted].ics" in text
    assert any(len(line.rsplit(" ", 1)[-1]) == 32 for line in text.splitlines())  # request ids
    assert secret not in text and secret[:20] not in text


def test_a_chunked_body_over_the_limit_is_413_and_the_server_is_not_named(
    tmp_path: Path,
) -> None:
    """Through gunicorn: a body sent in chunks is held to MAX_CONTENT_LENGTH like any other
    (413, not a truncated body); one under it is read whole. `Server` names no software."""
    import http.client

    env = {
        **os.environ,
        "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'chunks.db'}",
        "BOOKING_ENV": "development",
    }
    subprocess.run([BIN / "booking", "db", "upgrade"], cwd=ROOT, env=env, check=True)

    def post_in_chunks(port: int, body: bytes) -> tuple[int, str, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        pieces = (body[i : i + 8192] for i in range(0, len(body), 8192))
        connection.request(
            "POST",
            "/api/v1/accounts",
            body=pieces,
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            encode_chunked=True,
        )
        answer = connection.getresponse()
        return answer.status, str(answer.getheader("Server")), answer.read()

    with gunicorn(env, workers=1) as base:
        port = int(base.rsplit(":", 1)[1])
        big = b'{"name": "' + b"x" * 300_000 + b'", "email": "groot@example.nl"}'
        status, server, body = post_in_chunks(port, big)
        assert status == 413 and json.loads(body)["code"] == "payload_too_large"
        assert "gunicorn" not in server.lower() and server == "Wijkruimte"
        status, _, body = post_in_chunks(port, b'{"name": "Ann", "email": "ann@example.nl"}')
        assert status == 201, body
        assert json.loads(body)["account"]["email"] == "ann@example.nl"
