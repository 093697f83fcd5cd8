"""The pages in a real headless Chromium: accessible (axe-core, WCAG 2.2 AA), usable by
keyboard, readable at 320 px, clickable in Dutch and English; screenshots for people."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from icalendar import Calendar
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.gunicorn import BIN, ROOT, gunicorn
from tests.web.browser import axe_violations, chromium, describe, screenshot, wait_for


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn serving the demo data set from a fresh SQLite database, as `make run` does."""
    folder = tmp_path_factory.mktemp("site")
    env = {
        **os.environ,
        "BOOKING_DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
        "BOOKING_ENV": "development",
    }
    for command in (["db", "upgrade"], ["seed-demo", "--if-empty"]):
        subprocess.run(
            [BIN / "booking", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    with gunicorn(env, workers=2, threads=2) as base:
        yield base


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(
    tmp_path_factory: pytest.TempPathFactory, downloads: Path
) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path_factory.mktemp("profile"), downloads) as driver:
        yield driver


def _json(url: str) -> list[dict[str, object]]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return list(json.load(response))


@pytest.fixture(scope="module")
def pages(site: str) -> dict[str, str]:
    """Every kind of page, by a name for its screenshot."""
    place = _json(f"{site}/api/v1/places?page_size=1")[0]
    neighbourhood = _json(f"{site}/api/v1/neighbourhoods?page_size=1")[0]
    initiative = _json(f"{site}/api/v1/initiatives?page_size=1")[0]
    room = _json(f"{site}/api/v1/places/{place['id']}/rooms")[0]
    activity = next(
        b for b in _json(f"{site}/api/v1/bookings?page_size=100") if b["visibility"] == "public"
    )
    bookings = _json(f"{site}/api/v1/bookings?page_size=100")
    with_signups = next(b for b in bookings if b["visibility"] == "public" and b["signups"])
    return {
        "home": "/",
        "search": "/?dag=tu&dagdeel=evening&personen=10",
        "search-errors": "/?datum=morgen&personen=0",
        "places": "/plekken",
        "place": f"/plekken/{place['slug']}",
        "neighbourhood": f"/wijken/{neighbourhood['slug']}",
        "initiatives": "/initiatieven",
        "initiative": f"/initiatieven/{initiative['id']}",
        "ask": f"/aanvragen?ruimte={room['id']}",
        "api": "/api",
        "privacy": "/privacy",
        "activity": f"/activiteiten/{activity['id']}",
        "activity-signups": f"/activiteiten/{with_signups['id']}",
        "signup-sent": "/aanmelden/verstuurd",
        "not-found": "/bestaat-niet",
    }


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_passes_axe_at_both_widths(
    browser: webdriver.Chrome, site: str, pages: dict[str, str], language: str
) -> None:
    browser.get(f"{site}/?lang={language}")  # remembered from here on
    failures = {}
    for name, path in pages.items():
        for width in (390, 1280):
            browser.get(f"{site}{path}")
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
            screenshot(browser, f"{name}-{language}", width)
            violations = axe_violations(browser)
            if violations:
                failures[f"{name} {width}px"] = violations
    assert not failures, describe([failures])


def test_pages_are_readable_at_320_px(
    browser: webdriver.Chrome, site: str, pages: dict[str, str]
) -> None:
    browser.get(f"{site}/?lang=nl")
    browser.set_window_size(320, 800)
    too_wide = {}
    for name, path in pages.items():
        browser.get(f"{site}{path}")
        width = browser.execute_script("return document.documentElement.scrollWidth")
        if width > 320:
            too_wide[name] = width
    assert not too_wide, too_wide


def _press(browser: webdriver.Chrome, key: str) -> None:
    webdriver.ActionChains(browser).send_keys(key).perform()


def _focused(browser: webdriver.Chrome) -> webdriver.remote.webelement.WebElement:
    return browser.switch_to.active_element


def _tab_to(browser: webdriver.Chrome, test: object, limit: int = 60) -> None:
    for _ in range(limit):
        _press(browser, Keys.TAB)
        if test(_focused(browser)):  # type: ignore[operator]
            return
    raise AssertionError("never reached by Tab")


def test_search_and_ask_with_the_keyboard_only(browser: webdriver.Chrome, site: str) -> None:
    browser.set_window_size(1280, 900)
    browser.get(f"{site}/?lang=nl")
    # The first Tab reaches the skip link, which moves focus to the content.
    _press(browser, Keys.TAB)
    skip = _focused(browser)
    assert skip.get_attribute("class") == "skip" and skip.is_displayed()
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", skip)
    assert outline != "none"  # the focus is visible
    _press(browser, Keys.ENTER)
    assert browser.current_url.endswith("#inhoud")
    _tab_to(browser, lambda e: e.get_attribute("id") == "dag")
    _press(browser, "d")  # the first weekday starting with d: dinsdag
    _tab_to(browser, lambda e: e.get_attribute("id") == "dagdeel")
    _press(browser, "a")  # avond
    _tab_to(browser, lambda e: e.get_attribute("id") == "personen")
    _press(browser, "8")
    _tab_to(browser, lambda e: e.tag_name == "button")
    _press(browser, Keys.ENTER)
    wait_for(lambda: "dag=tu" in browser.current_url)
    assert "dagdeel=evening" in browser.current_url and "personen=8" in browser.current_url
    _tab_to(browser, lambda e: (e.get_attribute("href") or "").find("/aanvragen?") > 0, 200)
    _press(browser, Keys.ENTER)
    wait_for(lambda: "/aanvragen" in browser.current_url)
    assert "Tijd aanvragen bij" in browser.find_element(By.TAG_NAME, "h1").text


def test_click_through_in_dutch_and_english(
    browser: webdriver.Chrome, site: str, downloads: Path
) -> None:
    browser.set_window_size(390, 900)
    browser.get(f"{site}/?lang=nl")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Begin iets in je buurt"
    browser.find_element(By.ID, "dagdeel").send_keys("middag")
    browser.find_element(By.CSS_SELECTOR, "form.search button").click()
    wait_for(lambda: "dagdeel=afternoon" in browser.current_url)
    result = browser.find_element(By.CSS_SELECTOR, "ol.results li.card h3 a")
    name = result.text
    slot = browser.find_element(By.CSS_SELECTOR, "ol.results ul.slots .when").text
    assert any(day in slot for day in ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"))
    result.click()
    wait_for(lambda: "/plekken/" in browser.current_url)
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == name)
    assert "Openingstijden deze week" in browser.page_source
    # Download the place's calendar through its subscribe button, and parse it.
    before = set(downloads.iterdir())
    browser.find_element(By.PARTIAL_LINK_TEXT, "Download .ics").click()
    new = wait_for(lambda: [p for p in set(downloads.iterdir()) - before if p.suffix == ".ics"])
    calendar = Calendar.from_ical(new[0].read_bytes())
    assert calendar.get("X-WR-CALNAME") and name in str(calendar.get("X-WR-CALNAME"))
    webcal = browser.find_element(By.PARTIAL_LINK_TEXT, "Abonneer in je agenda-app")
    assert (webcal.get_attribute("href") or "").startswith("webcal://")
    # Switch to English: the same page, and the next page stays English.
    browser.find_element(By.LINK_TEXT, "English").click()
    wait_for(lambda: "lang=en" in browser.current_url)
    wait_for(lambda: "Opening hours this week" in browser.page_source)
    wait_for(lambda: browser.find_element(By.PARTIAL_LINK_TEXT, "Subscribe in your calendar app"))
    browser.find_element(By.LINK_TEXT, "Initiatives").click()
    wait_for(lambda: browser.current_url.endswith("/initiatieven"))
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == "Initiatives")
    browser.find_element(By.LINK_TEXT, "Nederlands").click()
    wait_for(lambda: browser.find_element(By.TAG_NAME, "h1").text == "Initiatieven")
