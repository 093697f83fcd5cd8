"""Conflicts and alternatives, combinable rooms, buffers, moves, status changes, history."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from booking.extensions import db
from booking.models import Booking, Occupancy, utcnow
from booking.services.authorization import Actor
from booking.services.booking.bookings import create_booking, expire_pending
from tests.booking_helpers import book, local, upcoming
from tests.venue import Venue


def test_conflict_names_the_blocked_time_and_offers_free_alternatives(
    client: FlaskClient, venue: Venue
) -> None:
    day = upcoming(14)
    taken = book(
        client, venue.stranger, venue.a, day, "18:00", "20:00", visibility="private", title="Geheim"
    )
    assert taken.status_code == 201
    response = book(client, venue.booker, venue.a, day, "19:00", "20:00")
    assert response.status_code == 409
    problem = response.json
    assert problem["code"] == "booking_conflict"
    assert problem["conflicts"] == [
        {"start": local(day, "18:00"), "end": local(day, "20:00"), "status": "confirmed"}
    ]
    # Nothing private leaks: no title, no booker, not even which booking it is.
    assert "Geheim" not in response.get_data(as_text=True)
    assert "booked_by" not in response.get_data(as_text=True)
    offers = problem["alternatives"]
    assert 1 <= len(offers) <= 5
    # Nearest earlier and later shifts first, then B (free at the asked time).
    assert offers[0] == {
        "room_id": venue.a,
        "start": local(day, "17:00"),
        "end": local(day, "18:00"),
    }
    assert offers[1] == {
        "room_id": venue.a,
        "start": local(day, "20:00"),
        "end": local(day, "21:00"),
    }
    assert {"room_id": venue.b, "start": local(day, "19:00"), "end": local(day, "20:00")} in offers
    # The hall shares A, so it is never offered; every offer really is free.
    assert all(offer["room_id"] != venue.hall for offer in offers)
    for offer in offers:  # each one on its own (they may overlap each other)
        body = {**offer, "title": "Alternatief"}
        created = client.post("/api/v1/bookings", json=body, headers=venue.booker.headers)
        assert created.status_code == 201, (offer, created.json)
        cancel = f"/api/v1/bookings/{created.json['id']}/cancel"
        assert client.post(cancel, json={}, headers=venue.booker.headers).status_code == 200


def test_alternatives_respect_opening_hours_and_capacity(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    assert (
        book(
            client, venue.stranger, venue.a, day, "08:00", "22:00", title="Heel de dag"
        ).status_code
        == 422
    )
    venue.policy(max_duration_minutes=14 * 60)
    assert book(client, venue.stranger, venue.a, day, "08:00", "22:00").status_code == 201
    response = book(client, venue.booker, venue.a, day, "12:00", "14:00", expected_attendees=10)
    offers = response.json["alternatives"]
    # No shift fits in A; B fits; the small room (capacity 4) does not.
    assert offers == [
        {"room_id": venue.b, "start": local(day, "12:00"), "end": local(day, "14:00")}
    ]


def test_the_hall_occupies_its_parts_and_a_part_blocks_the_hall(
    client: FlaskClient, venue: Venue
) -> None:
    day = upcoming(14)
    assert book(client, venue.booker, venue.hall, day, "10:00", "12:00").status_code == 201
    for part in (venue.a, venue.b):
        response = book(client, venue.booker, part, day, "11:00", "12:00")
        assert response.status_code == 409 and response.json["code"] == "booking_conflict"
    assert book(client, venue.booker, venue.a, day, "14:00", "15:00").status_code == 201
    assert book(client, venue.booker, venue.b, day, "14:00", "15:00").status_code == 201
    blocked = book(client, venue.booker, venue.hall, day, "14:30", "16:00")
    assert blocked.status_code == 409
    rows = venue.make.run(
        lambda: sorted(
            db.session.execute(select(Occupancy.room_id).where(Occupancy.active)).scalars()
        )
    )
    assert rows == sorted([venue.a, venue.b, venue.a, venue.b])


def test_the_buffer_after_a_booking_blocks_both_neighbours(
    client: FlaskClient, venue: Venue
) -> None:
    venue.policy(buffer_minutes=30)
    day = upcoming(14)
    first = book(client, venue.booker, venue.a, day, "12:00", "14:00")
    assert first.status_code == 201
    after = book(client, venue.booker, venue.a, day, "14:15", "15:00")
    assert after.status_code == 409
    # The booker's own booking is named: they may see it anyway.
    assert after.json["conflicts"] == [
        {
            "start": local(day, "12:00"),
            "end": local(day, "14:30"),
            "status": "confirmed",
            "booking_id": first.json["id"],
        }
    ]
    assert book(client, venue.booker, venue.a, day, "14:30", "15:00").status_code == 201
    # A booking before needs its own buffer before the next one starts.
    before = book(client, venue.booker, venue.a, day, "11:00", "11:45")
    assert before.status_code == 409
    assert book(client, venue.booker, venue.a, day, "11:00", "11:30").status_code == 201


def test_touching_bookings_do_not_overlap(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    assert book(client, venue.booker, venue.a, day, "10:00", "11:00").status_code == 201
    assert book(client, venue.booker, venue.a, day, "11:00", "12:00").status_code == 201
    assert book(client, venue.booker, venue.a, day, "09:00", "10:00").status_code == 201


def test_moving_is_checked_like_a_new_booking(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    mine = book(client, venue.booker, venue.a, day, "10:00", "11:00").json
    book(client, venue.stranger, venue.a, day, "12:00", "13:00")
    url = f"/api/v1/bookings/{mine['id']}"
    # Overlapping its own old time is fine.
    moved = client.patch(url, json={"end": local(day, "11:30")}, headers=venue.booker.headers)
    assert moved.status_code == 200 and moved.json["end"] == local(day, "11:30")
    assert moved.json["sequence"] == 1
    clash = client.patch(
        url,
        json={"start": local(day, "12:30"), "end": local(day, "13:30")},
        headers=venue.booker.headers,
    )
    assert clash.status_code == 409 and clash.json["code"] == "booking_conflict"
    late = client.patch(
        url,
        json={"start": local(day, "21:30"), "end": local(day, "22:30")},
        headers=venue.booker.headers,
    )
    assert late.status_code == 422 and late.json["code"] == "outside_opening_hours"
    other_room = client.patch(url, json={"room_id": venue.b}, headers=venue.booker.headers)
    assert other_room.status_code == 200 and other_room.json["room_id"] == venue.b
    # The old slot in A is free again.
    assert book(client, venue.stranger, venue.a, day, "10:00", "11:30").status_code == 201
    elsewhere = venue.make.room(venue.make.place())
    far = client.patch(url, json={"room_id": elsewhere}, headers=venue.booker.headers)
    assert far.status_code == 422 and far.json["code"] == "other_place"
    history = client.get(f"{url}/history", headers=venue.booker.headers).json
    assert [entry["action"] for entry in history] == ["created", "changed", "changed"]
    assert history[1]["changes"]["end"][1].startswith(str(day))


def test_a_moved_request_needs_approval_again(client: FlaskClient, venue: Venue) -> None:
    venue.policy(requires_approval=True)
    day = upcoming(14)
    asked = book(client, venue.booker, venue.a, day, "10:00", "11:00").json
    url = f"/api/v1/bookings/{asked['id']}"
    confirmed = client.post(f"{url}/confirm", json={}, headers=venue.host.headers)
    assert confirmed.json["status"] == "confirmed"
    renamed = client.patch(url, json={"title": "Nieuwe naam"}, headers=venue.booker.headers)
    assert renamed.json["status"] == "confirmed"
    moved = client.patch(url, json={"start": local(day, "09:00")}, headers=venue.booker.headers)
    assert moved.status_code == 200 and moved.json["status"] == "pending"
    by_host = client.patch(url, json={"start": local(day, "08:30")}, headers=venue.host.headers)
    assert by_host.json["status"] == "pending"


def test_status_changes_and_who_may_make_them(client: FlaskClient, venue: Venue) -> None:
    venue.policy(requires_approval=True)
    day = upcoming(14)
    first = book(client, venue.booker, venue.a, day, "10:00", "11:00").json
    url = f"/api/v1/bookings/{first['id']}"
    assert client.post(f"{url}/confirm", json={}, headers=venue.booker.headers).status_code == 403
    # A stranger cannot even see a pending request.
    assert client.post(f"{url}/confirm", json={}, headers=venue.stranger.headers).status_code == 404
    reader_host = venue.make.account(scopes=["read", "book"], hosts=[venue.place])
    assert client.post(f"{url}/confirm", json={}, headers=reader_host.headers).status_code == 404
    declined = client.post(f"{url}/decline", json={"reason": "Vol"}, headers=venue.host.headers)
    assert declined.status_code == 200 and declined.json["status"] == "declined"
    again = client.post(f"{url}/cancel", json={}, headers=venue.booker.headers)
    assert again.status_code == 409 and again.json["code"] == "not_active"
    # The declined slot is free again.
    second = book(client, venue.booker, venue.a, day, "10:00", "11:00").json
    url = f"/api/v1/bookings/{second['id']}"
    confirmed = client.post(f"{url}/confirm", json={}, headers=venue.admin.headers)
    assert confirmed.json["status"] == "confirmed"
    decline = client.post(f"{url}/decline", json={}, headers=venue.host.headers)
    assert decline.status_code == 409 and decline.json["code"] == "invalid_transition"
    cancel = client.post(f"{url}/cancel", json={"reason": "Ziek"}, headers=venue.booker.headers)
    assert cancel.json["status"] == "cancelled" and cancel.json["sequence"] == 2
    history = client.get(f"{url}/history", headers=venue.host.headers).json
    assert [(e["action"], e["from_status"], e["to_status"]) for e in history] == [
        ("created", None, "pending"),
        ("confirmed", "pending", "confirmed"),
        ("cancelled", "confirmed", "cancelled"),
    ]
    assert history[2]["reason"] == "Ziek" and history[2]["actor_id"] == venue.booker.id
    assert history[1]["actor_id"] == venue.admin.id
    long_reason = client.post(
        f"{url}/cancel", json={"reason": "x" * 501}, headers=venue.host.headers
    )
    assert long_reason.status_code == 422


def test_history_is_for_the_involved_only(client: FlaskClient, venue: Venue) -> None:
    booking = book(client, venue.booker, venue.a, upcoming(14), "10:00", "11:00").json
    url = f"/api/v1/bookings/{booking['id']}/history"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=venue.stranger.headers).status_code == 403
    for caller in (venue.booker, venue.host, venue.admin):
        assert client.get(url, headers=caller.headers).status_code == 200


ROLES = ("anonymous", "stranger", "booker", "host", "admin")


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_what_of_a_private_booking(client: FlaskClient, venue: Venue, role: str) -> None:
    venue.policy(requires_approval=True)
    day = upcoming(14)
    private = book(
        client, venue.booker, venue.a, day, "10:00", "11:00", visibility="private", title="Geheim"
    ).json
    pending = book(client, venue.booker, venue.b, day, "10:00", "11:00", title="Aanvraag").json
    client.post(f"/api/v1/bookings/{private['id']}/confirm", json={}, headers=venue.host.headers)
    caller = None if role == "anonymous" else getattr(venue, role)
    headers = caller.headers if caller else {}
    shown = client.get(f"/api/v1/bookings/{private['id']}", headers=headers)
    assert shown.status_code == 200
    involved = role in ("booker", "host", "admin")
    if involved:
        assert shown.json["title"] == "Geheim" and shown.json["booked_by"] == venue.booker.id
        assert shown.json["details_hidden"] is False
    else:
        assert shown.json["title"] is None and shown.json["booked_by"] is None
        assert shown.json["details_hidden"] is True
        assert shown.json["start"] == local(day, "10:00") and shown.json["room_id"] == venue.a
        assert "Geheim" not in shown.get_data(as_text=True)
    request = client.get(f"/api/v1/bookings/{pending['id']}", headers=headers)
    assert request.status_code == (200 if involved else 404)
    listed = client.get(f"/api/v1/bookings?place={venue.place}", headers=headers).json
    titles = {item["title"] for item in listed}
    assert titles == ({"Geheim", "Aanvraag"} if involved else {None})


def test_listing_filters(client: FlaskClient, venue: Venue) -> None:
    day = upcoming(14)
    for hour, room in ((9, venue.a), (10, venue.b), (11, venue.a)):
        book(client, venue.booker, room, day, f"{hour}:00", f"{hour + 1}:00")
    book(client, venue.stranger, venue.a, day + timedelta(days=1), "09:00", "10:00")
    cancelled = book(client, venue.booker, venue.a, day + timedelta(days=2), "09:00", "10:00")
    client.post(
        f"/api/v1/bookings/{cancelled.json['id']}/cancel", json={}, headers=venue.booker.headers
    )

    def ids(query: str, caller: object = venue.booker) -> int:
        headers = getattr(caller, "headers", {})
        response = client.get(f"/api/v1/bookings?{query}", headers=headers)
        assert response.status_code == 200, response.json
        return len(response.json)

    assert ids(f"room={venue.a}") == 4  # includes the stranger's and my cancelled one
    assert ids(f"place={venue.place}&from={day}&to={day}") == 3
    window = urlencode({"from": local(day, "10:00"), "to": local(day, "11:00")})
    assert ids(window) == 1
    assert ids(f"from={local(day, '11:00')}") == 3  # an unencoded '+' is read as meant
    assert ids("mine=true") == 4
    assert ids("status=cancelled") == 1
    assert ids("status=cancelled", caller=None) == 0
    assert ids("status=confirmed&status=pending") == 4
    assert ids("page_size=2") == 2
    assert client.get("/api/v1/bookings?mine=true").status_code == 401
    assert client.get("/api/v1/bookings?status=lost").status_code == 422
    assert client.get("/api/v1/bookings?from=1999-01-01").status_code == 422
    assert client.get("/api/v1/bookings?from=2027-01-01T10:00:00").status_code == 422


def test_a_request_not_confirmed_before_its_start_expires(
    client: FlaskClient, venue: Venue
) -> None:
    venue.policy(requires_approval=True, min_notice_minutes=0)
    start = datetime.fromisoformat(local(upcoming(-1), "10:00"))
    past_now = start - timedelta(days=1)

    def ask() -> int:
        from booking.models import Account

        actor = Actor(db.session.get(Account, venue.booker.id), frozenset({"book"}))
        booking = create_booking(
            actor,
            {"room_id": venue.a, "start": start, "end": start + timedelta(hours=8), "title": "Oud"},
            now=past_now,
        )
        db.session.commit()
        return booking.id

    booking_id = venue.make.run(ask)
    url = f"/api/v1/bookings/{booking_id}"
    assert client.get(url, headers=venue.booker.headers).json["status"] == "expired"
    confirm = client.post(f"{url}/confirm", json={}, headers=venue.host.headers)
    assert confirm.status_code == 409 and confirm.json["code"] == "booking_expired"
    expired = client.get(
        "/api/v1/bookings?status=expired&from=2000-01-01", headers=venue.host.headers
    )
    assert [item["id"] for item in expired.json] == [booking_id]
    # The CLI writes the status down and frees the slot.
    assert venue.make.run(lambda: (expire_pending(utcnow()), db.session.commit())[0]) == 1
    stored = venue.make.run(lambda: db.session.get(Booking, booking_id).status)
    assert stored == "expired"
    active = venue.make.run(
        lambda: db.session.scalar(
            select(Occupancy.active).where(Occupancy.booking_id == booking_id)
        )
    )
    assert active is False
    history = client.get(f"{url}/history", headers=venue.booker.headers).json
    assert history[-1]["action"] == "expired" and history[-1]["actor_id"] is None


def test_the_expire_pending_command(clean_app: object, venue: Venue) -> None:
    runner = clean_app.test_cli_runner()  # type: ignore[attr-defined]
    result = runner.invoke(args=["expire-pending"])
    assert result.exit_code == 0 and "Expired 0 pending booking(s)." in result.output


def test_deleting_rooms_and_places_with_active_bookings_is_refused(
    client: FlaskClient, venue: Venue
) -> None:
    booking = book(client, venue.booker, venue.hall, upcoming(14), "10:00", "11:00").json
    for url, headers in (
        (f"/api/v1/rooms/{venue.hall}", venue.host.headers),
        (f"/api/v1/places/{venue.place}", venue.admin.headers),
    ):
        response = client.delete(url, headers=headers)
        assert response.status_code == 409 and response.json["code"] == "has_active_bookings"
    parts = client.patch(
        f"/api/v1/rooms/{venue.hall}",
        json={"part_ids": [venue.a, venue.small]},
        headers=venue.host.headers,
    )
    assert parts.status_code == 409 and parts.json["code"] == "has_active_bookings"
    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=venue.booker.headers)
    assert (
        client.delete(f"/api/v1/rooms/{venue.hall}", headers=venue.host.headers).status_code == 204
    )
    assert (
        client.delete(f"/api/v1/places/{venue.place}", headers=venue.admin.headers).status_code
        == 204
    )


def test_another_accounts_request_shows_in_a_409_only_as_in_aanvraag(
    client: FlaskClient, venue: Venue
) -> None:
    """A pending request of someone else holds its slot: the 409 gives its span and that it
    waits for approval, nothing else (no title, no id, no booker)."""
    venue.policy(requires_approval=True)
    day = upcoming(14)
    waiting = book(client, venue.stranger, venue.a, day, "10:00", "11:00", title="Verrassingsfeest")
    assert waiting.status_code == 201 and waiting.json["status"] == "pending"
    refused = book(client, venue.booker, venue.a, day, "10:30", "11:30")
    assert refused.status_code == 409
    assert refused.json["conflicts"] == [
        {"start": local(day, "10:00"), "end": local(day, "11:00"), "status": "pending"}
    ]
    text = refused.get_data(as_text=True)
    assert "Verrassingsfeest" not in text and "booked_by" not in text
