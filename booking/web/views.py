"""The pages. Thin: each reads its arguments, asks the services, and renders a template."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    has_request_context,
    render_template,
    request,
)
from markupsafe import Markup

from booking.computed import text_once_per_version
from booking.config import DEFAULT_TIMEZONE
from booking.errors import Gone
from booking.feeds.agenda import (
    MAX_ACTIVITIES,
    activities_of,
    coming_activities,
    coming_closures,
    kept_coming,
)
from booking.feeds.links import subscribe_links
from booking.i18n import LANGUAGE_COOKIE
from booking.labels import group_label
from booking.models import Booking, Place, Room, utcnow
from booking.models.account import LOCALES
from booking.models.initiative import INITIATIVE_STATUSES, RUNNING, TRANSITIONS, TRIAL
from booking.schemas.place import PLACE_KINDS
from booking.services import activity_pages, initiatives, neighbourhoods, places
from booking.services.authorization import Actor
from booking.services.calendar.closures import opening_hours_by_day
from booking.services.privacy.retention import Retention
from booking.services.search.answers import data_version, minute_clock
from booking.services.search.availability import AvailabilityFilter, find_availability
from booking.services.search.summaries import places_with_free_time
from booking.services.signups.quotas import closes_at, counts_of, signups_json
from booking.web.formatting import locale
from booking.web.search import (
    MIN_MINUTES,
    SEARCH_DAYS,
    UNKNOWN_NEIGHBOURHOOD,
    availability_filter,
    read_search,
)

bp = Blueprint("web", __name__, static_folder="static", static_url_path="/assets")

# The front page shows a taste before a search, and more after one.
HOME_PLACES = {False: 6, True: 20}
SLOTS_PER_PLACE = {False: 3, True: 4}
PLACE_DAYS = 14  # the free slots on a place page
PAGE_ACTIVITIES = 20  # the next ones; the calendar feed has them all
SUGGESTIONS = 8
MAX_LIST = 500  # places, neighbourhoods, initiatives on one page: a neighbourhood's scale
ACTIVE = (TRIAL, RUNNING)


def _today() -> date:
    return utcnow().astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()


def _all_neighbourhoods() -> list[Any]:
    return neighbourhoods.all_neighbourhoods(MAX_LIST)


@bp.get("/")
def home() -> str:
    """The front page: one search for a free slot, and what is coming up."""
    now = utcnow()
    search = read_search(request.args)
    known = _all_neighbourhoods()
    chosen = next((n for n in known if n.slug == search.neighbourhood), None)
    if search.neighbourhood and chosen is None:
        search.errors["wijk"] = UNKNOWN_NEIGHBOURHOOD
    today = _today()
    search.check_date(today)
    free_places = None
    if not search.errors:
        filters = availability_filter(search, today, chosen.id if chosen else None)
        # The cards name each place's neighbourhood, whose rename stamps no place.
        names = [(n.id, n.name) for n in known]
        free_places = _free_places(filters, search.asked, names, now)
    return render_template(
        "web/home.html",
        search=search,
        neighbourhoods=known,
        free_places=free_places,
        search_days=SEARCH_DAYS,
        activities=_kept_agenda(now, 7, 8, show_place=True),
        initiatives=initiatives.newest_initiatives(initiatives.InitiativeFilter(status=ACTIVE), 6),
    )


@bp.get("/plekken")
def place_list() -> str:
    """Every place, filterable by neighbourhood, kind, target group and accessibility."""
    args = request.args
    known = _all_neighbourhoods()
    wanted = {
        "neighbourhood": tuple(v[:80] for v in args.getlist("wijk")[:20] if v),
        "kind": tuple(v for v in args.getlist("soort")[:20] if v in PLACE_KINDS),
        "target_group": tuple(v[:40] for v in args.getlist("doelgroep")[:20] if v),
    }
    needs = {
        need: args.get(key) == "1"
        for need, key in (
            ("step_free", "drempelvrij"),
            ("ground_floor", "begane_grond"),
            ("accessible_toilet", "toilet"),
        )
    }
    found, total = places.list_places(
        places.PlaceFilter(
            neighbourhood=wanted["neighbourhood"],
            kind=wanted["kind"],
            target_group=wanted["target_group"],
            # Ticking a box asks for it; leaving it empty does not ask for its absence.
            step_free=needs["step_free"] or None,
            ground_floor=needs["ground_floor"] or None,
            accessible_toilet=needs["accessible_toilet"] or None,
        ),
        1,
        MAX_LIST,
    )
    unknown = set(wanted["neighbourhood"]) - {n.slug for n in known}
    return render_template(
        "web/places.html",
        places=found,
        total=total,
        unknown_neighbourhood=UNKNOWN_NEIGHBOURHOOD if unknown else None,
        neighbourhoods=known,
        kinds=PLACE_KINDS,
        groups=_labelled(places.target_groups()),
        wanted=wanted,
        needs=needs,
    )


@bp.get("/plekken/<string(maxlength=80):slug>")
def place_page(slug: str) -> str:
    """A place: who it is for, when it is open, its rooms, free slots and coming activities."""
    place = places.get_place_by_slug(slug)
    if place.archived_at is not None:
        abort(404)
    now = utcnow()
    today = now.astimezone(place.zone).date()
    _place, week = opening_hours_by_day(place.id, today, today + timedelta(days=6))
    return render_template(
        "web/place.html",
        place=place,
        week=week,
        today=today,
        closed=coming_closures(place, now),
        free_slots=_free_slots(place, today, now),
        place_days=PLACE_DAYS,
        activities=_kept_agenda(
            now, PLACE_DAYS, PAGE_ACTIVITIES, places=(place.id,), public_only=False
        ),
        initiatives=initiatives.list_initiatives(
            initiatives.InitiativeFilter(status=ACTIVE, place=(place.id,)), 1, 20
        )[0],
        feeds=subscribe_links(f"/feeds/places/{place.id}.ics", place.name),
        free_feed=subscribe_links(f"/feeds/availability/places/{place.id}.ics", place.name),
        json_ld=activity_pages.place_json_ld(
            place, f"{current_app.config['PUBLIC_BASE_URL']}{request.path}"
        ),
    )


def _free_places(
    filters: AvailabilityFilter, asked: bool, names: list[tuple[int, str]], now: datetime
) -> Markup:
    """The front page's places with free time, rendered once per search, version of the
    places' data, minute and language: a visit with nothing changed renders nothing."""

    def render() -> str:
        results, total = places_with_free_time(
            filters, SLOTS_PER_PLACE[asked], HOME_PLACES[asked], now
        )
        return render_template(
            "web/home_results.html",
            results=results,
            total=total,
            slots_per_place=SLOTS_PER_PLACE[asked],
            min_minutes=MIN_MINUTES,
        )

    version = [filters, asked, data_version(filters), names, minute_clock(now)[1], locale()]
    return Markup(text_once_per_version("front-places", version, render))  # noqa: S704 - rendered by Jinja


