"""An address is proven before anything of it is shown (security round 3, item 1).

Anyone can sign up through the API with any address. The squatter below does so with a
resident's address before the resident uses the pages: the account sees nothing matched by
the address until the address is proven, and the proof takes the account away from whoever
made it without owning the address."""

from __future__ import annotations

import re

from tests.booking_helpers import upcoming
from tests.web.conftest import MailingApp
from tests.web.forms import ask_for_slot, csrf_of, mail_link, mail_text, place_with_host

OWNER = "ria@example.nl"


def _squat(m: MailingApp) -> str:
    signed_up = m.client.post("/api/v1/accounts", json={"name": "Kraker", "email": OWNER})
    assert signed_up.status_code == 201
    assert signed_up.json["account"]["email_verified"] is False
    return str(signed_up.json["token"])


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_squatter_sees_nothing_of_the_address_and_loses_the_account_to_its_owner(
    mailing: MailingApp,
) -> None:
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    squatter = _squat(m)
    feed = m.client.post("/api/v1/feed-tokens", json={"name": "x"}, headers=_bearer(squatter))
    assert feed.status_code == 201
    feed_path = re.sub(r"^https?://[^/]+", "", feed.json["url"])
    # The owner asks for a slot on the pages; the mail with the link goes to the owner.
    owner = m.app.test_client()
    ask_for_slot(owner, room, upcoming(days=7).isoformat(), OWNER, titel="Geheime vergadering")
    m.deliver()
    mail = m.mailbox.to(OWNER)[0]
    # Before proof: the export shows no page request and no mail of the address.
    me = m.client.get("/api/v1/accounts/me", headers=_bearer(squatter))
    assert me.status_code == 200 and me.json["email_verified"] is False
    export = m.client.get("/api/v1/accounts/me/export", headers=_bearer(squatter))
    assert export.status_code == 200
    assert export.json["web_requests"] == [] and export.json["mails"] == []
    assert export.json["account"]["email_verified"] is False
    assert "Geheime vergadering" not in export.get_data(as_text=True)
    # The owner confirms: the booking is theirs, the account proven, and signed in.
    confirm = mail_link(mail, "/aanvragen/bevestig/")
    page = owner.get(confirm).get_data(as_text=True)
    placed = owner.post(confirm, data={"csrf_token": csrf_of(page), "rest": "0"})
    assert placed.status_code == 200 and "Je bent nu ingelogd" in placed.get_data(as_text=True)
    assert owner.get("/mijn").status_code == 200
    # The squatter's token, and the private feed it made, ended with the proof.
    assert m.client.get("/api/v1/accounts/me", headers=_bearer(squatter)).status_code == 401
    assert m.client.get(feed_path).status_code == 404
    # The owner, signed in by mail, sees it proven and named as on the form.
    code = _sign_in_code(m, OWNER)
    redeemed = m.client.post("/api/v1/auth/email-link/redeem", json={"code": code})
    assert redeemed.status_code == 201
    mine = m.client.get("/api/v1/accounts/me", headers=_bearer(redeemed.json["token"]))
    assert mine.json["email_verified"] is True and mine.json["name"] == "Anna de Vries"
    export = m.client.get("/api/v1/accounts/me/export", headers=_bearer(redeemed.json["token"]))
    assert [r["title"] for r in export.json["web_requests"]] == ["Geheime vergadering"]
    assert export.json["mails"]
    # A later proof ends nothing: the owner's tokens keep working.
    again = m.client.post("/api/v1/auth/email-link/redeem", json={"code": _sign_in_code(m, OWNER)})
    assert again.status_code == 201
    assert (
        m.client.get("/api/v1/accounts/me", headers=_bearer(redeemed.json["token"])).status_code
        == 200
    )


def test_a_mailed_sign_in_code_proves_the_address_and_ends_the_squatters_tokens(
    mailing: MailingApp,
) -> None:
    m = mailing
    m.app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    squatter = _squat(m)
    minted = m.client.post(
        "/api/v1/tokens", json={"name": "kopie", "scopes": ["read"]}, headers=_bearer(squatter)
    )
    assert minted.status_code == 201
    hook = m.client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:9/x", "events": ["booking.confirmed"]},
        headers=_bearer(squatter),
    )
    assert hook.status_code == 201, hook.json
    redeemed = m.client.post(
        "/api/v1/auth/email-link/redeem", json={"code": _sign_in_code(m, OWNER)}
    )
    assert redeemed.status_code == 201
    assert redeemed.json["account"]["email_verified"] is True
    for token in (squatter, minted.json["token"]):
        assert m.client.get("/api/v1/accounts/me", headers=_bearer(token)).status_code == 401
    owner = _bearer(redeemed.json["token"])
    webhook = m.client.get(f"/api/v1/webhooks/{hook.json['id']}", headers=owner)
    assert webhook.json["enabled"] is False


def test_an_unproven_account_erased_leaves_the_owners_waiting_request(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    squatter = _squat(m)
    owner = m.app.test_client()
    ask_for_slot(owner, room, upcoming(days=7).isoformat(), OWNER)
    assert m.client.delete("/api/v1/accounts/me", headers=_bearer(squatter)).status_code == 204
    m.deliver()
    confirm = mail_link(m.mailbox.to(OWNER)[0], "/aanvragen/bevestig/")
    page = owner.get(confirm)
    assert page.status_code == 200
    placed = owner.post(
        confirm, data={"csrf_token": csrf_of(page.get_data(as_text=True)), "rest": "0"}
    )
    assert placed.status_code == 200 and "Je bent nu ingelogd" in placed.get_data(as_text=True)


def _sign_in_code(m: MailingApp, email: str) -> str:
    before = len(m.mailbox.to(email))
    assert m.client.post("/api/v1/auth/email-link", json={"email": email}).status_code == 202
    m.deliver()
    texts = [mail_text(mail) for mail in m.mailbox.to(email)[before:]]
    codes = {c for text in texts for c in re.findall(r"\b([A-Z0-9]{5}-[A-Z0-9]{5})\b", text)}
    assert len(codes) == 1, texts
    return codes.pop()
