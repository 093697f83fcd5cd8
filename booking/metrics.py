"""Prometheus metrics of the service, served at /metrics.

Under gunicorn `gunicorn.conf.py` points PROMETHEUS_MULTIPROC_DIR at a fresh folder before
the workers start, so every worker writes its samples there and /metrics sums them. Without
it (tests, `flask run`) the process's own registry is served.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

RATE_LIMIT_STORAGE_ERRORS = Counter(
    "booking_rate_limit_storage_errors",
    "Requests served without a rate-limit check because the limit storage did not answer.",
)
PRIVACY_PURGED = Counter(
    "booking_privacy_purged",
    "Personal data removed by the retention purge, by kind (see docs/privacy.md).",
    ["kind"],
)
REQUESTS = Counter(
    "booking_http_requests",
    "Requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "booking_http_request_duration_seconds",
    "Time to answer a request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
BOOKINGS_CREATED = Counter(
    "booking_bookings_created", "Bookings and series occurrences created, by status.", ["status"]
)
CONFLICTS = Counter("booking_conflicts", "Requests refused with 409, by code.", ["code"])
RULE_VIOLATIONS = Counter(
    "booking_rule_violations", "Booking rules a request broke (422), by code.", ["code"]
)
CONTENT_TYPE = CONTENT_TYPE_LATEST


# What the outbox's backlog is: (messages waiting, the oldest one's creation), read at
# scrape time by a function the caller hands in, so that metrics know no models.
Backlog = Callable[[], tuple[int, datetime | None]]


class OutboxCollector(Collector):
    """The outbox backlog and the age of its oldest waiting message, read at scrape time."""

    def __init__(self, read_backlog: Backlog) -> None:
        self.read_backlog = read_backlog

    def collect(self):  # type: ignore[no-untyped-def]
        """Two gauges from one query (the database is the only place that knows)."""
        waiting, oldest = self.read_backlog()
        backlog = GaugeMetricFamily("booking_outbox_backlog", "Messages waiting to be delivered.")
        backlog.add_metric([], float(waiting))
        yield backlog
        age = GaugeMetricFamily(
            "booking_outbox_oldest_age_seconds", "Age of the oldest waiting message (0: none)."
        )
        age.add_metric([], (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0)
        yield age


def exposition(read_backlog: Backlog) -> bytes:
    """Every metric in Prometheus' text format: all workers' samples, and the outbox."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        registry.register(OutboxCollector(read_backlog))
        return bytes(generate_latest(registry))
    registry.register(OutboxCollector(read_backlog))
    return bytes(generate_latest(REGISTRY)) + bytes(generate_latest(registry))
