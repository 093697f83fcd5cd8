"""What the pages say when a rule says no: one short text per rule code, in plain words with
the next step, Dutch or English as the page is. The API's `detail` is for developers and is
English; a page never shows it (tests/web/test_rule_texts.py walks every code)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from booking.errors import DomainError

TEXTS: dict[str, Any] = {
    # Booking rules (booking/services/booking/booking_rules.py) and their neighbours.
    "outside_opening_hours": _l(
        "The place is closed then. Choose a time within its opening hours."
    ),
    "closed": _l("The place is closed on that day. Choose another day."),
    "not_aligned": _l("Choose a start and end on the room's time grid, such as 19:00 or 19:30."),
    "too_short": _l("This is shorter than the room allows. Choose a longer time."),
    "too_long": _l("This is longer than the room allows. Choose a shorter time."),
    "in_the_past": _l("That time has passed. Choose a time in the future."),
    "too_short_notice": _l("That is too soon. Ask for a time further ahead."),
    "too_far_ahead": _l("That is too far ahead. Ask for a time closer to today."),
    "over_capacity": _l("More people than the room holds. Choose a bigger room."),
    "quota_exceeded": _l("You have as many bookings here as the place allows. Cancel one first."),
    "room_not_bookable": _l("This room cannot be booked. Choose another room."),
    "invalid_range": _l("The end must be after the start. Check the times."),
    "nonexistent_local_time": _l(
        "That time does not exist that day: the clocks change. Choose another time."
    ),
    "wrong_utc_offset": _l("That time does not fit the place's time zone. Choose the time again."),
    "duration_not_allowed": _l("This length is not allowed here. Choose another length."),
    "public_holiday": _l(
        "It is a public holiday then and the place is closed. Choose another day."
    ),
    "booked": _l("Someone booked that time already. Choose another time or room."),
    "booking_conflict": _l("Someone booked that time already. Choose another time or room."),
    "series_conflict": _l(
        "Some dates are taken already. Choose another time, or book only the free dates."
    ),
    "series_too_long": _l(
        "That is too many dates. A series has at most 370 dates within two years."
    ),
    "invalid_rrule": _l("These repeats cannot be read. Choose how often again."),
    "start_not_in_rule": _l("The first date does not fit the repeat. Choose the first date again."),
    "pattern_outside_between": _l("That time is outside the part of the day you chose."),
    "booking_ended": _l("This booking is over already. Nothing can change it now."),
    "booking_expired": _l("This request was not approved before it started. Ask again."),
    "not_active": _l("This booking is not active any more. Nothing can change it now."),
    "invalid_transition": _l(
        "That step is not possible now. Reload the page to see how it stands."
    ),
    "nothing_pending": _l("Nothing waits for a decision any more. Someone decided already."),
    "has_active_bookings": _l(
        "There are still bookings that have not ended. Cancel or move them first."
    ),
    "room_is_part": _l("This room is part of a hall. Change the hall first."),
    "invalid_parts": _l("These parts do not make a hall. Choose the rooms of this place."),
    "other_place": _l("That room belongs to another place. Choose a room of this place."),
    "unknown_room": _l("That room does not exist (any more). Choose another room."),
    "unknown_neighbourhood": _l("That neighbourhood does not exist. Choose one from the list."),
    "unknown_account": _l("That account does not exist. Check the number."),
    "invalid_opening_hours": _l(
        "These opening hours cannot be read. Use the form per day, or an example like Mo-Fr 09:00-17:00."
    ),
    "invalid_policy": _l("These rules cannot be used together. Check the numbers."),
    "range_too_long": _l("That period is too long. Choose at most 62 days."),
    "answer_changed": _l("The free times changed in the meantime. Search again."),
    "not_your_booking": _l("You can link only your own bookings. Ask the booker to link theirs."),
    "answer_required": _l("Write the answer first: the sender reads it in the mail."),
    "complaint_handled": _l("This complaint is handled already. Nothing more to do."),
    "invalid_complaint": _l("Write what it is about, in at most 4000 characters."),
    "feedback_off": _l("This place does not ask for feedback. Tell the hosts in person."),
    "invalid_feedback": _l("Choose one of the five faces. A comment has at most 1000 characters."),
    "invalid_attendance": _l("Give the number of people, and not more first-timers than people."),
    "activity_not_ended": _l("The activity has not ended yet. Fill in the number afterwards."),
    "no_places": _l("There are no places here. Choose another neighbourhood."),
    "initiative_ended": _l("This initiative has ended. New bookings cannot be linked to it."),
    "not_linked": _l("Only the initiator, partners and hosts may book for this initiative."),
    "outcome_required": _l("Say how it ended: continued, stopped or moved."),
    "not_the_initiator": _l("Only the initiator may change this initiative."),
    "not_invited": _l("You were not invited as a partner of this initiative."),
    "handover_required": _l("Others depend on you. Hand over your places and initiatives first."),
    "slug_taken": _l("That web address is taken already. Choose another name."),
    "email_taken": _l("There is an account with this e-mail address already. Sign in instead."),
    "invalid_code": _l(
        "This code does not work: it is wrong, used already, or older than 30 minutes. Ask for a new one."
    ),
    "some_dates_taken": _l(
        "Some dates cannot be booked; see the list. Tick the box to ask for the free dates only."
    ),
    "link_not_valid": _l("This link does not work (any more). Ask for a new one."),
    "gone": _l("This is no longer here."),
    # Sign-ups for activities.
    "signups_need_public": _l("Only a public activity takes sign-ups."),
    "capacity_below_signups": _l("More places are taken than that. Choose a higher number."),
    "signups_closed": _l("Signing up for this activity is closed."),
    "signups_full": _l("This activity is full."),
    "already_signed_up": _l("You are signed up for this activity already."),
    "party_too_large": _l("That is more people than the activity has places for."),
    "signup_cancelled": _l("This sign-up was cancelled already."),
    "signup_not_confirmed": _l("Only someone with a confirmed place can be checked in."),
    "checkin_not_open": _l("You can tick off who came once the activity starts."),
    "unsupported_media_type": _l("Send this as JSON."),
    "not_an_image": _l("This is not a photo we can read. Choose a JPEG, PNG or WebP file."),
    "image_too_large": _l(
        "This photo has too many pixels. Make it smaller first (at most 40 megapixels)."
    ),
    "too_many_photos": _l("A place has at most 12 photos. Remove one first."),
    "payload_too_large": _l("This file is too large: at most 10 MB."),
    "alt_required": _l("Say what the photo shows, for those who cannot see it."),
    "place_archived": _l("This place no longer takes bookings."),
    "message_delivered": _l("This mail went out already."),
    "message_erased": _l("This mail's address was erased; it cannot go out."),
    "last_host": _l("A place keeps at least one host. Invite someone before you stop."),
    "email_not_verified": _l("Prove your e-mail address first: sign in with a mailed code."),
    "invitation_accepted": _l("This invitation was accepted already."),
    "invitation_withdrawn": _l("This invitation was withdrawn."),
    "invitation_expired": _l("This invitation has expired. Ask for a new one."),
    "activity_cancelled": _l("This activity was cancelled."),
    "activity_private": _l("This activity is no longer public."),
    "changed_meanwhile": _l("Someone changed this at the same moment. Load the page again."),
    "link_used": _l("You used this link already: your request is made. See it on My Wijkruimte."),
    "link_expired": _l("This link has expired: it works for 24 hours. Ask for the time again."),
    "request_in_progress": _l(
        "This request is being handled already. Wait a moment and reload the page."
    ),
    # Access, tokens and the shared machinery.
    "unauthorized": _l("Sign in first."),
    "account_blocked": _l("This account is blocked. Ask the organisation why."),
    "own_account": _l("You cannot do this to your own account."),
    "invalid_token": _l("Sign in first."),
    "token_revoked": _l("Sign in again."),
    "token_expired": _l("Sign in again."),
    "invalid_authorization_header": _l("Sign in first."),
    "forbidden": _l("You may not do this."),
    "insufficient_scope": _l("You may not do this."),
    "admin_required": _l("Only the organisation's administrators may do this."),
    "not_a_host": _l("Only the hosts of this place may do this."),
    "not_involved": _l("Only the booker and the hosts may do this."),
    "not_token_ancestor": _l("You may not end that key."),
    "scope_not_allowed": _l("You may not give that right."),
    "expiry_after_parent": _l("Choose an end date no later than your own key's."),
    "expiry_in_past": _l("Choose an end date in the future."),
    "too_many_tokens": _l("You have too many keys. End one first."),
    "too_many_feed_tokens": _l("You have too many calendar links. End one first."),
    "too_many_webhooks": _l("You have too many webhooks. End one first."),
    "invalid_webhook_url": _l("Give a web address that starts with https://."),
    "private_webhook_url": _l("That web address cannot be reached from the internet."),
    "idempotency_key_reused": _l("This was sent before with other details. Start again."),
    "invalid_idempotency_key": _l("This was sent in a way we cannot read. Start again."),
    "not_found": _l("We cannot find this (any more)."),
    "conflict": _l("Something changed meanwhile. Reload the page and try again."),
    "reference_conflict": _l(
        "Something this depends on changed meanwhile. Reload the page and try again."
    ),
    "validation_error": _l("Something in the form is not right. Check the fields."),
    "bad_request": _l("Something in the form is not right. Check the fields."),
    "body_required": _l("Something in the form is not right. Check the fields."),
    "malformed_json": _l("Something in the form is not right. Check the fields."),
    "invalid_character": _l("A field holds a character that is not allowed. Remove it."),
    "json_too_deep": _l("Something in the form is not right. Check the fields."),
    "number_too_large": _l("A number is too large. Choose a smaller one."),
    "unknown_parameter": _l("This address has something we do not know. Go back and try again."),
    "repeated_parameter": _l("This address has something twice. Go back and try again."),
    "uri_too_long": _l("This address is too long. Go back and choose fewer filters."),
}
FALLBACK = _l("This did not work. Check what you filled in, or try again later.")


def text_of(code: str) -> str:
    """The page text for one rule code."""
    return str(TEXTS.get(code, FALLBACK))


def page_message(error: DomainError) -> str:
    """What a page says for a refusal: the text of every broken rule, or of its code."""
    violations = error.extra.get("violations") or ()
    if violations:
        return " ".join(dict.fromkeys(text_of(str(code)) for code in violations))
    return text_of(error.code)
