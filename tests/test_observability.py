"""What an operator sees, from a real gunicorn with several workers: one JSON log line per
request with its id, route, status, duration and account (secrets cut out), and Prometheus
metrics summed over the workers, readable only from allowed addresses or by an admin."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from tests.gunicorn import BIN, ROOT, gunicorn


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def _prepared(tmp_path: Path) -> tuple[dict[str, str], str]:
    """A migrated database with an admin; the environment and the admin's token."""
    env = {
        **os.environ,
        "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}",
        "BOOKING_ENV": "production",
        "BOOKING_LOG_FORMAT": "json",
        "BOOKING_RATELIMIT_ENABLED": "false",
        "BOOKING_PUBLIC_BASE_URL": "http://127.0.0.1",
        "BOOKING_SECRET_KEY": "s" * 48,
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([BIN / "booking", "db", "upgrade"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [BIN / "booking", "create-admin", "--name", "Ops", "--email", "ops@example.nl"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return env, out.strip().splitlines()[-1].strip()


def test_json_request_logs_and_metrics_over_several_workers(tmp_path: Path) -> None:
    env, admin = _prepared(tmp_path)
    log = tmp_path / "server.log"
    with gunicorn({**env, "BOOKING_METRICS_ALLOW": "127.0.0.1"}, workers=3, log=log) as base:
        for _ in range(30):
            assert _get(f"{base}/api/v1/places")[0] == 200
        status, _body, headers = _get(
            f"{base}/feeds/private/wk_secret_token_that_must_not_leak.ics",
            {"X-Request-ID": "trace-42"},
        )
        assert status == 404 and headers["X-Request-ID"] == "trace-42"
        assert _get(f"{base}/api/v1/accounts/me", {"Authorization": f"Bearer {admin}"})[0] == 200
        status, metrics, headers = _get(f"{base}/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = metrics.decode()
    # Summed over the three workers, whichever answered.
    places = re.search(
        r'booking_http_requests_total\{method="GET",route="/api/v1/places",status="200"\} (\S+)',
        text,
    )
    assert places and float(places.group(1)) == 30
    assert 'booking_http_request_duration_seconds_bucket{le="0.005",method="GET"' in text
    assert "booking_outbox_backlog 0.0" in text
    assert "booking_rate_limit_storage_errors_total" in text
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "booking.requests"]
    private = next(line for line in requests if line["request_id"] == "trace-42")
    assert private["route"] == "/feeds/private/<string(maxlength=100):token>.ics"
    assert private["status"] == 404 and private["method"] == "GET"
    assert isinstance(private["duration_ms"], float)
    assert "wk_secret" not in log.read_text() and "[redacted]" in private["path"]
    me = next(line for line in requests if line["route"] == "/api/v1/accounts/me")
    assert me["account_id"] == 1
    assert admin not in log.read_text()


def test_metrics_need_an_allowed_address_or_an_admin(tmp_path: Path) -> None:
    env, admin = _prepared(tmp_path)
    with gunicorn({**env, "BOOKING_METRICS_ALLOW": "10.9.8.0/24"}, workers=1) as base:
        assert _get(f"{base}/metrics")[0] == 403
        person = _get(f"{base}/metrics", {"Authorization": "Bearer wk_not_a_token"})[0]
        assert person == 401
        status, body, _ = _get(f"{base}/metrics", {"Authorization": f"Bearer {admin}"})
        assert status == 200 and b"booking_http_requests_total" in body
