"""Playwright journeys in Debian's chromium against pytest-django's live server.

The browser is started once per session; each test gets a fresh context (cookies, storage) and a
page that records console errors, uncaught exceptions and CSP violations, so a journey can assert
that the strict Content-Security-Policy held. Screenshots go to `test-artifacts/` at the repo root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM calls
# from it ("You cannot call this from an async context"). The tests never touch the ORM while the
# loop awaits anything, so the check is safe to switch off here, before Django is used.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    sync_playwright,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Records CSP violations in the page itself: the console message Chromium prints is the usual
# signal, the DOM event is a second one that does not depend on the log format.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_violations(self, page: Page) -> list[str]:
        recorded: list[str] = page.evaluate("window.__cspViolations || []")
        return recorded + [m for m in self.console_errors if "Content Security Policy" in m]


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser: Browser, live_server: Any, problems: PageProblems) -> Iterator[Page]:
    """A page in a fresh context, Vietnamese first, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            source = message.location.get("url") or page.url
            problems.console_errors.append(f"{source}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.page_errors.append(f"{page.url}: {exc}"))
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
