"""Rate limits: one budget per token however it is spelt, exact across processes through
Redis, and open (served, logged, counted) while Redis is away."""

from __future__ import annotations

import logging
import os
import secrets
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from booking.metrics import RATE_LIMIT_STORAGE_ERRORS
from tests.booking_helpers import upcoming
from tests.conftest import answers, discard_app, make_test_app
from tests.factories import Factory
from tests.gunicorn import gunicorn
from tests.http import all_at_once, send
from tests.tcp_proxy import TcpProxy

REDIS = ("127.0.0.1", 6379)


@pytest.fixture
def needs_redis() -> None:
    """Redis on 6379; required with CI=true, as PostgreSQL is."""
    if not answers(REDIS):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Redis is required in CI but does not answer on 127.0.0.1:6379")
        pytest.skip("Redis does not answer on 127.0.0.1:6379")


@pytest.fixture
def limited(database_url: str, app: Flask) -> Iterator[Flask]:
    """The app with a sign-up limit of 3 per minute and a write limit of 3 per minute."""
    application = make_test_app(
        database_url,
        SIGNUP_RATE_LIMIT="3 per minute",
        BOOKING_WRITE_RATE_LIMIT="3 per minute",
        RATELIMIT_KEY_PREFIX=secrets.token_hex(4),
    )
    yield application
    discard_app(application)


def test_every_spelling_of_one_token_shares_one_budget(limited: Flask) -> None:
    caller = Factory(limited).account()
    client = limited.test_client()
    spellings = [f"Bearer {caller.token}", f"bearer {caller.token}", f"BEARER   {caller.token}"]
    codes = []
    for header in [*spellings, spellings[0]]:
        response = client.post(
            "/api/v1/bookings", json={"title": "x"}, headers={"Authorization": header}
        )
        codes.append(response.status_code)
        if response.status_code != 429:
            assert "Retry-After" not in response.headers
    assert codes == [422, 422, 422, 429]
    assert response.headers["Retry-After"]


