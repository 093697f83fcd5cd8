"""Sign-ups for activities (DESIGN §15, issue 34, the first part): settings on a public
booking with public counts, signing up with a token, the waitlist that moves by itself,
the organiser's list and the check-in's start."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.booking_helpers import book, shift_booking, upcoming
from tests.factories import Caller, Factory
from tests.venue import Venue


def _activity(client: FlaskClient, venue: Venue, **signups: Any) -> dict[str, Any]:
    made = book(
        client,
        venue.booker,
        venue.a,
        upcoming(6),
        "19:00",
        "21:00",
        title="Naaiatelier",
        signups={"capacity": 4, **signups},
    )
    assert made.status_code == 201, made.json
    return dict(made.json)


def _sign_up(client: FlaskClient, booking: int, who: Caller, party: int = 1) -> Any:
    return client.post(
        f"/api/v1/bookings/{booking}/signups", json={"party_size": party}, headers=who.headers
    )


def test_an_activity_takes_sign_ups_and_shows_its_counts(client: FlaskClient, venue: Venue) -> None:
    made = _activity(client, venue, closes_minutes_before=60)
    shown = client.get(f"/api/v1/bookings/{made['id']}").json["signups"]
    assert shown["capacity"] == 4 and shown["waitlist"] is True
    assert (shown["taken"], shown["waiting"], shown["places_left"]) == (0, 0, 4)
    assert shown["closes_at"] < made["start"]
    private = book(
        client,
        venue.booker,
        venue.b,
        upcoming(6),
        "19:00",
        "21:00",
        visibility="private",
        signups={"capacity": 4},
    )
    assert private.status_code == 422 and private.json["code"] == "signups_need_public"
    walk_in = book(client, venue.booker, venue.b, upcoming(7), "19:00", "21:00")
    assert walk_in.json["signups"] is None
    hidden = client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"visibility": "private"},
        headers=venue.booker.headers,
    )
    assert hidden.status_code == 422 and hidden.json["code"] == "signups_need_public"


def test_signing_up_fills_the_places_then_the_waitlist_which_moves_by_itself(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    made = _activity(client, venue)
    people = [make.account(name=f"Buur {n}") for n in range(5)]
    first = _sign_up(client, made["id"], people[0], party=3)
    assert first.status_code == 201 and first.json["status"] == "confirmed"
    assert first.json["position"] is None
    # Three places taken: a party of two waits, and a single behind it gets the last chair.
    pair = _sign_up(client, made["id"], people[1], party=2)
    assert pair.json["status"] == "waitlisted" and pair.json["position"] == 1
    single = _sign_up(client, made["id"], people[2])
    assert single.json["status"] == "confirmed"
    later = _sign_up(client, made["id"], people[3])
    assert later.json["status"] == "waitlisted" and later.json["position"] == 2
    again = _sign_up(client, made["id"], people[3])
    assert again.status_code == 409 and again.json["code"] == "already_signed_up"
    big = _sign_up(client, made["id"], people[4], party=5)
    assert big.status_code == 422 and big.json["code"] == "party_too_large"
    counts = client.get(f"/api/v1/bookings/{made['id']}").json["signups"]
    assert (counts["taken"], counts["waiting"], counts["places_left"]) == (4, 2, 0)
    # The party of three leaves: the pair (first in line) and then the single move up.
    gone = client.delete(f"/api/v1/signups/{first.json['id']}", headers=people[0].headers)
    assert gone.status_code == 204
    listed = client.get(f"/api/v1/bookings/{made['id']}/signups", headers=venue.booker.headers)
    assert listed.status_code == 200
    assert all(s["name"].startswith("Buur") and s["email"] for s in listed.json)
    statuses = {s["id"]: s["status"] for s in listed.json}
    assert statuses[pair.json["id"]] == "confirmed" and statuses[later.json["id"]] == "confirmed"
    assert client.get(f"/api/v1/bookings/{made['id']}").json["signups"]["taken"] == 4
    # Others see the counts, never the names.
    stranger = client.get(f"/api/v1/bookings/{made['id']}/signups", headers=venue.stranger.headers)
    assert stranger.status_code == 403
    assert "Buur" not in client.get(f"/api/v1/bookings/{made['id']}").get_data(as_text=True)


def test_capacity_changes_and_closed_or_full_activities(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    made = _activity(client, venue, waitlist=False)
    one, two, three = (make.account(name=f"Buur {n}") for n in range(3))
    assert _sign_up(client, made["id"], one, party=4).json["status"] == "confirmed"
    full = _sign_up(client, made["id"], two)
    assert full.status_code == 409 and full.json["code"] == "signups_full"
    lower = client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"signups": {"capacity": 3}},
        headers=venue.booker.headers,
    )
    assert lower.status_code == 409 and lower.json["code"] == "capacity_below_signups"
    # The waitlist switched on, then the capacity raised: the one waiting moves up at once.
    client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"signups": {"capacity": 4, "waitlist": True}},
        headers=venue.booker.headers,
    )
    assert _sign_up(client, made["id"], two).json["status"] == "waitlisted"
    raised = client.patch(
        f"/api/v1/bookings/{made['id']}",
        json={"signups": {"capacity": 5, "waitlist": True}},
        headers=venue.host.headers,
    )
    assert raised.status_code == 200 and raised.json["signups"]["taken"] == 5
    # A walk-in activity, or a private one, takes none.
    walk_in = book(client, venue.booker, venue.b, upcoming(7), "10:00", "11:00")
    closed = _sign_up(client, walk_in.json["id"], three)
    assert closed.status_code == 409 and closed.json["code"] == "signups_closed"
    private = book(
        client, venue.booker, venue.b, upcoming(8), "10:00", "11:00", visibility="private"
    )
    assert _sign_up(client, private.json["id"], three).status_code == 404
    # Check-in opens at the start.
    mine = client.get("/api/v1/signups?mine=true", headers=one.headers).json
    early = client.patch(
        f"/api/v1/signups/{mine[0]['id']}", json={"checked_in": True}, headers=venue.booker.headers
    )
    assert early.status_code == 409 and early.json["code"] == "checkin_not_open"


def test_sign_ups_in_the_export_erasure_and_retention(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    """Issue 34, item 9: the export carries `signups`; erasure cancels coming sign-ups
    (promoting the waitlist) and keeps no name; the purge forgets who came, not how many."""
    from datetime import timedelta

    from sqlalchemy import select

    from booking.extensions import db
    from booking.models import Signup, utcnow

    made = _activity(client, venue)
    leaving = make.account(name="Zwaantje Kwikstaart")
    waiting = make.account(name="Wachter")
    assert _sign_up(client, made["id"], leaving, party=4).json["status"] == "confirmed"
    assert _sign_up(client, made["id"], waiting).json["status"] == "waitlisted"
    exported = client.get("/api/v1/accounts/me/export", headers=leaving.headers).json
    assert [(s["booking_id"], s["party_size"]) for s in exported["signups"]] == [(made["id"], 4)]
    assert client.delete("/api/v1/accounts/me", headers=leaving.headers).status_code == 204
    listed = client.get(f"/api/v1/bookings/{made['id']}/signups", headers=venue.booker.headers)
    (moved_up,) = listed.json
    assert moved_up["name"].startswith("Wachter") and moved_up["status"] == "confirmed"
    assert "Zwaantje" not in listed.get_data(as_text=True)

    shift_booking(make, made["id"], utcnow() - timedelta(days=40), hours=2)
    runner = venue.make.app.test_cli_runner()
    purged = runner.invoke(args=["privacy", "purge"])
    assert purged.exit_code == 0 and "signup_contacts: 2" in purged.output, purged.output
    kept = make.run(
        lambda: [(s.name, s.email, s.party_size) for s in db.session.scalars(select(Signup))]
    )
    assert sorted(kept) == [("", "", 1), ("", "", 4)]


def test_a_whole_series_sign_up_holds_a_place_on_every_coming_date(
    client: FlaskClient, venue: Venue, make: Factory
) -> None:
    from tests.booking_helpers import book_weekly

    made = book_weekly(
        client,
        venue.booker,
        venue.a,
        upcoming(6),
        "19:00",
        "21:00",
        3,
        title="Taalcafé",
        signups={"capacity": 2, "whole_series": True},
    )
    assert made.status_code == 201, made.json
    dates = sorted(b["id"] for b in made.json["created"])
    assert all(client.get(f"/api/v1/bookings/{d}").json["signups"]["whole_series"] for d in dates)
    person = make.account(name="Elke week")
    signed = _sign_up(client, dates[0], person, party=2)
    assert signed.status_code == 201 and signed.json["whole_series"] is True
    taken = [client.get(f"/api/v1/bookings/{d}").json["signups"]["taken"] for d in dates]
    assert taken == [2, 2, 2]
    # A second person waits on every date; leaving frees every date, and they move up.
    other = make.account(name="Wachtend")
    assert _sign_up(client, dates[0], other).json["status"] == "waitlisted"
    mine = client.get("/api/v1/signups?mine=true", headers=person.headers).json
    assert len(mine) == 3
    assert (
        client.delete(f"/api/v1/signups/{signed.json['id']}", headers=person.headers).status_code
        == 204
    )
    assert client.get("/api/v1/signups?mine=true", headers=person.headers).json == []
    moved_up = client.get("/api/v1/signups?mine=true", headers=other.headers).json
    assert [s["status"] for s in moved_up] == ["confirmed"] * 3
