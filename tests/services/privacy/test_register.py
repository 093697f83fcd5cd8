"""The register of personal data covers every text column, docs/privacy.md describes every
registered field, and an export without personal data holds none of it."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from booking.models import Base
from booking.services.privacy.register import NOT_PERSONAL, PERSONAL
from tests.booking_helpers import book, upcoming
from tests.delivery.conftest import MailingApp
from tests.web.forms import ask_for_slot, place_with_host

ROOT = Path(__file__).resolve().parents[3]
TEXT_TYPES = (sa.String, sa.Text, sa.JSON)


def _text_columns() -> set[tuple[str, str]]:
    return {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, TEXT_TYPES)
    }


def test_every_text_column_is_registered_once() -> None:
    columns = _text_columns()
    assert not PERSONAL.keys() & NOT_PERSONAL
    assert not columns - PERSONAL.keys() - NOT_PERSONAL, "register these in register.py"
    assert not (PERSONAL.keys() | NOT_PERSONAL) - columns, "registered, but not in the model"


def test_the_privacy_document_describes_every_personal_field() -> None:
    document = (ROOT / "docs" / "privacy.md").read_text()
    missing = [f"{t}.{c}" for t, c in PERSONAL if f"`{t}.{c}`" not in document]
    assert not missing


def test_an_export_without_personal_data_holds_none(mailing: MailingApp, tmp_path: Path) -> None:
    m = mailing
    _place_id, room, _host = place_with_host(m, requires_approval=False)
    ans = m.make.account(name="Ans Hoogendijk")
    assert (
        book(m.client, ans, room, upcoming(4), "10:00", "11:00", title="Ans haar feest").status_code
        == 201
    )
    ask_for_slot(m.client, room, upcoming(6).isoformat(), "bram.de.wit@example.nl")
    m.deliver()
    runner = m.app.test_cli_runner()
    full, bare = tmp_path / "full.json", tmp_path / "bare.json"
    assert runner.invoke(args=["export", "--output", str(full)]).exit_code == 0
    done = runner.invoke(args=["export", "--without-personal-data", "--output", str(bare)])
    assert done.exit_code == 0 and "replaced by a placeholder" in done.output
    full_text, bare_text = full.read_text(), bare.read_text()
    personal = (
        "Hoogendijk",
        ans.email,
        "Ans haar feest",
        "bram.de.wit@example.nl",
        "Anna de Vries",
        "Buurtkoor",
    )
    assert all(value in full_text for value in personal)  # the full export has them...
    assert not [value for value in personal if value in bare_text]  # ...this one none
    document = json.loads(bare_text)
    assert document["personal_data"] is False
    assert len(document["tables"]["bookings"]["rows"]) == len(
        json.loads(full_text)["tables"]["bookings"]["rows"]
    )


def test_an_erasure_leaves_no_name_title_or_address_in_any_column(mailing: MailingApp) -> None:
    """Every text and JSON column of every table, walked after an erasure: the history's
    changes, the outbox's events, token names and complaints hold nothing of the person."""
    m = mailing
    place, room, host = place_with_host(m, requires_approval=False)
    person = m.make.account(name="Zwaantje Kwikstaart")
    made = book(
        m.client, person, room, upcoming(4), "10:00", "11:00", title="Verrassingsfeest Opa Kees"
    )
    assert made.status_code == 201
    renamed = m.client.patch(
        f"/api/v1/bookings/{made.json['id']}",
        json={"title": "Feest voor Opa Kees", "description": "Niet verder vertellen"},
        headers=person.headers,
    )
    assert renamed.status_code == 200
    # A host renames it too: the booker's mail keeps the title it had ("Heette eerst").
    by_host = m.client.patch(
        f"/api/v1/bookings/{made.json['id']}",
        json={"title": "Opa Kees (grote zaal)"},
        headers=host.headers,
    )
    assert by_host.status_code == 200
    other = book(m.client, person, room, upcoming(5), "10:00", "11:00", title="Opa Kees jarig")
    cancelled = m.client.post(
        f"/api/v1/bookings/{other.json['id']}/cancel",
        json={"reason": "Opa Kees is ziek"},
        headers=person.headers,
    )
    assert cancelled.status_code == 200
    minted = m.client.post(
        "/api/v1/tokens",
        json={"name": "laptop van Zwaantje", "scopes": ["read"]},
        headers=person.headers,
    )
    assert minted.status_code == 201
    complaint = m.client.post(
        f"/api/v1/places/{place}/complaints",
        json={
            "kind": "complaint",
            "text": "De verwarming is kapot.",
            "name": "Zwaantje Kwikstaart",
            "email": person.email,
        },
    )
    assert complaint.status_code == 201
    exported = m.client.get("/api/v1/accounts/me/export", headers=person.headers).json
    assert [c["text"] for c in exported["complaints"]] == ["De verwarming is kapot."]
    m.deliver()
    assert m.client.delete("/api/v1/accounts/me", headers=person.headers).status_code == 204
    m.deliver()
    personal = ("Zwaantje", "Kwikstaart", person.email, "Opa Kees", "Niet verder", "laptop van")

    def every_text() -> list[tuple[str, str, str]]:
        found = []
        with m.app.app_context():
            from booking.extensions import db

            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if isinstance(c.type, TEXT_TYPES)]
                for row in db.session.execute(sa.select(*columns)) if columns else []:
                    for column, value in zip(columns, row, strict=True):
                        text = json.dumps(value) if not isinstance(value, str) else value
                        found += [
                            (table.name, column.name, word) for word in personal if word in text
                        ]
        return found

    assert every_text() == []
