"""Booking policy: defaults, and the consistency of an effective policy."""

from __future__ import annotations

from typing import Any

from booking.errors import Invalid

DEFAULT_POLICY: dict[str, Any] = {
    "granularity_minutes": 15,
    "min_duration_minutes": 30,
    "max_duration_minutes": 480,
    "min_notice_minutes": 60,
    "max_days_ahead": 180,
    "buffer_minutes": 0,
    "requires_approval": False,
    "max_active_bookings": 20,
}


def check_policy(policy: dict[str, Any], field: str = "policy") -> None:
    """422 when a policy contradicts itself (durations, granularity)."""
    problems: dict[str, list[str]] = {}
    if policy["min_duration_minutes"] > policy["max_duration_minutes"]:
        problems["max_duration_minutes"] = ["Must not be less than min_duration_minutes."]
    granularity = policy["granularity_minutes"]
    for key in ("min_duration_minutes", "max_duration_minutes"):
        if policy[key] % granularity:
            problems.setdefault(key, []).append(
                f"Must be a multiple of granularity_minutes ({granularity})."
            )
    if problems:
        raise Invalid(
            "The booking policy is inconsistent.",
            code="invalid_policy",
            errors={field: problems},
        )


def merge_policy(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Apply a merge-patch: given keys are set, keys given as null are removed."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