def test_no_retry_after_on_ordinary_answers(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(3):
        response = client.post("/api/v1/accounts", json={"name": "A", "email": "a@example.nl"})
        assert response.status_code in (201, 409) and "Retry-After" not in response.headers
    response = client.post("/api/v1/accounts", json={"name": "A", "email": "a@example.nl"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    response = client.get("/api/v1/places")
    assert response.status_code == 200 and "Retry-After" not in response.headers


@pytest.mark.usefixtures("needs_redis")
def test_a_redis_outage_fails_open_and_limits_return_with_redis(
    database_url: str, app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = TcpProxy(REDIS).start()
    application = make_test_app(
        database_url,
        RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{proxy.port}",
        SIGNUP_RATE_LIMIT="2 per minute",
        RATELIMIT_KEY_PREFIX=secrets.token_hex(4),
    )
    client = application.test_client()
    # The limiter is one object per process; a fresh address keeps this test's counts apart
    # from earlier runs that Redis still remembers.
    address = f"127.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"

    def sign_up(n: int) -> int:
        body = {"name": "Ann", "email": f"ann{n}-{secrets.token_hex(3)}@example.nl"}
        response = client.post("/api/v1/accounts", json=body, environ_base={"REMOTE_ADDR": address})
        return response.status_code

    try:
        assert [sign_up(n) for n in range(3)] == [201, 201, 429]
        proxy.stop()
        before = RATE_LIMIT_STORAGE_ERRORS._value.get()
        with caplog.at_level(logging.WARNING, logger="flask-limiter"):
            assert [sign_up(n) for n in range(3, 6)] == [201, 201, 201]
            assert client.get("/feeds/places/1.ics").status_code == 404  # served, not 500
        assert RATE_LIMIT_STORAGE_ERRORS._value.get() >= before + 3
        assert any("rate-limit storage unavailable" in r.getMessage() for r in caplog.records)
        assert all(
            r.levelno == logging.WARNING for r in caplog.records if r.name == "flask-limiter"
        )
        proxy.start()  # Redis is back on the same address, with the counts it kept
        assert sign_up(6) == 429
    finally:
        proxy.stop()
        discard_app(application)
        # Point the process-wide limiter back at memory for the tests that follow.
        discard_app(make_test_app(database_url))


@pytest.mark.usefixtures("needs_redis")
def test_limits_are_exact_across_workers_with_redis(clean_app: Flask, database_url: str) -> None:
    env = {
        "BOOKING_DATABASE_URL": database_url,
        "BOOKING_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379",
        "BOOKING_SIGNUP_RATE_LIMIT": "10 per minute",
    }
    with gunicorn({**env, "BOOKING_RATELIMIT_KEY_PREFIX": secrets.token_hex(4)}, 4) as base:
        assert thirty_sign_ups_at_once(base) == {201: 10, 429: 20}


def test_one_process_with_threads_is_exact_with_memory_storage(
    clean_app: Flask, database_url: str
) -> None:
    """What `make run` does: one gunicorn worker with threads, so memory:// is exact."""
    env = {"BOOKING_DATABASE_URL": database_url, "BOOKING_SIGNUP_RATE_LIMIT": "10 per minute"}
    with gunicorn(env, workers=1, threads=8) as base:
        assert thirty_sign_ups_at_once(base) == {201: 10, 429: 20}


def thirty_sign_ups_at_once(base: str) -> Counter[int]:
    """Thirty sign-ups from one address released together; how many got each status."""
    tag = secrets.token_hex(3)
    return Counter(
        all_at_once(
            30,
            lambda i: send(
                "POST", f"{base}/api/v1/accounts", {"name": "Ann", "email": f"a{i}-{tag}@ex.nl"}
            )[0],
        )
    )


@contextmanager
def _email_limited(database_url: str, limit: str) -> Iterator[Flask]:
    """The app with this e-mail-link limit and counters of its own; emptied after."""
    application = make_test_app(
        database_url, EMAIL_LINK_RATE_LIMIT=limit, RATELIMIT_KEY_PREFIX=secrets.token_hex(4)
    )
    try:
        yield application
    finally:
        discard_app(application)


def test_guessing_sign_in_codes_has_one_budget_on_the_pages_and_the_api(
    database_url: str, app: Flask
) -> None:
    """The pages' code form stops where the API's redeem does, and the two count together."""
    from tests.web.forms import csrf_of

    with _email_limited(database_url, "4 per hour") as application:
        client = application.test_client()
        codes = []
        for guess in ("AAAAA-AAAAA", "BBBBB-BBBBB", "CCCCC-CCCCC"):
            button = client.get(f"/inloggen/code/{guess}").get_data(as_text=True)
            answer = client.post(f"/inloggen/code/{guess}", data={"csrf_token": csrf_of(button)})
            codes.append(answer.status_code)
        redeem = client.post("/api/v1/auth/email-link/redeem", json={"code": "DDDDD-DDDDD"})
        codes.append(redeem.status_code)
        assert all(code != 429 for code in codes), codes
        # The fifth guess, on either side, is refused.
        button = client.get("/inloggen/code/EEEEE-EEEEE").get_data(as_text=True)
        page = client.post("/inloggen/code/EEEEE-EEEEE", data={"csrf_token": csrf_of(button)})
        assert page.status_code == 429 and page.mimetype == "text/html"
        api = client.post("/api/v1/auth/email-link/redeem", json={"code": "FFFFF-FFFFF"})
        assert api.status_code == 429 and api.headers["Retry-After"]


def test_the_pages_count_only_mails_sent_and_keep_the_entry_at_the_limit(
    database_url: str, app: Flask
) -> None:
    from tests.web.forms import csrf_of

    with _email_limited(database_url, "2 per hour") as application:
        make = Factory(application)
        place = make.place(opening_hours="Mo-Su 08:00-22:00")
        room = make.room(place)
        client = application.test_client()
        day = upcoming(6).isoformat()
        form = client.get(f"/aanvragen?ruimte={room}").get_data(as_text=True)
        entry = {
            "csrf_token": csrf_of(form),
            "ruimte": str(room),
            "datum": day,
            "van": "19:00",
            "tot": "21:00",
            "titel": "Breiclub De Steek",
            "zichtbaarheid": "public",
            "weken": "1",
            "naam": "Truus Bakker",
        }
        # Typos are refused on the form and cost nothing of the limit...
        for typo in ("truus@", "truus.example.nl", "truus@@example.nl"):
            refused = client.post("/aanvragen", data={**entry, "email": typo})
            assert refused.status_code == 422
        # ...so two real requests still go through, and the third meets the limit.
        for _ in range(2):
            sent = client.post("/aanvragen", data={**entry, "email": "truus@example.nl"})
            assert sent.status_code == 303
        limited = client.post("/aanvragen", data={**entry, "email": "truus@example.nl"})
        page = limited.get_data(as_text=True)
        assert limited.status_code == 429 and limited.headers["Retry-After"]
        assert "Wacht 60 minuten" in page or "Wacht 59 minuten" in page
        assert 'value="Breiclub De Steek"' in page and 'value="Truus Bakker"' in page


def test_feedback_and_complaints_share_one_budget_and_the_page_keeps_the_comment(
    database_url: str, app: Flask
) -> None:
    """Security 3.5 and web 4.3: the API and the pages count together; over the limit the
    page answers in its own words with the face and the comment kept."""
    import re
    import time

    from booking.web.spam_guard import form_stamp
    from tests.web.forms import csrf_of

    application = make_test_app(
        database_url, FEEDBACK_RATE_LIMIT="3 per hour", RATELIMIT_KEY_PREFIX=secrets.token_hex(4)
    )
    try:
        make = Factory(application)
        place = make.place(
            name="Huiskamer", slug="huiskamer", monitoring={"attendance": "off", "feedback": True}
        )
        client = application.test_client()
        assert client.post(f"/api/v1/places/{place}/feedback", json={"score": 5}).status_code == 201
        complaint = {"kind": "suggestion", "text": "Meer stoelen"}
        assert client.post(f"/api/v1/places/{place}/complaints", json=complaint).status_code == 201
        page = client.get("/plekken/huiskamer/hoe-was-het").get_data(as_text=True)
        with application.test_request_context():
            stamp = form_stamp(time.time() - 5)
        answer = {"csrf_token": csrf_of(page), "score": "2", "opmerking": "Te koud", "t": stamp}
        assert client.post("/plekken/huiskamer/hoe-was-het", data=answer).status_code == 200
        # The fourth, on the page: the same budget is spent.
        with application.test_request_context():
            answer["t"] = form_stamp(time.time() - 5)
        limited = client.post("/plekken/huiskamer/hoe-was-het", data=answer)
        text = limited.get_data(as_text=True)
        assert limited.status_code == 429 and limited.headers["Retry-After"]
        assert "Er kwamen net veel reacties van dit netwerk" in text
        assert "Je hebt vaak om een link gevraagd" not in text
        assert re.search(r">\s*Te koud</textarea>", text)
        api = client.post(f"/api/v1/places/{place}/complaints", json=complaint)
        assert api.status_code == 429
    finally:
        discard_app(application)


def test_mailed_links_have_one_budget_across_the_forms_and_the_api(
    database_url: str, app: Flask
) -> None:
    """Web 4, item 14: the request form, the sign-in form and the API's sign-in code count
    together, per client and per address, as docs/web.md says."""
    from tests.web.forms import csrf_of

    with _email_limited(database_url, "2 per hour") as application:
        make = Factory(application)
        place = make.place(opening_hours="Mo-Su 08:00-22:00")
        room = make.room(place)
        client = application.test_client()
        form = client.get(f"/aanvragen?ruimte={room}").get_data(as_text=True)
        asked = client.post(
            "/aanvragen",
            data={
                "csrf_token": csrf_of(form),
                "ruimte": str(room),
                "datum": upcoming(6).isoformat(),
                "van": "19:00",
                "tot": "21:00",
                "titel": "Koor",
                "zichtbaarheid": "public",
                "weken": "1",
                "naam": "Truus",
                "email": "truus@example.nl",
            },
        )
        assert asked.status_code == 303
        page = client.get("/inloggen").get_data(as_text=True)
        signed = client.post(
            "/inloggen", data={"csrf_token": csrf_of(page), "email": "truus@example.nl"}
        )
        assert signed.status_code == 303
        api = client.post("/api/v1/auth/email-link", json={"email": "truus@example.nl"})
        assert api.status_code == 429 and api.headers["Retry-After"]
