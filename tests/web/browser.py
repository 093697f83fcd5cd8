"""A real browser for the page tests: Debian's Chromium, headless, driven by Selenium through
Debian's chromedriver, with axe-core (from npm) for the accessibility rules."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
# WCAG 2.0, 2.1 and 2.2, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# This machine's network is closed: without these flags Chromium keeps dialling Google.
QUIET = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


@contextmanager
def chromium(profile: Path, downloads: Path | None = None) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium with an empty profile; closed afterwards."""
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "run `make chromium` (root) first"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (*QUIET, f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(30)
        driver.set_script_timeout(60)
        if downloads is not None:
            driver.execute_cdp_cmd(
                "Browser.setDownloadBehavior",
                {"behavior": "allow", "downloadPath": str(downloads)},
            )
        yield driver
    finally:
        driver.quit()


def axe_violations(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    """The WCAG 2.2 A/AA violations axe-core finds on the loaded page."""
    # WebDriver scripts run outside the page's CSP, which allows no script of its own.
    driver.execute_script(AXE.read_text())
    found = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})
          .then(result => done(result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + n.failureSummary)
          }))))
          .catch(error => done([{id: 'axe-error', nodes: [String(error)]}]));
        """,
        WCAG_TAGS,
    )
    return list(found)


def screenshot(driver: webdriver.Chrome, name: str, width: int) -> Path:
    """The whole page at `width` CSS pixels, as build/screenshots/<name>-<width>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.set_window_size(width, 900)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, min(max(height, 600), 12_000))
    path = SCREENSHOTS / f"{name}-{width}.png"
    driver.save_screenshot(str(path))
    return path


def wait_for(condition: Any, timeout: float = 10.0) -> Any:
    """Poll `condition` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = condition()
        except (StaleElementReferenceException, NoSuchElementException):
            value = None  # the page is still changing
        if value:
            return value
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations, readable in an assertion message."""
    return json.dumps(violations, indent=1, ensure_ascii=False)
