"""Partner webhooks against a real HTTP receiver: signed (checked with the standardwebhooks
package), retried with one webhook-id, visible only to those who may see, and never aimed at
private addresses unless allowed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update
from standardwebhooks.webhooks import Webhook

from booking.delivery.webhooks import retry_wait
from booking.extensions import db
from booking.models import WebhookSubscription
from booking.services.booking.policy import DEFAULT_POLICY
from tests.booking_helpers import book, upcoming
from tests.conftest import discard_app, make_test_app
from tests.delivery.conftest import MailingApp
from tests.factories import Caller
from tests.receiver import Receiver, receiver


@pytest.fixture
def hooks(mailing: MailingApp) -> Iterator[tuple[MailingApp, Receiver]]:
    """The mailing app, allowed to call its own receiver on 127.0.0.1."""
    mailing.app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    with receiver() as listening:
        yield mailing, listening


def subscribe(m: MailingApp, caller: Caller, url: str, events: list[str], **more: Any) -> Any:
    response = m.client.post(
        "/api/v1/webhooks", json={"url": url, "events": events, **more}, headers=caller.headers
    )
    assert response.status_code == 201, response.json
    return response.json


def deliveries_of(m: MailingApp, owner: Caller, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    response = m.client.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", headers=owner.headers)
    assert response.status_code == 200
    return list(response.json)


def verified(secret: str, received: Any) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


def test_a_partner_receives_its_own_booking_signed(hooks: tuple[MailingApp, Receiver]) -> None:
    m, hook = hooks
    place = m.make.place(opening_hours="24/7", policy={**DEFAULT_POLICY, "requires_approval": True})
    room = m.make.room(place)
    host = m.make.account(hosts=[place])
    partner = m.make.account(kind="organisation", scopes=["read", "book"])
    made = subscribe(m, partner, hook.url, ["booking.requested", "booking.confirmed"])
    assert made["secret"].startswith("whsec_")
    listed = m.client.get("/api/v1/webhooks", headers=partner.headers).json
    assert "secret" not in listed[0]
    booking = book(m.client, partner, room, upcoming(5), "10:00", "11:00").json
    m.client.post(f"/api/v1/bookings/{booking['id']}/confirm", json={}, headers=host.headers)
    m.deliver()
    first, second = hook.wait_for(2)
    payload = verified(made["secret"], first)
    assert payload["type"] == "booking.requested"
    assert payload["data"]["id"] == booking["id"] and payload["data"]["booker"]["email"]
    assert verified(made["secret"], second)["type"] == "booking.confirmed"
    assert verified(made["secret"], second)["data"]["sequence"] >= 1
    assert first.headers["webhook-id"] != second.headers["webhook-id"]
    forged = {**first.headers, "webhook-signature": "v1,AAAA"}
    with pytest.raises(Exception, match="signature"):
        Webhook(made["secret"]).verify(first.body, forged)
    deliveries = deliveries_of(m, partner, made)
    assert [(d["status"], d["last_status_code"]) for d in deliveries] == [("delivered", 200)] * 2


def test_failures_are_retried_with_the_same_webhook_id(hooks: tuple[MailingApp, Receiver]) -> None:
    m, hook = hooks
    owner = m.make.account()
    made = subscribe(m, owner, hook.url, ["webhook.test"])
    hook.answers = [500, 503]
    tested = m.client.post(f"/api/v1/webhooks/{made['id']}/test", headers=owner.headers)
    # The answer is the delivery it made (web 4, item 12), before the worker has run.
    assert tested.status_code == 202 and tested.json["type"] == "webhook.test"
    assert tested.json["status"] == "pending" and tested.json["attempts"] == 0
    m.deliver()
    (delivery,) = deliveries_of(m, owner, made)
    assert delivery["id"] == tested.json["id"]
    assert delivery["status"] == "pending" and delivery["last_status_code"] == 500
    assert len(delivery["last_error"]) <= 1000  # a 100 KB answer is not kept
    next_at = datetime.fromisoformat(delivery["next_attempt_at"])
    assert timedelta(seconds=20) < next_at - datetime.now(UTC) < timedelta(seconds=40)
    m.make_due()
    m.deliver()
    m.make_due()
    m.deliver()
    received = hook.wait_for(3)
    assert len({r.headers["webhook-id"] for r in received}) == 1
    assert verified(made["secret"], received[-1])["data"] == {
        "subscription_id": made["id"],
        "message": "ping",
    }
    (delivery,) = deliveries_of(m, owner, made)
    assert (delivery["status"], delivery["attempts"]) == ("delivered", 3)


def test_a_slow_receiver_times_out_and_a_delivery_can_be_retried(
    hooks: tuple[MailingApp, Receiver],
) -> None:
    m, hook = hooks
    owner = m.make.account()
    made = subscribe(m, owner, hook.url, ["webhook.test"])
    hook.stall_seconds = 6
    m.client.post(f"/api/v1/webhooks/{made['id']}/test", headers=owner.headers)
    m.deliver()
    (delivery,) = deliveries_of(m, owner, made)
    assert delivery["status"] == "pending" and "timed out" in delivery["last_error"].lower()
    hook.stall_seconds = 0
    retried = m.client.post(
        f"/api/v1/webhooks/{made['id']}/deliveries/{delivery['id']}/retry", headers=owner.headers
    )
    assert retried.status_code == 202
    m.deliver()
    (delivery,) = deliveries_of(m, owner, made)
    assert delivery["status"] == "delivered"


def test_a_partner_never_receives_another_accounts_booking(
    hooks: tuple[MailingApp, Receiver],
) -> None:
    m, hook = hooks
    place = m.make.place(opening_hours="24/7")
    room = m.make.room(place)
    partner = m.make.account(kind="organisation")
    neighbour = m.make.account()
    admin = m.make.account(admin=True)
    subscribe(m, partner, hook.url + "/partner", ["booking.confirmed"])
    subscribe(m, admin, hook.url + "/admin", ["booking.confirmed"])
    filtered = subscribe(
        m, partner, hook.url + "/filtered", ["booking.confirmed"], place_ids=[place]
    )
    theirs = book(m.client, neighbour, room, upcoming(5), "10:00", "11:00", visibility="private")
    own = book(m.client, partner, room, upcoming(5), "12:00", "13:00").json
    m.deliver()
    received = hook.wait_for(4)
    by_path: dict[str, list[int]] = {}
    for request in received:
        by_path.setdefault(request.path, []).append(json.loads(request.body)["data"]["id"])
    assert sorted(by_path["/hooks/wijkruimte/admin"]) == sorted([theirs.json["id"], own["id"]])
    assert by_path["/hooks/wijkruimte/partner"] == [own["id"]]
    assert by_path["/hooks/wijkruimte/filtered"] == [own["id"]]
    assert filtered["place_ids"] == [place]


def test_private_and_loopback_targets_are_refused(mailing: MailingApp) -> None:
    m = mailing
    owner = m.make.account()
    for url in (
        "http://127.0.0.1:9/x",
        "http://10.1.2.3/x",
        "http://[::1]/x",
        "http://169.254.169.254/",
        "http://100.100.100.200/latest/meta-data",
        "http://[2002:7f00:1::1]/x",
        "http://[::ffff:a00:1]/x",
        "http://[64:ff9b::a9fe:a9fe]/x",
    ):
        response = m.client.post(
            "/api/v1/webhooks", json={"url": url, "events": ["webhook.test"]}, headers=owner.headers
        )
        assert response.status_code == 422 and response.json["code"] == "private_webhook_url", url
        # The refusal names the rule, and in development the switch for closed networks.
        assert " is in " in response.json["errors"]["url"][0]
        assert "BOOKING_WEBHOOK_ALLOW_PRIVATE" in response.json["detail"]
    bad = m.client.post(
        "/api/v1/webhooks",
        json={"url": "ftp://example.nl/x", "events": ["webhook.test"]},
        headers=owner.headers,
    )
    assert bad.status_code == 422


def test_production_takes_only_https(database_url: str, app: Flask) -> None:
    production = make_test_app(
        database_url, ENV="production", WEBHOOK_ALLOW_PRIVATE=True, SECRET_KEY="k" * 48
    )
    try:
        from tests.factories import Factory

        owner = Factory(production).account()
        response = production.test_client().post(
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:9/x", "events": ["webhook.test"]},
            headers=owner.headers,
        )
        assert response.status_code == 422 and response.json["code"] == "invalid_webhook_url"
    finally:
        discard_app(production)


def test_a_name_that_now_resolves_privately_is_refused_at_delivery(
    hooks: tuple[MailingApp, Receiver],
) -> None:
    m, hook = hooks
    owner = m.make.account()
    made = subscribe(m, owner, hook.url, ["webhook.test"])
    m.app.config["WEBHOOK_ALLOW_PRIVATE"] = False  # as in production: the check at delivery
    m.client.post(f"/api/v1/webhooks/{made['id']}/test", headers=owner.headers)
    m.deliver()
    (delivery,) = deliveries_of(m, owner, made)
    assert delivery["status"] == "pending" and "private" in delivery["last_error"].lower()
    assert hook.received == []


def test_secrets_are_stored_encrypted_and_can_be_rotated(
    hooks: tuple[MailingApp, Receiver],
) -> None:
    m, hook = hooks
    owner = m.make.account()
    made = subscribe(m, owner, hook.url, ["webhook.test"])
    stored = m.make.run(lambda: db.session.scalar(select(WebhookSubscription.secret_encrypted)))
    assert made["secret"] not in stored and made["secret"][6:] not in stored
    rotated = m.client.patch(
        f"/api/v1/webhooks/{made['id']}", json={"rotate_secret": True}, headers=owner.headers
    ).json
    assert rotated["secret"] != made["secret"]
    m.client.post(f"/api/v1/webhooks/{made['id']}/test", headers=owner.headers)
    m.deliver()
    (received,) = hook.wait_for(1)
    verified(rotated["secret"], received)
    other = m.make.account()
    assert m.client.get(f"/api/v1/webhooks/{made['id']}", headers=other.headers).status_code == 404


def test_three_days_of_failure_disable_a_subscription_and_mail_its_owner(
    hooks: tuple[MailingApp, Receiver],
) -> None:
    m, hook = hooks
    owner = m.make.account()
    made = subscribe(m, owner, hook.url, ["webhook.test"])

    def failing_for_days() -> None:
        db.session.execute(
            update(WebhookSubscription).values(failing_since=datetime.now(UTC) - timedelta(days=3))
        )
        db.session.commit()

    m.make.run(failing_for_days)
    hook.answers = [500]
    m.client.post(f"/api/v1/webhooks/{made['id']}/test", headers=owner.headers)
    m.deliver()
    shown = m.client.get(f"/api/v1/webhooks/{made['id']}", headers=owner.headers).json
    assert shown["enabled"] is False and "three days" in shown["disabled_reason"]
    m.deliver()
    (mail,) = m.mailbox.to(owner.email)
    assert mail["Subject"] == "Je webhook staat uit"


def test_the_retry_schedule() -> None:
    waits = [retry_wait(n) for n in range(1, 8)]
    assert waits[-1] is None
    hours = [w.total_seconds() / 3600 for w in waits[:-1] if w is not None]
    assert 0.007 < hours[0] < 0.01 and 20 < hours[-1] < 27


def test_sign_ups_reach_partners_as_counts_only(hooks: tuple[MailingApp, Receiver]) -> None:
    """Issue 34, item 8: booking.signups_changed carries counts, never names."""
    m, hook = hooks
    place = m.make.place(opening_hours="24/7")
    room = m.make.room(place, capacity=20)
    school = m.make.account(kind="organisation", scopes=["read", "book"])
    made = book(
        m.client,
        school,
        room,
        upcoming(6),
        "10:00",
        "12:00",
        title="Open les",
        signups={"capacity": 3, "waitlist": True},
    )
    assert made.status_code == 201, made.json
    webhook = subscribe(m, school, hook.url, ["booking.signups_changed"])
    resident = m.make.account(name="Zwaantje Kwikstaart")
    signed = m.client.post(
        f"/api/v1/bookings/{made.json['id']}/signups",
        json={"party_size": 2},
        headers=resident.headers,
    )
    assert signed.status_code == 201
    m.deliver()
    (received,) = hook.wait_for(1)
    body = verified(webhook["secret"], received)
    assert body["type"] == "booking.signups_changed"
    assert body["data"] == {"booking_id": made.json["id"], "capacity": 3, "taken": 2, "waiting": 0}
    assert b"Zwaantje" not in received.body and resident.email.encode() not in received.body
