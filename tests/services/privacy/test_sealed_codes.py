"""No live secret rests readable: a sign-in code and a request link's code, waiting in the
outbox for their mail, appear in no table and no export; once mailed they are gone."""

from __future__ import annotations

import json

from sqlalchemy import select

from booking.extensions import db
from booking.models import Base
from booking.transfer import export_all
from tests.booking_helpers import upcoming
from tests.delivery.conftest import MailingApp
from tests.delivery.test_sign_in import mailed_code
from tests.web.forms import ask_for_slot, mail_link, place_with_host


def _everything(m: MailingApp) -> str:
    """Every row of every table as text, and the export besides."""

    def read() -> str:
        rows = [
            repr(list(row))
            for table in Base.metadata.sorted_tables
            for row in db.session.execute(select(table))
        ]
        return "\n".join(rows) + json.dumps(export_all(), ensure_ascii=False)

    return str(m.make.run(read))


def test_codes_waiting_for_their_mail_are_never_readable(mailing: MailingApp) -> None:
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    assert (
        m.client.post("/api/v1/auth/email-link", json={"email": "ans@example.nl"}).status_code
        == 202
    )
    ask_for_slot(m.client, room, upcoming(6).isoformat(), "bram@example.nl")
    waiting = _everything(m)
    assert "code_sealed" in waiting  # the codes are there, sealed
    m.deliver()
    sign_in = mailed_code(m.mailbox, "ans@example.nl")
    request_link = mail_link(m.mailbox.to("bram@example.nl")[0], "/aanvragen/bevestig/")
    request_code = request_link.rsplit("/", 1)[-1]
    for code in (sign_in, sign_in.replace("-", ""), request_code):
        assert code not in waiting
    mailed = _everything(m)
    for code in (sign_in, sign_in.replace("-", ""), request_code):
        assert code not in mailed
    assert '"code_sealed": null' in mailed or "'code_sealed': None" in mailed
    # The mailed codes still work: sealing changed where they rest, not what they do.
    redeemed = m.client.post("/api/v1/auth/email-link/redeem", json={"code": sign_in})
    assert redeemed.status_code == 201