def _kept_agenda(
    now: datetime,
    days: int,
    limit: int,
    places: tuple[int, ...] = (),
    public_only: bool = True,
    show_place: bool = False,
) -> Markup:
    """The coming activities of the places (every place when none are named), rendered
    once per what they show: which activities, their places' data versions, their sign-up
    counts (a sign-up stamps no place) and the language. A visit with nothing changed reads
    the kept list and the counts, and loads and renders nothing."""
    coming = kept_coming(now, days, limit, places, public_only)
    if not coming:
        return Markup("")
    counts = counts_of([c.booking_id for c in coming if c.takes_signups])
    shown = [[c.booking_id, c.stamp] for c in coming]

    def render() -> str:
        items = activities_of(coming, now, counts)
        return render_template("web/agenda.html", items=items, show_place=show_place)

    taken = [[booking_id, c.taken, c.waiting] for booking_id, c in sorted(counts.items())]
    version = [shown, taken, show_place, locale()]
    return Markup(text_once_per_version("agenda", version, render))  # noqa: S704 - rendered by Jinja


def _free_slots(place: Place, today: date, now: datetime) -> Markup:
    """A place page's free slots for PLACE_DAYS, rendered once per version of the place's
    data, the minute and the language: nothing else changes them."""
    filters = AvailabilityFilter(
        from_=today,
        to=today + timedelta(days=PLACE_DAYS - 1),
        place=(place.id,),
        min_duration=MIN_MINUTES,
    )
    clock, minute = minute_clock(now)

    def render() -> str:
        rooms = {room.id: room for room in place.rooms}
        free_by_day: dict[date, list[tuple[Room, Any]]] = {}
        for slot in find_availability(filters, clock):
            free_by_day.setdefault(slot.start.astimezone(place.zone).date(), []).append(
                (rooms[slot.room_id], slot)
            )
        return render_template(
            "web/place_free_slots.html", free_by_day=free_by_day, place_days=PLACE_DAYS
        )

    version = [filters, data_version(filters), minute, locale()]
    return Markup(text_once_per_version("place-free-slots", version, render))  # noqa: S704 - rendered by Jinja


