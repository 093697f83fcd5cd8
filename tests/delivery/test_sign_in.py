"""Sign-in by e-mail: always 202, a one-time code by mail, a token with the account's
entitlements (never admin), and the code gone from the database once mailed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from booking.extensions import db
from booking.models import OutboxEvent, SignInCode
from tests.delivery.conftest import MailingApp
from tests.smtp import Mailbox


def mailed_code(mailbox: Mailbox, address: str) -> str:
    (mail,) = mailbox.to(address)
    body = mail.get_body(("plain",))
    assert body is not None
    found = re.search(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", str(body.get_content()))
    assert found, body.get_content()
    return found.group(1)


def test_unknown_and_known_addresses_get_the_same_answer(mailing: MailingApp) -> None:
    m = mailing
    known = m.make.account()
    answers = []
    for email in (known.email, "nieuw@example.nl"):
        response = m.client.post("/api/v1/auth/email-link", json={"email": email})
        assert response.status_code == 202
        answers.append(response.data)
    assert answers[0] == answers[1]
    m.deliver()
    assert len(m.mailbox.received) == 2
    assert {str(mail["Subject"]) for mail in m.mailbox.received} == {"Je inlogcode voor Wijkruimte"}


def test_a_code_signs_a_new_host_in_with_manage_once(mailing: MailingApp) -> None:
    m = mailing
    place = m.make.place()
    host = m.make.account(hosts=[place], scopes=["read"])
    m.client.post("/api/v1/auth/email-link", json={"email": host.email.upper()})
    m.deliver()
    code = mailed_code(m.mailbox, host.email)
    redeemed = m.client.post("/api/v1/auth/email-link/redeem", json={"code": code.lower()})
    assert redeemed.status_code == 201
    assert redeemed.json["account"]["id"] == host.id
    token = {"Authorization": f"Bearer {redeemed.json['token']}"}
    mine = m.client.get("/api/v1/tokens", headers=token).json
    assert {tuple(t["scopes"]) for t in mine} >= {("book", "manage", "read")}
    patched = m.client.patch(f"/api/v1/places/{place}", json={"description": "x"}, headers=token)
    assert patched.status_code == 200
    again = m.client.post("/api/v1/auth/email-link/redeem", json={"code": code})
    assert again.status_code == 422 and again.json["code"] == "invalid_code"
    # Once mailed, the code is no longer in the outbox.
    payloads = m.make.run(lambda: [e.payload for e in db.session.scalars(select(OutboxEvent))])
    assert all(code not in str(payload) for payload in payloads)


def test_an_admin_never_gets_admin_by_mail(mailing: MailingApp) -> None:
    m = mailing
    admin = m.make.account(admin=True)
    m.client.post("/api/v1/auth/email-link", json={"email": admin.email})
    m.deliver()
    redeemed = m.client.post(
        "/api/v1/auth/email-link/redeem", json={"code": mailed_code(m.mailbox, admin.email)}
    )
    token = {"Authorization": f"Bearer {redeemed.json['token']}"}
    scopes = m.client.get("/api/v1/tokens", headers=token).json[0]["scopes"]
    assert "admin" not in scopes and "manage" in scopes


def test_a_new_address_gets_an_account(mailing: MailingApp) -> None:
    m = mailing
    m.client.post("/api/v1/auth/email-link", json={"email": "fatima@example.nl"})
    m.deliver()
    redeemed = m.client.post(
        "/api/v1/auth/email-link/redeem",
        json={"code": mailed_code(m.mailbox, "fatima@example.nl")},
    )
    assert redeemed.status_code == 201
    assert redeemed.json["account"]["email"] == "fatima@example.nl"


def test_an_old_code_is_refused(mailing: MailingApp) -> None:
    m = mailing
    person = m.make.account()
    m.client.post("/api/v1/auth/email-link", json={"email": person.email})
    m.deliver()
    code = mailed_code(m.mailbox, person.email)

    def age() -> None:
        db.session.execute(
            update(SignInCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        db.session.commit()

    m.make.run(age)
    response = m.client.post("/api/v1/auth/email-link/redeem", json={"code": code})
    assert response.status_code == 422 and response.json["code"] == "invalid_code"


def test_sign_in_is_rate_limited_per_address_and_per_email(database_url: str, app: object) -> None:
    from tests.conftest import discard_app, make_test_app

    limited = make_test_app(database_url, EMAIL_LINK_RATE_LIMIT="2 per minute")
    try:
        client = limited.test_client()
        codes = [
            client.post(
                "/api/v1/auth/email-link",
                json={"email": "zelfde@example.nl"},
                environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
            ).status_code
            for i in range(3)
        ]
        assert codes == [202, 202, 429]  # one address, three clients
        codes = [
            client.post(
                "/api/v1/auth/email-link", json={"email": f"ander{i}@example.nl"}
            ).status_code
            for i in range(3)
        ]
        assert codes == [202, 202, 429]  # one client, three addresses
    finally:
        discard_app(limited)
        discard_app(make_test_app(database_url))
