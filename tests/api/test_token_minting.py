"""A minted token never outranks or outlives its parent; entitlements come from an admin."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from booking.extensions import db
from booking.models import ApiToken
from tests.factories import Caller, Factory


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def mint(client: FlaskClient, token: str, **body: Any) -> Any:
    return client.post("/api/v1/tokens", json={"name": "child", **body}, headers=bearer(token))


def me(client: FlaskClient, token: str) -> int:
    return client.get("/api/v1/accounts/me", headers=bearer(token)).status_code


def test_a_child_of_an_expiring_token_inherits_its_expiry(
    client: FlaskClient, make: Factory
) -> None:
    person = make.account()
    soon = datetime.now(UTC) + timedelta(hours=1)
    parent = mint(client, person.token, scopes=["read", "book"], expires_at=soon.isoformat())
    assert parent.status_code == 201
    child = mint(client, parent.json["token"], scopes=["read"])
    assert child.status_code == 201
    assert child.json["parent_id"] == parent.json["id"]
    assert datetime.fromisoformat(child.json["expires_at"]) == datetime.fromisoformat(
        parent.json["expires_at"]
    )
    later = (soon + timedelta(minutes=1)).isoformat()
    refused = mint(client, parent.json["token"], scopes=["read"], expires_at=later)
    assert refused.status_code == 422 and refused.json["code"] == "expiry_after_parent"

    def expire_parent() -> None:
        row = db.session.get(ApiToken, parent.json["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()

    make.run(expire_parent)
    assert me(client, parent.json["token"]) == 401


def test_a_child_stops_working_when_its_parent_expires(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    soon = datetime.now(UTC) + timedelta(seconds=2)
    parent = mint(client, person.token, scopes=["read", "book"], expires_at=soon.isoformat())
    child = mint(client, parent.json["token"], scopes=["read"]).json
    assert me(client, child["token"]) == 200
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.2)
    response = client.get("/api/v1/accounts/me", headers=bearer(child["token"]))
    assert response.status_code == 401 and response.json["code"] == "token_expired"


def test_a_child_cannot_outlive_its_parent_in_time(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    soon = datetime.now(UTC) + timedelta(hours=1)
    parent = mint(client, person.token, scopes=["read", "book"], expires_at=soon.isoformat())
    child = mint(client, parent.json["token"], scopes=["read"]).json

    def stored_expiry() -> datetime | None:
        row = db.session.get(ApiToken, child["id"])
        assert row is not None
        return row.expires_at

    expiry = make.run(stored_expiry)
    assert expiry is not None and expiry <= soon + timedelta(seconds=1)


def test_revoking_a_token_ends_a_chain_of_three(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    first = mint(client, person.token, scopes=["read", "book"]).json
    second = mint(client, first["token"], scopes=["read", "book"]).json
    third = mint(client, second["token"], scopes=["read"]).json
    assert [me(client, t["token"]) for t in (first, second, third)] == [200, 200, 200]
    assert client.delete(f"/api/v1/tokens/{first['id']}", headers=person.headers).status_code == 204
    for token in (first, second, third):
        response = client.get("/api/v1/accounts/me", headers=bearer(token["token"]))
        assert response.status_code == 401 and response.json["code"] == "token_revoked"
    assert me(client, person.token) == 200
    listed = client.get("/api/v1/tokens", headers=person.headers).json
    assert [t["id"] for t in listed] == [next(iter(listed))["id"]]


def test_revoking_a_middle_token_keeps_its_parent(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    first = mint(client, person.token, scopes=["read", "book"]).json
    second = mint(client, first["token"], scopes=["read", "book"]).json
    third = mint(client, second["token"], scopes=["read"]).json
    client.delete(f"/api/v1/tokens/{second['id']}", headers=person.headers)
    assert [me(client, t["token"]) for t in (first, second, third)] == [200, 401, 401]


def test_a_chain_narrows_scopes_and_never_widens_them(client: FlaskClient, make: Factory) -> None:
    host = make.account(hosts=[make.place()])  # read, book, manage
    reader_booker = mint(client, host.token, scopes=["read", "book"])
    assert reader_booker.status_code == 201
    widened = mint(client, reader_booker.json["token"], scopes=["read", "manage"])
    assert widened.status_code == 403 and widened.json["code"] == "scope_not_allowed"
    narrowed = mint(client, reader_booker.json["token"], scopes=["book"])
    assert narrowed.status_code == 201 and narrowed.json["scopes"] == ["book"]
    again = mint(client, narrowed.json["token"], scopes=["read"])
    assert again.status_code == 403 and again.json["code"] == "scope_not_allowed"


def test_a_new_hosts_sign_up_token_cannot_mint_manage(client: FlaskClient, make: Factory) -> None:
    signed_up = client.post("/api/v1/accounts", json={"name": "Ann", "email": "ann@example.nl"})
    raw, account_id = signed_up.json["token"], signed_up.json["account"]["id"]
    admin = make.account(admin=True)
    place = make.place()
    added = client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": account_id}, headers=admin.headers
    )
    assert added.status_code == 201
    refused = mint(client, raw, scopes=["read", "book", "manage"])
    assert refused.status_code == 403 and refused.json["code"] == "scope_not_allowed"
    # An admin hands the new host a manage token instead.
    handed = client.post(
        f"/api/v1/accounts/{account_id}/tokens",
        json={"name": "host", "scopes": ["read", "book", "manage"]},
        headers=admin.headers,
    )
    assert handed.status_code == 201 and handed.json["parent_id"] is None
    patched = client.patch(
        f"/api/v1/places/{place}",
        json={"description": "Ons huis"},
        headers=bearer(handed.json["token"]),
    )
    assert patched.status_code == 200


def test_only_admins_issue_tokens_for_others_within_entitlements(
    client: FlaskClient, make: Factory
) -> None:
    admin, person, other = make.account(admin=True), make.account(), make.account()
    url = f"/api/v1/accounts/{person.id}/tokens"
    body = {"name": "x", "scopes": ["read"]}
    assert client.post(url, json=body).status_code == 401
    refused = client.post(url, json=body, headers=other.headers)
    assert refused.status_code == 403 and refused.json["code"] == "admin_required"
    over = client.post(url, json={"name": "x", "scopes": ["manage"]}, headers=admin.headers)
    assert over.status_code == 403 and over.json["code"] == "scope_not_allowed"
    missing = client.post("/api/v1/accounts/999999/tokens", json=body, headers=admin.headers)
    assert missing.status_code == 404
    issued = client.post(url, json=body, headers=admin.headers)
    assert issued.status_code == 201
    mine = client.get("/api/v1/accounts/me", headers=bearer(issued.json["token"])).json
    assert mine["id"] == person.id


def test_a_revoked_admin_token_does_not_end_handed_over_tokens(
    client: FlaskClient, make: Factory
) -> None:
    admin: Caller = make.account(admin=True)
    person = make.account()
    own = mint(client, admin.token, scopes=["read", "admin"]).json
    handed = client.post(
        f"/api/v1/accounts/{person.id}/tokens",
        json={"name": "x", "scopes": ["read"]},
        headers=bearer(own["token"]),
    ).json
    client.delete(f"/api/v1/tokens/{own['id']}", headers=admin.headers)
    assert me(client, handed["token"]) == 200


def test_a_child_revokes_only_itself_and_its_own_descendants(
    client: FlaskClient, make: Factory
) -> None:
    person = make.account()  # its sign-up token is the root
    reader = mint(client, person.token, scopes=["read"]).json
    booker = mint(client, person.token, scopes=["read", "book"]).json
    grandchild = mint(client, booker["token"], scopes=["read"]).json
    root_id = client.get("/api/v1/tokens", headers=person.headers).json[-1]["id"]
    # A read-only child ends neither the root nor a sibling.
    for target in (root_id, booker["id"]):
        refused = client.delete(f"/api/v1/tokens/{target}", headers=bearer(reader["token"]))
        assert refused.status_code == 403 and refused.json["code"] == "not_token_ancestor"
    # A child that can book is no better placed: only its own line.
    refused = client.delete(f"/api/v1/tokens/{root_id}", headers=bearer(booker["token"]))
    assert refused.status_code == 403
    assert [me(client, t) for t in (person.token, booker["token"], reader["token"])] == [200] * 3
    # Its own descendant, and itself, it may end.
    assert (
        client.delete(
            f"/api/v1/tokens/{grandchild['id']}", headers=bearer(booker["token"])
        ).status_code
        == 204
    )
    assert (
        client.delete(f"/api/v1/tokens/{reader['id']}", headers=bearer(reader["token"])).status_code
        == 204
    )
    assert me(client, reader["token"]) == 401 and me(client, person.token) == 200
    # The root token (sign-up, with book) revokes any token of the account.
    assert (
        client.delete(f"/api/v1/tokens/{booker['id']}", headers=person.headers).status_code == 204
    )
    assert me(client, booker["token"]) == 401


def test_a_read_only_root_cannot_revoke_other_tokens(client: FlaskClient, make: Factory) -> None:
    admin = make.account(admin=True)
    person = make.account()
    handed = client.post(
        f"/api/v1/accounts/{person.id}/tokens",
        json={"name": "overdracht", "scopes": ["read"]},
        headers=admin.headers,
    ).json
    sibling = mint(client, person.token, scopes=["read"]).json
    refused = client.delete(f"/api/v1/tokens/{sibling['id']}", headers=bearer(handed["token"]))
    assert refused.status_code == 403
    assert (
        client.delete(f"/api/v1/tokens/{handed['id']}", headers=bearer(handed["token"])).status_code
        == 204
    )
