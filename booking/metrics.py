"""Prometheus metrics of the service (exposed at /metrics by the operations work)."""

from __future__ import annotations

from prometheus_client import Counter

RATE_LIMIT_STORAGE_ERRORS = Counter(
    "booking_rate_limit_storage_errors",
    "Requests served without a rate-limit check because the limit storage did not answer.",
)
