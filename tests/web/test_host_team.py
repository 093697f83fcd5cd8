"""Co-hosts (DESIGN §16, issue 35 item 6): a host invites by e-mail; the mailed link signs
the invited person in and makes them host; an account that only claims the address cannot
accept; invitations expire and can be withdrawn; hosts remove hosts but never the last; every
new host, however added, is welcomed by mail."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from booking.extensions import db
from booking.models import HostInvitation, utcnow
from tests.web.conftest import MailingApp
from tests.web.forms import csrf_of, mail_link, mail_text, place_with_host, sign_in


def _hosts(m: MailingApp, place: int, who: object) -> list[str]:
    answer = m.client.get(f"/api/v1/places/{place}/hosts", headers=who.headers)  # type: ignore[attr-defined]
    return sorted(h["email"] for h in answer.json)


def test_an_invited_co_host_accepts_by_the_mailed_link(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = place_with_host(m, requires_approval=False)
    # Someone signed up with the address before its owner was invited (security 3.1).
    squatter = m.client.post("/api/v1/accounts", json={"name": "Kraker", "email": "jan@example.nl"})
    assert squatter.status_code == 201
    squatter_headers = {"Authorization": f"Bearer {squatter.json['token']}"}
    invited = m.client.post(
        f"/api/v1/places/{place}/host-invitations",
        json={"email": "Jan@Example.nl"},
        headers=host.headers,
    )
    assert invited.status_code == 201 and invited.json["status"] == "pending"
    early = m.client.post(
        f"/api/v1/host-invitations/{invited.json['id']}/accept", headers=squatter_headers
    )
    assert early.status_code == 403 and early.json["code"] == "email_not_verified"
    m.deliver()
    (mail,) = [x for x in m.mailbox.to("jan@example.nl") if "De Ster" in x["Subject"]]
    link = mail_link(mail, "/uitnodiging/")
    page = m.client.get(link)
    assert page.status_code == 200 and "Buurthuis De Ster" in page.get_data(as_text=True)
    client = m.app.test_client()
    form = client.get(link).get_data(as_text=True)
    accepted = client.post(link, data={"csrf_token": csrf_of(form), "naam": "Jan Jansen"})
    assert accepted.status_code == 303 and accepted.headers["Location"].endswith("/beheer/de-ster")
    assert client.get("/beheer/de-ster").status_code == 200  # signed in, and a host
    assert "jan@example.nl" in _hosts(m, place, host)
    assert m.client.get(link).status_code == 404  # used
    # The address is proven now: the squatter's token is over.
    assert m.client.get("/api/v1/accounts/me", headers=squatter_headers).status_code == 401
    m.deliver()
    welcome = [x for x in m.mailbox.to("jan@example.nl") if "Welkom" in x["Subject"]]
    assert welcome and "/beheer/de-ster" in mail_text(welcome[0])


def test_withdrawn_and_expired_invitations_and_the_last_host(mailing: MailingApp) -> None:
    m = mailing
    place, _room, host = place_with_host(m, requires_approval=False)
    first = m.client.post(
        f"/api/v1/places/{place}/host-invitations",
        json={"email": "a@example.nl"},
        headers=host.headers,
    ).json
    second = m.client.post(
        f"/api/v1/places/{place}/host-invitations",
        json={"email": "b@example.nl"},
        headers=host.headers,
    ).json
    stranger = m.make.account(name="Vreemde")
    assert (
        m.client.delete(
            f"/api/v1/host-invitations/{first['id']}", headers=stranger.headers
        ).status_code
        == 403
    )
    assert (
        m.client.delete(f"/api/v1/host-invitations/{first['id']}", headers=host.headers).status_code
        == 204
    )

    def expire() -> None:
        db.session.execute(
            update(HostInvitation)
            .where(HostInvitation.id == second["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()

    m.make.run(expire)
    m.deliver()
    for address in ("a@example.nl", "b@example.nl"):
        link = mail_link(m.mailbox.to(address)[-1], "/uitnodiging/")
        assert m.client.get(link).status_code == 404
    listed = m.client.get(f"/api/v1/places/{place}/host-invitations", headers=host.headers).json
    assert {i["email"]: i["status"] for i in listed} == {
        "a@example.nl": "withdrawn",
        "b@example.nl": "expired",
    }
    # The last host cannot leave; with a second one, a host can remove them.
    alone = m.client.delete(f"/api/v1/places/{place}/hosts/{host.id}", headers=host.headers)
    assert alone.status_code == 409 and alone.json["code"] == "last_host"
    admin = m.make.account(name="Coördinator", admin=True)
    other = m.make.account(name="Tweede")
    added = m.client.post(
        f"/api/v1/places/{place}/hosts", json={"account_id": other.id}, headers=admin.headers
    )
    assert added.status_code == 201
    m.deliver()
    assert any("Welkom" in x["Subject"] for x in m.mailbox.to(other.email))
    removed = m.client.delete(f"/api/v1/places/{place}/hosts/{other.id}", headers=host.headers)
    assert removed.status_code == 204
    assert _hosts(m, place, host) == [host.email]


def test_the_co_hosts_page_invites_and_removes(mailing: MailingApp) -> None:
    m = mailing
    _place, _room, host = place_with_host(m, requires_approval=False)
    client = m.app.test_client()
    sign_in(m, client, host.email)
    page = client.get("/beheer/de-ster/gastvrouwen").get_data(as_text=True)
    assert "Stop" not in page or "minstens één" in page
    typo = client.post(
        "/beheer/de-ster/gastvrouwen", data={"csrf_token": csrf_of(page), "email": "geen-adres"}
    )
    assert typo.status_code == 422 and 'value="geen-adres"' in typo.get_data(as_text=True)
    sent = client.post(
        "/beheer/de-ster/gastvrouwen", data={"csrf_token": csrf_of(page), "email": "c@example.nl"}
    )
    assert sent.status_code == 303
    page = client.get("/beheer/de-ster/gastvrouwen").get_data(as_text=True)
    assert "c@example.nl" in page
