"""API tokens: hashed at rest, scoped, revocable, expiring."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import String, Text, select

from booking.extensions import db
from booking.models import ApiToken
from booking.services.tokens import hash_token
from tests.factories import Factory


def sign_up(client: FlaskClient, email: str = "ann@example.nl") -> dict:
    response = client.post("/api/v1/accounts", json={"name": "Ann", "email": email})
    assert response.status_code == 201
    return response.json


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_up_returns_a_working_token_with_read_and_book(client: FlaskClient) -> None:
    body = sign_up(client)
    assert body["token"].startswith("wk_") and len(body["token"]) == 46
    assert body["account"] == {
        **{k: body["account"][k] for k in ("id", "created_at", "updated_at")},
        "name": "Ann",
        "email": "ann@example.nl",
        "kind": "person",
        "is_admin": False,
        "email_verified": False,
    }
    me = client.get("/api/v1/accounts/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.json["roles"] == ["person"]
    tokens = client.get("/api/v1/tokens", headers=bearer(body["token"])).json
    assert [t["scopes"] for t in tokens] == [["book", "read"]]
    assert "token" not in tokens[0] and tokens[0]["prefix"] == body["token"][:10]


def test_the_database_never_holds_a_token(client: FlaskClient, make: Factory) -> None:
    raw = sign_up(client)["token"]
    created = client.post(
        "/api/v1/tokens", json={"name": "sync", "scopes": ["read"]}, headers=bearer(raw)
    ).json["token"]

    def every_text_value() -> list[str]:
        values = []
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in db.session.execute(select(*columns)) if columns else []:
                values.extend(str(v) for v in row if v is not None)
        return values

    stored = make.run(every_text_value)
    for secret in (raw, created):
        assert not any(secret in value for value in stored)
        assert hash_token(secret) in stored


def test_email_is_unique_regardless_of_case(client: FlaskClient) -> None:
    sign_up(client, "Ann@Example.nl")
    response = client.post("/api/v1/accounts", json={"name": "Ann", "email": "ANN@example.NL"})
    assert response.status_code == 409 and response.json["code"] == "email_taken"


def test_revoked_token_is_refused(client: FlaskClient) -> None:
    raw = sign_up(client)["token"]
    extra = client.post(
        "/api/v1/tokens", json={"name": "t", "scopes": ["read"]}, headers=bearer(raw)
    )
    token_id, token = extra.json["id"], extra.json["token"]
    assert client.get("/api/v1/accounts/me", headers=bearer(token)).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(raw)).status_code == 204
    response = client.get("/api/v1/accounts/me", headers=bearer(token))
    assert response.status_code == 401 and response.json["code"] == "token_revoked"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(raw)).status_code == 404


def test_expired_token_is_refused(client: FlaskClient, make: Factory) -> None:
    raw = sign_up(client)["token"]
    soon = datetime.now(UTC) + timedelta(hours=1)
    token = client.post(
        "/api/v1/tokens",
        json={"name": "short", "scopes": ["read"], "expires_at": soon.isoformat()},
        headers=bearer(raw),
    ).json
    assert client.get("/api/v1/accounts/me", headers=bearer(token["token"])).status_code == 200

    def expire() -> None:
        row = db.session.get(ApiToken, token["id"])
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()

    make.run(expire)
    response = client.get("/api/v1/accounts/me", headers=bearer(token["token"]))
    assert response.status_code == 401 and response.json["code"] == "token_expired"


def test_expiry_in_the_past_or_naive_is_refused(client: FlaskClient) -> None:
    raw = sign_up(client)["token"]
    for value in ["2026-01-01T10:00:00", "not a date"]:
        response = client.post(
            "/api/v1/tokens",
            json={"name": "t", "scopes": ["read"], "expires_at": value},
            headers=bearer(raw),
        )
        assert response.status_code == 422 and "expires_at" in response.json["errors"]
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = client.post(
        "/api/v1/tokens",
        json={"name": "t", "scopes": ["read"], "expires_at": past},
        headers=bearer(raw),
    )
    assert response.status_code == 422 and response.json["code"] == "expiry_in_past"


def test_unknown_and_malformed_tokens_are_401(client: FlaskClient) -> None:
    for header in ["Bearer wk_" + "A" * 43, "Bearer nonsense", "Basic abc", "Bearer "]:
        response = client.get("/api/v1/places", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.mimetype == "application/problem+json"


def test_tokens_cannot_exceed_the_account_or_the_caller(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    response = client.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["manage"]}, headers=person.headers
    )
    assert response.status_code == 403 and response.json["code"] == "scope_not_allowed"
    reader = make.account(scopes=["read"])
    response = client.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["read"]}, headers=reader.headers
    )
    assert response.status_code == 403 and response.json["code"] == "insufficient_scope"
    admin = make.account(admin=True, scopes=["read", "book", "manage"])
    response = client.post(
        "/api/v1/tokens", json={"name": "x", "scopes": ["admin"]}, headers=admin.headers
    )
    assert response.status_code == 403 and response.json["code"] == "scope_not_allowed"


def test_someone_elses_token_cannot_be_revoked(client: FlaskClient, make: Factory) -> None:
    ann, bob = make.account(), make.account()
    bob_tokens = client.get("/api/v1/tokens", headers=bob.headers).json
    response = client.delete(f"/api/v1/tokens/{bob_tokens[0]['id']}", headers=ann.headers)
    assert response.status_code == 404
    assert client.get("/api/v1/accounts/me", headers=bob.headers).status_code == 200


def test_last_used_is_recorded(client: FlaskClient, make: Factory) -> None:
    person = make.account()
    client.get("/api/v1/accounts/me", headers=person.headers)
    used = make.run(
        lambda: db.session.scalar(
            select(ApiToken.last_used_at).where(ApiToken.account_id == person.id)
        )
    )
    assert used is not None and datetime.now(UTC) - used < timedelta(minutes=1)
