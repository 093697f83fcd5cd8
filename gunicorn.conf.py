"""gunicorn settings, read from the working directory by `gunicorn wsgi:app` and `make run`."""

import os
import shutil
import tempfile

# A request that a sick database holds fails as a 503 within seconds (connect, statement
# and pool timeouts); this only catches what nothing else did.
timeout = 30
# SIGTERM lets running requests finish for this long.
graceful_timeout = 20
keepalive = 5
# Private feed URLs carry a token: the access log shows them redacted.
logger_class = "booking.access_log.RedactingLogger"
# No limit of gunicorn's own on the request line (0; it still stops at 1 MiB), so that the
# app answers an overlong URL itself with a 414 problem+json (BOOKING_MAX_URL_LENGTH, 8190
# bytes by default) instead of gunicorn's text/html page.
limit_request_line = 0
# gunicorn's control socket shares one path between every server of a user; nothing here
# uses it, and servers side by side (tests, benchmarks) must not take it from each other.
control_socket_disable = True
# The usual combined format, and the request id the service answered with. The service
# itself logs one JSON line per request with its route, duration and account.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)


def on_starting(server):  # type: ignore[no-untyped-def]
    """Prometheus in multiprocess mode: a fresh folder the workers inherit and write to,
    so /metrics (answered by any worker) sums them all."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="wijkruimte-metrics-"
    )
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Objects alive after start-up are never garbage; keep the collector off them. The
    `Server` header names no server software or version (gunicorn's own default does)."""
    import gc

    import gunicorn.http.wsgi

    gunicorn.http.wsgi.SERVER = "Wijkruimte"
    gc.freeze()


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """A worker that ended leaves its live gauges out of the sums."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