@bp.get("/wijken/<string(maxlength=80):slug>")
def neighbourhood_page(slug: str) -> str:
    """A neighbourhood: its places, its coming public activities, its free-slot feed."""
    neighbourhood = neighbourhoods.get_neighbourhood_by_slug(slug)
    now = utcnow()
    found, _total = places.list_places(
        places.PlaceFilter(neighbourhood=(str(neighbourhood.id),)), 1, MAX_LIST
    )
    return render_template(
        "web/neighbourhood.html",
        neighbourhood=neighbourhood,
        places=found,
        activities=_kept_agenda(
            now, PLACE_DAYS, MAX_ACTIVITIES, places=tuple(p.id for p in found), show_place=True
        )
        if found
        else Markup(""),
        feeds=subscribe_links(f"/feeds/neighbourhoods/{neighbourhood.id}.ics", neighbourhood.name),
        free_feed=subscribe_links(
            f"/feeds/availability/neighbourhoods/{neighbourhood.id}.ics", neighbourhood.name
        ),
    )


@bp.get("/initiatieven")
def initiative_list() -> str:
    """Initiatives, the running and trying ones first."""
    status = request.args.get("status", "")
    chosen = (status,) if status in INITIATIVE_STATUSES else ()
    found, total = initiatives.list_initiatives(
        initiatives.InitiativeFilter(status=chosen), 1, MAX_LIST
    )
    found.sort(key=lambda i: (i.status not in ACTIVE, i.status == "ended"))
    return render_template(
        "web/initiatives.html",
        initiatives=found,
        total=total,
        statuses=INITIATIVE_STATUSES,
        status=status if chosen else "",
    )


@bp.get("/initiatieven/<int:initiative_id>")
def initiative_page(initiative_id: int) -> str:
    """An initiative: status, trial period, partners, places, coming activities; for its
    initiator also the next steps and the weekly slots that fit its needs."""
    from booking.services.booking.linking import linkable
    from booking.services.search.suggestions import suggest, with_later_starts
    from booking.web.forms import LinkForm, TransitionForm
    from booking.web.session import page_actor, signed_in

    initiative = initiatives.get_initiative(initiative_id)
    now = utcnow()
    used = initiatives.activities(Actor.anonymous(), initiative, now)
    account = signed_in()
    mine = account is not None and account.id == initiative.initiator_id
    involved = account is not None and account.id in {
        initiative.initiator_id,
        *initiative.partner_ids,
    }
    can_link = involved and initiative.status != "ended" and account is not None
    return render_template(
        "web/initiative.html",
        initiative=initiative,
        places=used.places,
        activities=coming_activities(
            [Booking.initiative_id == initiative.id, Booking.visibility == "public"],
            now,
            days=56,
            limit=PAGE_ACTIVITIES,
        ),
        feeds=subscribe_links(f"/feeds/initiatives/{initiative.id}.ics", initiative.title),
        mine=mine,
        next_steps=TRANSITIONS[initiative.status] if mine else (),
        transition_form=TransitionForm(),
        suggestions=with_later_starts(suggest(initiative, None, None, now), SUGGESTIONS)
        if mine
        else [],
        linkable=linkable(page_actor(account), initiative, now)  # type: ignore[arg-type]
        if can_link
        else None,
        link_form=LinkForm(),
    )


