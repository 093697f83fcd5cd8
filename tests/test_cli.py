"""The `booking` command: create-admin, seed-demo."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from booking.services.demo import _read_places


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
    places = client.get("/api/v1/places?page_size=100").json
    expected = {row["name"] for row in _read_places()}
    assert {p["name"] for p in places} == expected and len(places) == len(expected)
    assert all(p["is_demo"] and "invented" in p["description"] for p in places)
    neighbourhoods = {n["name"] for n in client.get("/api/v1/neighbourhoods").json}
    assert {"Oude Westen", "Carnisse", "Feijenoord"} <= neighbourhoods
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
