"""The journey in a real browser against a real server: a trader's application, two
reviewers deciding through the form, the trader printing the permit; in English and Arabic,
at phone and desktop widths, with nothing fetched from anywhere but the hub itself."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.migrate import upgrade
from tansiq.demo.service import load_demo
from tansiq.settings import Settings
from tansiq.web.app import create_app
from tests.clearances.conftest import ROADS
from tests.conftest import NOW, DatabaseFactory

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# SCREENSHOTS=/tmp/shots saves every page at both widths, to look at by hand (never committed).
SHOTS = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else None
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(databases: DatabaseFactory) -> Iterator[str]:
    settings = Settings(
        database_url=databases.new_url("browser"),
        secret_key="browser-test-secret-key-0123456789abcdef",
    )
    clock = FixedClock(NOW)
    context = HubContext.from_settings(settings, clock=clock)
    upgrade(context.engine)
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
    yield f"http://127.0.0.1:{port}"
    hub.should_exit = True
    thread.join(timeout=5)
    context.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


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
        self.page.wait_for_url("**/home")

    def shoot(self, name: str) -> None:
        """At each width: nothing wider than the screen (no sideways scrolling), and a
        screenshot when asked for."""
        for size, (width, height) in SIZES.items():
            self.page.set_viewport_size({"width": width, "height": height})
            wide = self.page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, f"{name} ({self.lang}) is {wide}px wide at {width}px"
            if SHOTS is not None:
                SHOTS.mkdir(parents=True, exist_ok=True)
                shot = SHOTS / f"{name}-{self.lang}-{size}.png"
                self.page.screenshot(path=str(shot), full_page=True)
        self.page.set_viewport_size({"width": SIZES["desktop"][0], "height": SIZES["desktop"][1]})

    def accessibility(self) -> list[str]:
        self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
        found: list[str] = self.page.evaluate(
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => r.violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
        )
        return found

    def close(self) -> None:
        assert self.outside == [], self.outside
        assert not [c for c in self.console if "Content Security Policy" in c], self.console
        self.context.close()


def _apply(browser: Browser, base: str, reference: str) -> dict[str, Any]:
    api = browser.new_context(base_url=base).request
    token = api.post(
        "/api/v1/auth/tokens", data={"username": "trader", "password": "tansiq-demo"}
    ).json()["token"]
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
    response = api.post(
        "/api/v1/applications", data=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status == 201, response.text()
    created: dict[str, Any] = response.json()
    return created


def _decide(visit: Visit, path: str, decision: str, *, shoot: str = "") -> None:
    visit.page.goto(path)
    visit.page.wait_for_selector("#map .leaflet-interactive")
    if shoot:
        visit.shoot(shoot)
    visit.page.check(f"input[name=decision][value={decision}]")
    if decision == "approve_with_conditions":
        visit.page.check("input[name=daylight]")
    if decision == "reject":
        visit.page.select_option("#reason_code", "route_closed")
        visit.page.fill("#note", "Bridge closed")
    visit.page.click("form.decide button")
    visit.page.wait_for_url("**decided=1")
    expect(visit.page.locator("[role=status]")).to_have_count(1)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_journey_from_application_to_printed_permit(
    server: str, browser: Browser, lang: str
) -> None:
    refused = f"/applications/{_apply(browser, server, f'REFUSED-{lang}')['id']}"
    cleared = f"/applications/{_apply(browser, server, f'CLEARED-{lang}')['id']}"
    problems: list[str] = []

    west = Visit(browser, server, lang)
    west.sign_in("west.reviewer")
    west.shoot("reviews")
    problems += west.accessibility()
    _decide(west, refused, "approve_with_conditions", shoot="application-review")
    problems += west.accessibility()
    _decide(west, cleared, "approve")
    west.close()

    east = Visit(browser, server, lang)
    east.sign_in("east.reviewer")
    _decide(east, refused, "reject")
    expect(east.page.locator(".contradiction")).to_have_count(1)
    _decide(east, cleared, "approve")
    east.close()

    trader = Visit(browser, server, lang)
    trader.sign_in("trader")
    trader.shoot("home")
    problems += trader.accessibility()
    trader.page.goto(refused)
    trader.page.wait_for_selector("#map .leaflet-interactive")
    assert trader.page.locator(".contradiction").count() == 1
    trader.shoot("contradiction")
    trader.page.goto(cleared)
    assert trader.page.locator("[data-status]").get_attribute("data-status") == "approved"
    trader.shoot("application-approved")
    problems += trader.accessibility()
    trader.page.click("a.print")
    trader.page.wait_for_selector(".qr svg")
    assert trader.page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    trader.shoot("permit")
    trader.page.goto("/inbox")
    trader.shoot("inbox")
    problems += trader.accessibility()
    trader.page.goto("/login")
    trader.close()

    anonymous = Visit(browser, server, lang)
    anonymous.page.goto("/login")
    anonymous.shoot("login")
    problems += anonymous.accessibility()
    anonymous.close()
    assert problems == [], problems