def _labelled(codes: list[str]) -> list[tuple[str, str]]:
    """Target groups as (code, words in the reader's language), each wording once, by words."""
    seen: dict[str, str] = {}
    for code in codes:
        seen.setdefault(group_label(code), code)
    return sorted(((code, label) for label, code in seen.items()), key=lambda item: item[1])


@bp.get("/activiteiten/<int:booking_id>")
def activity_page(booking_id: int, form: Any = None, status: int = 200) -> Any:
    """A public activity: what, when (the coming dates first), where, how to sign up and how
    to follow it; one cancelled or made private since says so (410)."""
    try:
        page = activity_pages.booking_page(booking_id, utcnow())
    except Gone as gone:
        return render_template("web/gone.html", gone=gone), 410
    return _activity(page, form), status


@bp.get("/activiteiten/reeks/<int:series_id>")
def series_activity_page(series_id: int) -> Any:
    """A public series of activities, with all its coming dates; 410 once it is not."""
    try:
        return _activity(activity_pages.series_page(series_id, utcnow()))
    except Gone as gone:
        return render_template("web/gone.html", gone=gone), 410


def _activity(page: activity_pages.ActivityPage, form: Any = None) -> str:
    from booking.web.forms import SignupForm

    url = f"{current_app.config['PUBLIC_BASE_URL']}{request.path}"
    now = utcnow()
    taking = [item for item in page.coming if item.signup_capacity]
    found = counts_of([item.id for item in taking])  # one query for every date
    places = {item.id: signups_json(item, found[item.id]) for item in taking}
    # The form signs up for the first coming date that still takes sign-ups.
    target = next(
        (
            item
            for item in page.coming
            if item.id in places and now < closes_at(item) and item.start > now
        ),
        None,
    )
    feed = (
        subscribe_links(f"/feeds/initiatives/{page.initiative.id}.ics", page.initiative.title)
        if page.initiative is not None
        else subscribe_links(f"/feeds/places/{page.place.id}.ics", page.place.name)
    )
    return render_template(
        "web/activity.html",
        page=page,
        feeds=feed,
        json_ld=activity_pages.event_json_ld(page, url),
        places=places,
        target=target,
        signup_form=form or SignupForm(formdata=None),
    )


@bp.get("/privacy")
def privacy_page() -> str:
    """What is kept about you, why and for how long, and how to see, take or erase it."""
    config = current_app.config
    return render_template(
        "web/privacy.html",
        org_name=config["ORG_NAME"],
        contact=config["PRIVACY_CONTACT"],
        statement=config["PRIVACY_URL"],
        retention=Retention.from_config(),
    )


@bp.get("/api")
def api_page() -> str:
    """Where the API and its documentation are."""
    return render_template("web/api.html")


@bp.after_request
def remember_language(response: Response) -> Response:
    """A `?lang=` on a page is remembered in a cookie, so the next page keeps the language."""
    wanted = request.args.get("lang", "")
    if wanted in LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            wanted,
            max_age=365 * 24 * 3600,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.app_context_processor
def page_helpers() -> dict[str, Any]:
    """What every page template may use: the language and the link to the other one."""

    def switch_language(code: str) -> str:
        args = {key: value for key, value in request.args.items(multi=True) if key != "lang"}
        return f"{request.path}?{urlencode({**args, 'lang': code})}"

    if not has_request_context():  # a mail rendered by the worker
        return {}
    from booking.services.photos import photo_urls
    from booking.web.session import signed_in

    return {
        "locale": locale(),
        "photo_urls": photo_urls,
        "switch_language": switch_language,
        "current_account": signed_in() if request.blueprint == "web" else None,
    }
