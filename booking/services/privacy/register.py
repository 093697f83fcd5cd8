"""The register of personal data, in code: every column that holds a name, an address or text
people write, by kind. docs/privacy.md gives each its purpose, basis and retention; the tests
fail when a text column is in neither list, so a new one cannot slip in unregistered.

`booking export --without-personal-data` replaces each of these by kind.
"""

from __future__ import annotations

from typing import Any

NAME, EMAIL, TEXT, CONTACT, PAYLOAD = "name", "email", "text", "contact", "payload"

PERSONAL: dict[tuple[str, str], str] = {
    ("accounts", "name"): NAME,
    ("accounts", "email"): EMAIL,
    ("sign_in_codes", "email"): EMAIL,
    ("web_requests", "name"): NAME,
    ("web_requests", "email"): EMAIL,
    ("web_requests", "title"): TEXT,
    ("web_requests", "description"): TEXT,
    ("bookings", "title"): TEXT,
    ("bookings", "description"): TEXT,
    ("series", "title"): TEXT,
    ("booking_events", "reason"): TEXT,
    ("booking_events", "changes"): PAYLOAD,
    ("initiatives", "title"): TEXT,
    ("initiatives", "summary"): TEXT,
    ("initiatives", "description"): TEXT,
    ("initiatives", "lessons"): TEXT,
    ("initiative_transitions", "note"): TEXT,
    ("closures", "reason"): TEXT,
    ("api_tokens", "name"): TEXT,
    ("feed_tokens", "name"): TEXT,
    ("webhook_subscriptions", "description"): TEXT,
    ("outbox_events", "payload"): PAYLOAD,
    ("outbox_messages", "recipient"): EMAIL,
    ("outbox_messages", "last_error"): TEXT,
    ("idempotency_keys", "body"): TEXT,
    ("places", "contact_email"): CONTACT,
    ("complaints", "name"): NAME,
    ("complaints", "email"): EMAIL,
    ("complaints", "text"): TEXT,
    ("complaints", "answer"): TEXT,
    ("feedback", "comment"): TEXT,
    ("attendance", "note"): TEXT,
    ("places", "phone"): CONTACT,
    ("signups", "name"): NAME,
    ("signups", "email"): EMAIL,
    ("signups", "note"): TEXT,
    ("host_invitations", "email"): EMAIL,
    ("bookings", "on_behalf_name"): NAME,
    ("bookings", "on_behalf_email"): EMAIL,
    ("bookings", "on_behalf_phone"): CONTACT,
}

# Text columns that hold nothing personal: kinds, statuses, slugs, hashes, rules, addresses
# of organisations' places and of webhook receivers.
NOT_PERSONAL: frozenset[tuple[str, str]] = frozenset(
    {
        ("accounts", "kind"),
        ("feedback", "form_nonce"),
        ("signups", "status"),
        # A photo's description of a room; the upload page asks for no people without
        # their consent (docs/privacy.md).
        ("place_photos", "alt"),
        ("host_invitations", "token_hash"),
        ("photo_files", "content_type"),
        ("photo_files", "etag"),
        ("signups", "confirm_hash"),
        ("signups", "locale"),
        ("complaints", "form_nonce"),
        ("accounts", "locale"),
        ("neighbourhoods", "slug"),
        ("neighbourhoods", "name"),
        ("neighbourhoods", "city"),
        ("outbox_events", "type"),
        ("sign_in_codes", "code_hash"),
        ("api_tokens", "prefix"),
        ("api_tokens", "token_hash"),
        ("api_tokens", "scopes"),
        ("feed_tokens", "prefix"),
        ("feed_tokens", "token_hash"),
        ("idempotency_keys", "key"),
        ("idempotency_keys", "fingerprint"),
        ("idempotency_keys", "location"),
        ("initiatives", "target_groups"),
        ("initiatives", "needs"),
        ("initiatives", "status"),
        ("initiatives", "outcome"),
        ("places", "slug"),
        ("places", "name"),
        ("places", "kind"),
        ("places", "street"),
        ("places", "postcode"),
        ("places", "city"),
        ("places", "timezone"),
        ("places", "description"),
        ("places", "target_groups"),
        ("places", "house_rules"),
        ("places", "website"),
        ("places", "opening_hours"),
        ("places", "policy"),
        ("webhook_subscriptions", "url"),
        ("webhook_subscriptions", "events"),
        ("webhook_subscriptions", "place_ids"),
        ("webhook_subscriptions", "initiative_ids"),
        ("webhook_subscriptions", "secret_encrypted"),
        ("webhook_subscriptions", "disabled_reason"),
        ("initiative_transitions", "from_status"),
        ("initiative_transitions", "to_status"),
        ("initiative_transitions", "outcome"),
        ("outbox_messages", "channel"),
        ("outbox_messages", "reason"),
        ("outbox_messages", "status"),
        ("rooms", "name"),
        ("rooms", "facilities"),
        ("rooms", "opening_hours"),
        ("rooms", "policy_overrides"),
        ("series", "rrule"),
        ("series", "status"),
        ("web_requests", "visibility"),
        ("web_requests", "locale"),
        ("web_requests", "code_hash"),
        ("bookings", "visibility"),
        ("bookings", "status"),
        ("booking_events", "action"),
        ("booking_events", "from_status"),
        ("booking_events", "to_status"),
        ("places", "monitoring"),
        ("complaints", "kind"),
        ("complaints", "locale"),
        ("complaints", "status"),
    }
)

CONTENTS = (
    "Every table of the installation, history and outbox included. Personal data: names "
    "and e-mail addresses of accounts and of requests made on the pages, titles and texts "
    "people wrote, and mail addresses in the outbox (see docs/privacy.md). Secrets: API "
    "tokens, calendar links and one-time codes only as SHA-256 hashes; webhook secrets and "
    "codes waiting to be mailed sealed with BOOKING_SECRET_KEY."
)
CONTENTS_WITHOUT_PERSONAL_DATA = (
    "Every table of the installation, with every name, e-mail address and text people "
    "wrote replaced by a placeholder, and the outbox's event details emptied: for testing "
    "and for sharing with a supplier. Secrets as in a full export (hashes, sealed values)."
)


def placeholder(kind: str, table: str, row_id: Any, value: Any) -> Any:
    """What stands in for a personal value in an export without personal data."""
    if value is None:
        return None
    if kind == NAME:
        return f"Persoon {row_id}"
    if kind == EMAIL:
        return f"persoon-{table}-{row_id}@example.invalid" if value else ""
    if kind == CONTACT:
        return ""
    if kind == PAYLOAD:
        return {}
    return f"Tekst {row_id}" if value else ""
