"""Error pages: a page address that fails answers with a page, never with JSON."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from booking.errors import DomainError

# Paths that belong to machines: they keep their problem+json answers.
MACHINE_PREFIXES = ("/api/v1", "/feeds/", "/healthz", "/readyz", "/metrics")


def wants_page() -> bool:
    """Whether this request is for a page (or an unknown address outside the API)."""
    if request.blueprint == "web":
        return True
    return request.blueprint is None and not request.path.startswith(MACHINE_PREFIXES)


def error_page(status: int) -> tuple[str, int]:
    """The page for an HTTP status: 404 says how to go on, anything else says sorry."""
    return render_template("web/error.html", status=status), status


def _domain_error(error: DomainError) -> tuple[str, int]:
    return error_page(error.status)


def _unavailable(_error: Exception) -> tuple[str, int, dict[str, str]]:
    page, status = error_page(503)
    return page, status, {"Retry-After": "5"}


def install(bp: Blueprint) -> None:
    """Pages answer errors in their own views with pages (the API keeps problem+json)."""
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(OperationalError, _unavailable)
    bp.register_error_handler(PoolTimeout, _unavailable)
