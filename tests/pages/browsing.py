"""Browser test machinery shared by the page tests: a real hub served by uvicorn on 127.0.0.1
with the demo data, Debian's Chromium driven by Playwright, and ``Visit``, one user's tab that
refuses every request off the hub, checks widths, takes screenshots and runs axe-core."""

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
from playwright.sync_api import Browser, Page, Route, sync_playwright
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


def apply_through_api(browser: Browser, base: str, reference: str) -> dict[str, Any]:
    """A submitted application of the demo trader's over the bridge road, made through the API."""
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


def approve_through_api(browser: Browser, base: str, application: dict[str, Any]) -> None:
    """Every required authority approves ``application`` through the API."""
    api = browser.new_context(base_url=base).request
    for review in application["reviews"]:
        user = "west.reviewer" if review["authority"] == "west-command" else "east.reviewer"
        token = api.post(
            "/api/v1/auth/tokens", data={"username": user, "password": "tansiq-demo"}
        ).json()["token"]
        answer = api.post(
            f"/api/v1/reviews/{review['id']}/decision",
            data={"decision": "approve", "expected_version": review["lock_version"]},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status == 200, answer.text()
