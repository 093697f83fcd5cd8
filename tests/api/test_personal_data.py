"""A person's data over its life (AVG): see and take it (export), erase it (the account goes,
the figures stay), and no live code readable in the database or an export."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.delivery.recipients import recipients
from booking.extensions import db
from booking.models import Booking, OutboxEvent, utcnow
from booking.transfer import export_all
from tests.booking_helpers import book, local, upcoming
from tests.factories import Caller
from tests.venue import Venue


def _export(client: FlaskClient, caller: Caller) -> dict[str, Any]:
    answer = client.get("/api/v1/accounts/me/export", headers=caller.headers)
    assert answer.status_code == 200, answer.json
    return dict(answer.json)


def _past_booking(venue: Venue, caller: Caller, title: str) -> int:
    """A confirmed booking of last week, written as it would stand now."""

    def write() -> int:
        start = utcnow().replace(microsecond=0) - timedelta(days=7)
        booking = Booking(
            room_id=venue.a,
            place_id=venue.place,
            booked_by_id=caller.id,
            start=start,
            end=start + timedelta(hours=2),
            title=title,
            description="Geheime beschrijving",
            visibility="public",
            status="confirmed",
        )
        db.session.add(booking)
        db.session.commit()
        return booking.id

    return int(venue.make.run(write))


def test_the_export_holds_all_of_yours_and_nothing_of_anyone_else(
    client: FlaskClient, venue: Venue
) -> None:
    mine = book(client, venue.booker, venue.a, upcoming(5), "10:00", "11:00", title="Mijn koor")
    theirs = book(client, venue.stranger, venue.b, upcoming(5), "10:00", "11:00", title="Hun club")
    assert mine.status_code == theirs.status_code == 201
    series = client.post(
        "/api/v1/series",
        json={
            "room_id": venue.small,
            "start": local(upcoming(8), "19:00"),
            "end": local(upcoming(8), "20:00"),
            "rrule": "FREQ=WEEKLY;COUNT=2",
            "title": "Mijn reeks",
        },
        headers=venue.booker.headers,
    )
    assert series.status_code == 201
    client.post(
        "/api/v1/tokens", json={"name": "rooster", "scopes": ["read"]}, headers=venue.booker.headers
    )
    client.post("/api/v1/feed-tokens", json={"name": "Telefoon"}, headers=venue.booker.headers)
    client.post(
        "/api/v1/initiatives", json={"title": "Mijn initiatief"}, headers=venue.booker.headers
    )
    client.post(
        "/api/v1/initiatives", json={"title": "Hun initiatief"}, headers=venue.stranger.headers
    )
    data = _export(client, venue.booker)
    assert data["format"] == "wijkruimte-personal-export" and data["version"] == 1
    assert data["account"]["email"] == venue.booker.email
    titles = {b["title"] for b in data["bookings"]}
    assert titles == {"Mijn koor", "Mijn reeks"}
    assert data["bookings"][0]["history"][0]["action"] == "created"
    assert [s["title"] for s in data["series"]] == ["Mijn reeks"]
    assert {t["name"] for t in data["tokens"]} >= {"rooster"}
    assert [f["name"] for f in data["feed_tokens"]] == ["Telefoon"]
    assert [i["title"] for i in data["initiatives"]] == ["Mijn initiatief"]
    text = json.dumps(data)
    # Nothing of anyone else, and never a secret.
    for other in ("Hun club", "Hun initiatief", venue.stranger.email, venue.host.email):
        assert other not in text
    assert venue.booker.token not in text and "token_hash" not in text and "wk_" not in text
    assert client.get("/api/v1/accounts/me/export").status_code == 401


def test_erasing_an_account_keeps_the_figures_and_nothing_personal(
    client: FlaskClient, venue: Venue, app: Flask
) -> None:
    past = _past_booking(venue, venue.booker, "Verjaardag van Ans")
    coming = book(client, venue.booker, venue.a, upcoming(5), "10:00", "11:00", title="Koor")
    feed = client.post("/api/v1/feed-tokens", json={"name": "Agenda"}, headers=venue.booker.headers)
    report_url = (
        f"/api/v1/reports/usage?from={(utcnow() - timedelta(days=14)).date()}"
        f"&to={(utcnow() - timedelta(days=1)).date()}&place={venue.place}"
    )
    before = client.get(report_url, headers=venue.admin.headers)
    assert before.status_code == 200, before.json
    # A read-only token may not erase.
    reader = client.post(
        "/api/v1/tokens", json={"name": "lezer", "scopes": ["read"]}, headers=venue.booker.headers
    ).json
    refused = client.delete(
        "/api/v1/accounts/me", headers={"Authorization": f"Bearer {reader['token']}"}
    )
    assert refused.status_code == 403
    assert client.delete("/api/v1/accounts/me", headers=venue.booker.headers).status_code == 204
    # Signed out everywhere: tokens 401, the calendar link 404.
    assert client.get("/api/v1/accounts/me", headers=venue.booker.headers).status_code == 401
    assert client.get(feed.json["url"].split("localhost")[-1]).status_code == 404
    # The coming booking is cancelled; the past one stays as anonymous occupancy.
    seen = client.get(f"/api/v1/bookings/{coming.json['id']}", headers=venue.host.headers).json
    assert seen["status"] == "cancelled"

    def told() -> list[str]:
        event = db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "booking.cancelled")
        ).one()
        return [recipient.email for recipient in recipients(event)]

    assert venue.make.run(told) == [venue.host.email]  # the hosts hear, as of any cancellation
    kept = client.get(f"/api/v1/bookings/{past}", headers=venue.host.headers).json
    assert kept["status"] == "confirmed" and kept["title"] == "Verwijderd account"
    assert kept["description"] == "" and kept["booker"] is None and kept["booked_by"] is None
    assert kept["start"] and kept["room_id"] == venue.a
    after = client.get(report_url, headers=venue.admin.headers)
    assert after.json == before.json
    # Nothing links back: the address is gone from the database, and may sign up anew.
    everything = json.dumps(venue.make.run(export_all), ensure_ascii=False)
    assert venue.booker.email not in everything and "Ans" not in everything
    again = client.post("/api/v1/accounts", json={"name": "Ans", "email": venue.booker.email})
    assert again.status_code == 201 and again.json["account"]["id"] != venue.booker.id


def test_a_sole_host_hands_over_first(client: FlaskClient, venue: Venue) -> None:
    refused = client.delete("/api/v1/accounts/me", headers=venue.host.headers)
    assert refused.status_code == 409 and refused.json["code"] == "handover_required"
    assert [p["id"] for p in refused.json["places"]] == [venue.place]
    running = client.post(
        "/api/v1/initiatives", json={"title": "Proef"}, headers=venue.booker.headers
    ).json
    client.post(
        f"/api/v1/initiatives/{running['id']}/transition",
        json={"to": "trial"},
        headers=venue.booker.headers,
    )
    refused = client.delete("/api/v1/accounts/me", headers=venue.booker.headers)
    assert refused.status_code == 409 and [i["id"] for i in refused.json["initiatives"]] == [
        running["id"]
    ]
    # An admin may erase an account too, under the same rule; others may not.
    assert (
        client.delete(
            f"/api/v1/accounts/{venue.stranger.id}", headers=venue.booker.headers
        ).status_code
        == 403
    )
    assert (
        client.delete(
            f"/api/v1/accounts/{venue.stranger.id}", headers=venue.admin.headers
        ).status_code
        == 204
    )
    assert client.get("/api/v1/accounts/me", headers=venue.stranger.headers).status_code == 401
    assert (
        client.delete(
            f"/api/v1/accounts/{venue.stranger.id}", headers=venue.admin.headers
        ).status_code
        == 404
    )
