"""Error pages: a page address that fails answers with a page, never with JSON."""

from __future__ import annotations

import math

from flask import Blueprint, render_template, request
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from booking.errors import ERROR_PAGES, DomainError


def http_error_page(status: int, headers: dict[str, str]) -> tuple[str, int, dict[str, str]]:
    """The page for an HTTP error outside the pages' own views (a 404 anywhere, a 429)."""
    if status == 429:
        page, status = rate_limited_page(headers.get("Retry-After"))
    else:
        page, status = error_page(status)
    return page, status, headers


def error_page(status: int) -> tuple[str, int]:
    """The page for an HTTP status: 404 says how to go on, anything else says sorry."""
    return render_template("web/error.html", status=status), status


def rate_limited_page(retry_after: str | None) -> tuple[str, int]:
    """A 429 on the pages says in words how long to wait; a form that mails a link comes back
    with everything that was filled in."""
    from flask_babel import gettext as _

    seconds = int(retry_after) if retry_after and retry_after.isdigit() else 3600
    minutes = max(1, math.ceil(seconds / 60))
    message = _(
        "You asked for a link often. Wait %(minutes)d minutes, then send again: "
        "what you filled in is kept.",
        minutes=minutes,
    )
    if request.endpoint == "web.send_signup":
        from booking.web.signup_pages import signup_form_again

        return signup_form_again(message)
    if request.endpoint == "web.send_ask":
        from booking.web.asking import ask_form_again

        return ask_form_again(message), 429
    if request.endpoint in ("web.give_feedback", "web.file_complaint"):
        from booking.web.monitoring import complaint_form_again, feedback_form_again

        busy = _(
            "Many people on this network sent a reaction just now. Wait %(minutes)d minutes, "
            "then send again: what you filled in is kept.",
            minutes=minutes,
        )
        again = (
            feedback_form_again
            if request.endpoint == "web.give_feedback"
            else (complaint_form_again)
        )
        return again(busy, 429)
    if request.endpoint == "web.send_sign_in":
        from booking.web.forms import SignInForm

        form = SignInForm()
        form.form_errors.append(message)
        return render_template("web/sign_in.html", form=form), 429
    return render_template("web/error.html", status=429, message=message), 429


def _domain_error(error: DomainError) -> tuple[str, int]:
    return error_page(error.status)


def _unavailable(_error: Exception) -> tuple[str, int, dict[str, str]]:
    page, status = error_page(503)
    return page, status, {"Retry-After": "5"}


def _register_pages(state: BlueprintSetupState) -> None:
    state.app.extensions[ERROR_PAGES] = http_error_page


def install(bp: Blueprint) -> None:
    """Pages answer errors in their own views with pages (the API keeps problem+json), and
    the app's HTTP errors outside the API with pages too."""
    bp.record_once(_register_pages)
    bp.register_error_handler(DomainError, _domain_error)
    bp.register_error_handler(OperationalError, _unavailable)
    bp.register_error_handler(PoolTimeout, _unavailable)
