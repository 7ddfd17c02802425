"""Browser test machinery shared by the page tests: a real hub served by uvicorn on 127.0.0.1
with the demo data, Debian's Chromium driven by Playwright, and ``Visit``, one user's tab that
refuses every request off the hub, checks widths, takes screenshots and runs axe-core."""

from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import zxingcpp
from PIL import Image
from playwright.sync_api import (
    APIRequestContext,
    Browser,
    Page,
    Playwright,
    Route,
)
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.demo.service import load_demo
from tansiq.settings import Settings
from tests.clearances.conftest import ROADS
from tests.conftest import NOW, DatabaseFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# SCREENSHOTS=/tmp/shots saves every page at both widths, to look at by hand (never committed).
SHOTS = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else None
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
# Chromium in a container, quiet: no sandbox, no GPU, nothing fetched behind the test's back.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@dataclass(frozen=True)
class Hub:
    """A served hub: its address, and its context and clock for the test to look and move."""

    base: str
    context: HubContext
    clock: FixedClock


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving_hub(databases: DatabaseFactory, name: str, clock: FixedClock) -> Iterator[Hub]:
    """A real hub served by uvicorn on 127.0.0.1 (a free port) with the demo data, reading the
    time from ``clock``; stopped and its engine disposed on leaving."""
    settings = Settings(
        database_url=databases.migrated_url(name),
        secret_key=f"{name}-test-secret-key-0123456789abcdef",
    )
    context = HubContext.from_settings(settings, clock=clock)
    with Session(context.engine) as session:
        load_demo(session, clock)
        session.commit()
    port = _free_port()
    config = uvicorn.Config(
        create_app(context), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    hub = uvicorn.Server(config)
    thread = threading.Thread(target=hub.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not hub.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert hub.started
    try:
        yield Hub(f"http://127.0.0.1:{port}", context, clock)
    finally:
        hub.should_exit = True
        thread.join(timeout=5)
        context.engine.dispose()


@pytest.fixture(scope="module")
def server(databases: DatabaseFactory) -> Iterator[str]:
    with serving_hub(databases, "browser", FixedClock(NOW)) as hub:
        yield hub.base


@pytest.fixture(scope="session")
def browser(chromium: Playwright) -> Iterator[Browser]:
    """One Chromium per test process, shared by every browser test: launching it takes longer
    than most tests. Tests never share a page: each opens its own context (``Visit``), and
    every context a test leaves open is closed after it."""
    launched = chromium.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(autouse=True)
def fresh_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that used the shared Chromium, close whatever contexts it left open, so
    the next test starts with no cookies, storage or service workers of another's."""
    yield
    if "browser" in request.fixturenames:
        shared: Browser = request.getfixturevalue("browser")
        for context in shared.contexts:
            context.close()


def shoot(page: Page, name: str, lang: str, leave_at: str) -> None:
    """At each width: nothing wider than the screen (no sideways scrolling), and a screenshot
    when asked for; then the page is left at the width named ``leave_at``."""
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name} ({lang}) is {wide}px wide at {width}px"
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": SIZES[leave_at][0], "height": SIZES[leave_at][1]})


def read_qr(png: bytes) -> str:
    """The text of the QR code in a screenshot (zxing-cpp, as ``tansiq permit verify --image``
    reads one); empty when there is none."""
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return found[0].text if found else ""


def accessibility(page: Page) -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA violations on ``page``."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found: list[str] = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
    )
    return found


class Visit:
    """One user's browser tab, refusing (and remembering) every request off the hub."""

    def __init__(self, browser: Browser, base: str, lang: str) -> None:
        self.base, self.lang = base, lang
        width, height = SIZES["desktop"]
        self.context = browser.new_context(
            base_url=base, viewport={"width": width, "height": height}
        )
        self.context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": base}])
        self.outside: list[str] = []
        self.console: list[str] = []
        self.context.route("**/*", self._only_the_hub)
        self.page: Page = self.context.new_page()
        self.page.on("console", lambda message: self.console.append(message.text))

    def _only_the_hub(self, route: Route) -> None:
        if route.request.url.startswith(self.base + "/"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def sign_in(self, username: str) -> None:
        self.page.goto("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", "tansiq-demo")
        self.page.click("form[action='/login'] button")
        # Everyone lands on /home, the municipality on its own home (/oversight).
        self.page.wait_for_url(lambda url: url.endswith(("/home", "/oversight")))

    def shoot(self, name: str) -> None:
        """See ``shoot``; the tab is left at desktop width."""
        shoot(self.page, name, self.lang, "desktop")

    def accessibility(self) -> list[str]:
        return accessibility(self.page)

    def look(self, name: str) -> list[str]:
        """``shoot`` the page, then what axe-core finds on it."""
        self.shoot(name)
        return self.accessibility()

    def close(self) -> None:
        assert self.outside == [], self.outside
        assert not [c for c in self.console if "Content Security Policy" in c], self.console
        self.context.close()


def bearer(api: APIRequestContext, username: str) -> dict[str, str]:
    """The Authorization header of a demo user signed in through the API."""
    answer = api.post(
        "/api/v1/auth/tokens", data={"username": username, "password": "tansiq-demo"}
    ).json()
    return {"Authorization": f"Bearer {answer['token']}"}


def submit_application(api: APIRequestContext, reference: str) -> dict[str, Any]:
    """A submitted application of the demo trader's over the bridge road, made through the API."""
    body = {
        "client_reference": reference,
        "vehicle": {"plate": "12 345 AB", "kind": "truck"},
        "driver": {"name_ar": "سمير الحلبي", "name_latin": "Samir al-Halabi", "id_number": "0123"},
        "cargo": [
            {"description": "Wheat flour", "quantity": 400, "unit": "bags", "gross_mass_kg": 20400}
        ],
        "origin": "West Gate depot",
        "destination": "Grain Market, east bank",
        "route": ROADS["bridge-road"],
        "corridor_m": 200,
        "valid_from": (NOW + timedelta(hours=1)).isoformat(),
        "valid_until": (NOW + timedelta(days=3)).isoformat(),
    }
    response = api.post("/api/v1/applications", data=body, headers=bearer(api, "trader"))
    assert response.status == 201, response.text()
    created: dict[str, Any] = response.json()
    return created


def approve_application(api: APIRequestContext, application: dict[str, Any]) -> dict[str, Any]:
    """Every required authority approves ``application`` through the API; the last answer."""
    answer: dict[str, Any] = {}
    for review in application["reviews"]:
        user = "west.reviewer" if review["authority"] == "west-command" else "east.reviewer"
        response = api.post(
            f"/api/v1/reviews/{review['id']}/decision",
            data={"decision": "approve", "expected_version": review["lock_version"]},
            headers=bearer(api, user),
        )
        assert response.status == 200, response.text()
        answer = response.json()
    return answer


def apply_through_api(browser: Browser, base: str, reference: str) -> dict[str, Any]:
    """``submit_application`` from a fresh context of ``browser``'s on the hub at ``base``."""
    context = browser.new_context(base_url=base)
    try:
        return submit_application(context.request, reference)
    finally:
        context.close()


def approve_through_api(browser: Browser, base: str, application: dict[str, Any]) -> None:
    """``approve_application`` from a fresh context of ``browser``'s on the hub at ``base``."""
    context = browser.new_context(base_url=base)
    try:
        approve_application(context.request, application)
    finally:
        context.close()
