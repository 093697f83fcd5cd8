"""Headers every answer carries, CORS for the public reads, and URLs that never come from Host."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import discard_app, make_test_app
from tests.factories import Factory

SITE = "https://buurthuis-oost.example.nl"


@pytest.fixture
def cors_app(database_url: str, app: Flask) -> Iterator[Flask]:
    """The app with one origin allowed to read."""
    application = make_test_app(database_url, CORS_ORIGINS=[SITE])
    yield application
    discard_app(application)


def test_every_answer_says_nosniff_and_no_referrer(client: FlaskClient, make: Factory) -> None:
    place = make.place()
    for url in ("/api/v1/places", "/api/v1/places/999", f"/feeds/places/{place}.ics", "/healthz"):
        response = client.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "no-referrer", url


def test_the_docs_page_has_a_strict_csp(client: FlaskClient) -> None:
    response = client.get("/api/v1/docs")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    script_src = next(part for part in csp.split(";") if "script-src" in part)
    assert "'sha256-" in script_src and "unsafe" not in script_src


def test_cors_lets_a_configured_site_read_public_data(cors_app: Flask) -> None:
    client = cors_app.test_client()
    place = Factory(cors_app).place()
    for url in ("/api/v1/places", f"/feeds/availability/places/{place}.ics"):
        response = client.get(url, headers={"Origin": SITE})
        assert response.headers["Access-Control-Allow-Origin"] == SITE, url
        assert "Access-Control-Allow-Credentials" not in response.headers
    other = client.get("/api/v1/places", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = client.options(
        "/api/v1/places",
        headers={"Origin": SITE, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
    private = client.get("/feeds/private/wkf_nothing.ics", headers={"Origin": SITE})
    assert "Access-Control-Allow-Origin" not in private.headers


def test_no_cors_without_configured_origins(client: FlaskClient) -> None:
    response = client.get("/api/v1/places", headers={"Origin": SITE})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_private_feed_url_never_takes_the_host_header(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    created = client.post(
        "/api/v1/feed-tokens",
        json={"name": "agenda"},
        headers={**person.headers, "Host": "evil.example.com"},
    )
    assert created.status_code == 201
    assert created.json["url"].startswith("http://localhost/feeds/private/")
    assert "evil" not in created.json["url"]


def test_a_request_id_comes_back_or_is_made(client: FlaskClient) -> None:
    given = client.get("/api/v1/places", headers={"X-Request-ID": "proxy-1234.ab"})
    assert given.headers["X-Request-ID"] == "proxy-1234.ab"
    made = client.get("/api/v1/places/999999")  # problems carry one too
    assert made.status_code == 404 and len(made.headers["X-Request-ID"]) == 32
    odd = client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 200})
    assert odd.headers["X-Request-ID"] != "a b\tc" and len(odd.headers["X-Request-ID"]) == 32
    assert made.headers["X-Request-ID"] != odd.headers["X-Request-ID"]
