"""The users of bench/mixed_load.py: what one neighbourhood's calendars, residents, partners
and bookers ask of the service. Run by mixed_load.py, which writes the data file it names
in BENCH_LOAD_DATA (tokens, rooms, places) and reads locust's CSV back."""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from locust import FastHttpUser, between, constant_pacing, task

DATA: dict[str, Any] = json.loads(Path(os.environ["BENCH_LOAD_DATA"]).read_text())
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIRST = date.fromisoformat(DATA["first_day"])
# Every booking of the run takes a slot of its own, after the loaded month (the warm-up and
# the timed run start from different offsets).
SLOTS = itertools.count(int(os.environ.get("BENCH_SLOT_OFFSET", "0")))
# Users arrive over the first seconds of a run, not in its first instant. Started all at
# once, every user's first request met one queue in front of the four workers: the first
# cancellation of each booker waited there up to a second (the server spent under 60 ms on
# it), which was the p95 of every cancellation in a five-minute run.
ARRIVAL_SECONDS = 10


def arrive() -> None:
    """Wait for this user's moment of arrival."""
    gevent.sleep(random.uniform(0, ARRIVAL_SECONDS))


class FeedPoller(FastHttpUser):
    """A subscribed calendar: polls its place's feed, nearly always answered 304."""

    weight = 12
    wait_time = constant_pacing(2)

    def on_start(self) -> None:
        """A calendar subscribed before the run: it has the feed and its ETag."""
        arrive()
        place = random.choice(DATA["places"])
        self.path = f"/feeds/places/{place}.ics"
        self.etag = DATA["etags"][str(place)]

    @task
    def poll(self) -> None:
        """Ask again with the ETag it has."""
        headers = {"If-None-Match": self.etag} if self.etag else {}
        with self.client.get(
            self.path, headers=headers, name="feed poll", catch_response=True
        ) as answer:
            if answer.status_code == 200:
                self.etag = answer.headers.get("ETag", "")
            elif answer.status_code != 304:
                answer.failure(f"feed answered {answer.status_code}")


class Resident(FastHttpUser):
    """Someone on the pages: the front page and its search, the places."""

    weight = 5
    wait_time = between(2, 6)

    def on_start(self) -> None:
        """Arrive."""
        arrive()

    @task(2)
    def front_page(self) -> None:
        """The front page."""
        self.client.get("/", name="front page")

    @task(3)
    def search(self) -> None:
        """The front page's search for a free slot."""
        day = FIRST + timedelta(days=random.randrange(1, 20))
        part = random.choice(["ochtend", "middag", "avond"])
        self.client.get(f"/?datum={day}&dagdeel={part}&personen=8", name="front-page search")

    @task(3)
    def place_page(self) -> None:
        """A place's page."""
        self.client.get(f"/plekken/{random.choice(DATA['slugs'])}", name="place page")

    @task(1)
    def place_list(self) -> None:
        """Every place."""
        self.client.get("/plekken", name="place list")


class Partner(FastHttpUser):
    """A partner's system on the API: free time of a place, and recurring slots."""

    weight = 2
    wait_time = between(2, 5)

    def on_start(self) -> None:
        """Its read token."""
        arrive()
        self.auth = {"Authorization": f"Bearer {random.choice(DATA['partner_tokens'])}"}

    @task(3)
    def place_availability(self) -> None:
        """Two weeks of one place's free time."""
        place = random.choice(DATA["places"])
        start = FIRST + timedelta(days=random.randrange(0, 14))
        self.client.get(
            f"/api/v1/availability?place={place}&from={start}&to={start + timedelta(days=13)}",
            headers=self.auth,
            name="availability (a place, 14 days)",
        )

    @task(1)
    def rooms_page(self) -> None:
        """A week of every room, one page of 100 rooms."""
        start = FIRST + timedelta(days=random.randrange(0, 20))
        self.client.get(
            f"/api/v1/availability?group=room&page_size=100&page={random.randint(1, 3)}"
            f"&from={start}&to={start + timedelta(days=6)}",
            headers=self.auth,
            name="availability by room (100 rooms, 7 days)",
        )

    @task(2)
    def recurring(self) -> None:
        """A weekly evening slot for twelve weeks, at one place."""
        place = random.choice(DATA["places"])
        day = random.choice(["mo", "tu", "we", "th"])
        self.client.get(
            f"/api/v1/availability/recurring?place={place}&weekdays={day}&start_time=19:00"
            f"&duration=90&from={FIRST}&weeks=12",
            headers=self.auth,
            name="recurring (a place, 12 weeks)",
        )


class Booker(FastHttpUser):
    """Someone who books a room and, later, cancels it."""

    weight = 2
    wait_time = between(10, 30)

    def on_start(self) -> None:
        """Its booking token."""
        arrive()
        self.auth = {"Authorization": f"Bearer {random.choice(DATA['booker_tokens'])}"}

    @task
    def book_and_cancel(self) -> None:
        """Book a free hour, then cancel it."""
        index = next(SLOTS)
        rooms = DATA["rooms"]
        day = FIRST + timedelta(days=35 + index // (len(rooms) * 13))
        start = datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM) + timedelta(
            hours=8 + (index // len(rooms)) % 13
        )
        body = {
            "room_id": rooms[index % len(rooms)],
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "title": f"Belasting {index}",
        }
        with self.client.post(
            "/api/v1/bookings",
            json=body,
            headers=self.auth,
            name="booking create",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"create answered {answer.status_code}: {answer.text[:200]}")
                return
            booking = answer.json()["id"]
        self.client.post(
            f"/api/v1/bookings/{booking}/cancel",
            json={},
            headers=self.auth,
            name="booking cancel",
        )
