"""The `booking` command: create-admin, seed-demo."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from booking.demo.places import read_places


def test_create_admin_prints_a_working_token_last(clean_app: Flask, client: FlaskClient) -> None:
    result = clean_app.test_cli_runner().invoke(
        args=["create-admin", "--name", "Beheer", "--email", "beheer@example.nl"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    me = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["is_admin"] and "admin" in me.json["roles"]
    again = clean_app.test_cli_runner().invoke(
        args=["create-admin", "--name", "B", "--email", "BEHEER@example.nl"]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_seed_demo_loads_the_real_names_once(clean_app: Flask, client: FlaskClient) -> None:
    runner = clean_app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    second = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "already has places" in second.output
    # Its bookings and invitations mail nobody: the demo's people are invented.
    status = runner.invoke(args=["outbox", "status"]).output
    assert "undispatched_events: 0" in status and "pending: 0" in status
    places = client.get("/api/v1/places?page_size=100").json
    expected = {row["name"] for row in read_places()}
    assert {p["name"] for p in places} == expected and len(places) == len(expected)
    assert all(p["is_demo"] and "verzonnen" in p["description"] for p in places)
    neighbourhoods = {n["name"] for n in client.get("/api/v1/neighbourhoods").json}
    assert {"Oude Westen", "Carnisse", "Feijenoord"} <= neighbourhoods
    # Every place has an address, a contact (that reaches nobody) and a neighbourhood.
    for place in places:
        assert place["address"]["street"] and place["address"]["postcode"], place["name"]
        assert place["contact_email"].endswith("@voorbeeld.example"), place["name"]
        assert place["neighbourhood_id"] is not None, place["name"]
    combined = [
        room
        for place in places
        for room in client.get(f"/api/v1/places/{place['id']}/rooms").json
        if room["part_ids"]
    ]
    assert len(combined) >= 3
    for place in places:
        days = client.get(
            f"/api/v1/places/{place['id']}/opening-hours?from=2027-01-04&to=2027-01-10"
        ).json
        assert any(day["intervals"] for day in days), place["name"]


def test_the_demo_has_initiatives_in_every_state_with_bookings(
    clean_app: Flask, client: FlaskClient
) -> None:
    from datetime import datetime, time

    from sqlalchemy import func, select

    from booking.extensions import db
    from booking.models import Booking
    from tests.booking_helpers import AMSTERDAM, upcoming
    from tests.factories import Factory

    assert clean_app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    initiatives = client.get("/api/v1/initiatives").json
    assert {i["status"] for i in initiatives} == {"idea", "trial", "running", "ended"}
    for item in initiatives:
        detail = client.get(f"/api/v1/initiatives/{item['id']}").json
        if item["status"] == "idea":
            assert detail["upcoming"] == detail["past"] == []
        elif item["status"] == "ended":
            assert detail["past"] and not detail["upcoming"] and detail["outcome"] == "moved"
        else:
            assert detail["upcoming"] and detail["places"]
    running = next(i for i in initiatives if i["status"] == "running")
    assert client.get(f"/api/v1/initiatives/{running['id']}").json["past"]
    idea = next(i for i in initiatives if i["status"] == "idea")
    assert client.get(f"/api/v1/initiatives/{idea['id']}/suggestions").json
    admin = Factory(clean_app).account(admin=True)
    report = client.get(
        f"/api/v1/reports/usage?from={upcoming(-80)}&to={upcoming(80)}", headers=admin.headers
    ).json
    # Every demo booking in this window is a confirmed activity: 25 of the initiatives, the
    # coming weeks' coffee mornings, craft afternoons and private consultations (fewer where
    # a holiday falls on one of their dates), and the monitored places' past weeks.
    since = datetime.combine(upcoming(-80), time(0), tzinfo=AMSTERDAM)
    confirmed = Factory(clean_app).run(
        lambda: db.session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.status == "confirmed", Booking.end > since)
        )
    )
    assert sum(place["activities"] for place in report) == confirmed >= 35
    assert sum(place["initiatives"] for place in report) >= 3
    # A year of monitoring at two places: visitors, feedback and two complaints.
    monitored = [
        p for p in client.get("/api/v1/places?page_size=100").json if p["monitoring"]["feedback"]
    ]
    assert len(monitored) == 2
    impact = client.get(
        f"/api/v1/reports/impact?from={upcoming(-364)}&to={upcoming(0)}&place={monitored[0]['id']}",
        headers=admin.headers,
    ).json
    assert impact["activities"] >= 100 and impact["visitors"] > 1000
    assert 0 < impact["activities_without_attendance"] < impact["activities"] // 4
    assert impact["feedback"]["count"] > 10 and 3 <= impact["feedback"]["average"] <= 5
    assert impact["complaints"] == {"received": 2, "handled": 1, "handled_on_time": 1}
    assert len(impact["by_month"]) >= 12
