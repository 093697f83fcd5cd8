"""The API introduces itself: `GET /api/v1/` links to everything, and the OpenAPI document's
description is a short "getting started"."""

from __future__ import annotations

from typing import Any

from flask import current_app

from booking.api.base import Blueprint, View

blp = Blueprint("introduction", __name__, url_prefix="/api/v1", description="Start here")

GETTING_STARTED = """\
Rooms, opening hours, bookings and initiatives of neighbourhood meeting places: the same
service the pages use, for partners' own systems.

## Getting a token
- **A person**: `POST /accounts` `{name, email}` answers a token (scopes `read`, `book`) at
  once. Until the address is proven (`email_verified`), the account sees only what its own
  tokens made. A mailed code proves it: `POST /auth/email-link` `{email}`, then
  `POST /auth/email-link/redeem` `{code}` answers a token with the account's entitlements.
- **An organisation** (a school, a welfare organisation): the installation's administrator
  makes the account (`POST /accounts/organisations`) and hands over its first token.
- More tokens: `POST /tokens` `{name, scopes, expires_at?}`; never more than the token that
  makes them. Send them as `Authorization: Bearer <token>`.

## Scopes
`read` (your own data), `book` (book and cancel), `manage` (hosts: their places, rooms,
rules, closures, requests), `admin` (the installation's administrators).

## Limits
Booking writes, sign-ups, feeds and anonymous posts are rate limited per token or address;
a 429 says `Retry-After`. Bodies are JSON (`Content-Type: application/json`), at most
256 KB; other content types are a 415.

## Lists and pages
Lists answer a JSON array; `page` and `page_size` (default 50, at most 100; computed lists
up to 1,000) page them, and the `X-Pagination` header says the totals. The flat
`/availability` list is one answer per version of the data: send its `ETag` as `If-Match`
with the next pages, and a 412 `answer_changed` says the data changed in between.

## Safe retries
`POST /bookings` and `POST /series` take an `Idempotency-Key` header: the same key with the
same body answers the first answer again, so a retry after a timeout books nothing twice.

## Errors
Every error is `application/problem+json` with a stable `code` (`booking_conflict`,
`outside_opening_hours`, ...) and, for 422, `errors` per field.

## Webhooks
`POST /webhooks` `{url, events, place_ids?, initiative_ids?}` subscribes a URL; deliveries
follow the Standard Webhooks specification (`webhook-id`, `webhook-timestamp`,
`webhook-signature`), signed with the secret shown once. `POST /webhooks/{id}/test` sends a
test and answers its delivery.

## Calendars
Every public object with a feed answers `feeds: {ics, webcal, google, outlook}`.
"""


@blp.route("/")
class Introduction(View):
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """Where everything is: the docs, the OpenAPI document and the main collections."""
        base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/") + "/api/v1"
        collections = (
            "places",
            "neighbourhoods",
            "availability",
            "bookings",
            "series",
            "initiatives",
            "reports/usage",
            "reports/impact",
            "webhooks",
        )
        return {
            "name": current_app.config["API_TITLE"],
            "version": current_app.config["API_VERSION"],
            "docs": f"{base}/docs",
            "openapi": f"{base}/openapi.json",
            "getting_started": f"{base}/docs#section/Getting-a-token",
            "collections": {name: f"{base}/{name}" for name in collections},
            "sign_up": f"{base}/accounts",
            "sign_in_by_mail": f"{base}/auth/email-link",
        }
