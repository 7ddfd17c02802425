"""The checkpoint officer's journey, offline, in Debian's Chromium with a fake camera: enrol
from the admin's link, sync, lose the network, reload the app from its service worker, scan
the permit's QR code from the camera (a Y4M file), record passage and a coded refusal into
the IndexedDB queue, get the network back, and find each event at the hub exactly once. In
English and Arabic, at phone and desktop widths, checked with axe-core, with nothing loaded
from anywhere but the hub."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import segno
import uvicorn
from playwright.sync_api import APIRequestContext, Browser, Page, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.checkpoints.models import ScanEventRecord
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.db.migrate import upgrade
from tansiq.demo.service import load_demo
from tansiq.pages.text import labels
from tansiq.settings import Settings
from tansiq.web.app import create_app
from tests.clearances.conftest import ROADS
from tests.conftest import NOW, DatabaseFactory
from tests.pages.browsing import AXE, CHROMIUM, SHOTS, SIZES, Visit, _free_port

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")

HERE = "BRIDGE-W"
FRAME = (640, 480)


@dataclass
class Hub:
    base: str
    context: HubContext
    clock: FixedClock


@pytest.fixture(scope="module")
def hub(databases: DatabaseFactory) -> Iterator[Hub]:
    """A real hub on 127.0.0.1 whose clock the test can move (the permit must be in force)."""
    settings = Settings(
        database_url=databases.new_url("officer"),
        secret_key="officer-test-secret-key-0123456789abcdef",
    )
    clock = FixedClock(NOW)
    context = HubContext.from_settings(settings, clock=clock)
    upgrade(context.engine)
    with Session(context.engine) as session:
        load_demo(session, clock)
        session.commit()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(context), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield Hub(f"http://127.0.0.1:{port}", context, clock)
    server.should_exit = True
    thread.join(timeout=5)
    context.engine.dispose()


def _bearer(api: APIRequestContext, username: str) -> dict[str, str]:
    answer = api.post(
        "/api/v1/auth/tokens", data={"username": username, "password": "tansiq-demo"}
    ).json()
    return {"Authorization": f"Bearer {answer['token']}"}


def _permit(api: APIRequestContext, reference: str) -> str:
    """A permit through BRIDGE-W approved by both authorities; its token text."""
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
    created = api.post("/api/v1/applications", data=body, headers=_bearer(api, "trader"))
    assert created.status == 201, created.text()
    result: Any = None
    for review in created.json()["reviews"]:
        reviewer = "west.reviewer" if review["authority"] == "west-command" else "east.reviewer"
        result = api.post(
            f"/api/v1/reviews/{review['id']}/decision",
            data={"expected_version": review["lock_version"], "decision": "approve"},
            headers=_bearer(api, reviewer),
        ).json()
    permit = result["permits"][0]["id"]
    token: str = api.get(f"/api/v1/permits/{permit}/token", headers=_bearer(api, "trader")).json()[
        "token"
    ]
    return token


def _device(api: APIRequestContext) -> str:
    answer = api.post(
        "/api/v1/devices",
        data={"checkpoint": HERE, "name": "officer phone"},
        headers=_bearer(api, "west.admin"),
    )
    assert answer.status == 201, answer.text()
    token: str = answer.json()["token"]
    return token


def camera_file(text: str, path: Path) -> Path:
    """A Y4M video (4:2:0, grey: U = V = 128) showing the QR code of ``text``, as a phone
    camera would see a printed permit; Chromium plays it as the camera, in a loop."""
    qr = segno.make(text, error="q", micro=False)
    width, height = FRAME
    scale = min(width, height) // (qr.symbol_size(scale=1)[0])
    rows = [list(row) for row in qr.matrix_iter(scale=scale, border=4)]
    luma = bytearray(b"\xff" * width * height)
    top, left = (height - len(rows)) // 2, (width - len(rows[0])) // 2
    for y, row in enumerate(rows):
        line = bytes(0 if dark else 255 for dark in row)
        start = (top + y) * width + left
        luma[start : start + len(line)] = line
    chroma = b"\x80" * (width // 2) * (height // 2) * 2
    header = f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + bytes(luma) + chroma) * 2)
    return path


def _shoot(page: Page, name: str, lang: str) -> None:
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name} ({lang}) is {wide}px wide at {width}px"
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{lang}-{size}.png"), full_page=True)
    page.set_viewport_size({"width": SIZES["phone"][0], "height": SIZES["phone"][1]})


def _accessibility(page: Page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    found: list[str] = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', ')))"
    )
    return found


def _events(hub: Hub) -> list[tuple[str, str, str, str | None]]:
    with Session(hub.context.engine) as session:
        rows = session.execute(
            select(
                ScanEventRecord.event_uid,
                ScanEventRecord.action,
                ScanEventRecord.verdict,
                ScanEventRecord.reason_code,
            )
        ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_offline_scan_queue_and_sync(hub: Hub, lang: str, tmp_path: Path) -> None:
    t = labels(Locale(lang))
    with sync_playwright() as playwright:
        api = playwright.request.new_context(base_url=hub.base)
        permit = _permit(api, f"OFFICER-{lang}")
        device = _device(api)
        api.dispose()
        hub.clock.advance(timedelta(hours=2))  # the permit is in force now
        video = camera_file(permit, tmp_path / "permit.y4m")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-video-capture={video}",
            ],
        )
        width, height = SIZES["phone"]
        context = browser.new_context(
            base_url=hub.base,
            viewport={"width": width, "height": height},
            permissions=["camera"],
            service_workers="allow",
        )
        context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": hub.base}])
        outside: list[str] = []
        problems: list[str] = []
        errors: list[str] = []
        context.on(
            "request",
            lambda r: None if r.url.startswith(hub.base + "/") else outside.append(r.url),
        )
        page = context.new_page()
        page.clock.set_fixed_time(hub.clock.now())
        page.on("pageerror", lambda error: errors.append(str(error)))
        # The browser's own note on a request it could not send offline is not our error.
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and "ERR_INTERNET_DISCONNECTED" not in m.text
                else None
            ),
        )

        # Before enrolment: the page explains itself and offers the token field.
        page.goto("/checkpoint")
        page.wait_for_selector("#officer[data-ready=true]")
        expect(page.locator("#cp-enrol")).to_be_visible()
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        _shoot(page, "checkpoint-enrol", lang)
        problems += _accessibility(page)

        # The admin's link: the token is read, taken out of the address bar, and used.
        page.goto(f"/checkpoint#enrol={device}")
        expect(page.locator("#cp-here")).to_contain_text(HERE)
        assert page.evaluate("location.hash") == ""
        assert device not in page.url
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        expect(page.locator("#cp-expected bdi").first).to_be_visible()

        # Offline from here: the app comes from the service worker's cache.
        context.set_offline(True)
        reloaded = page.reload()
        assert reloaded is not None
        assert reloaded.from_service_worker
        page.wait_for_selector("#officer[data-ready=true]")
        cut = "fetch('/api/v1/governance-keys').then(() => 'reached', () => 'cut off')"
        assert page.evaluate(cut) == "cut off"

        page.click("#cp-camera-start")
        verdict = page.locator("#cp-verdict")
        expect(verdict).to_have_attribute("data-status", "valid", timeout=15_000)
        expect(page.locator("[data-fact=plate]")).to_have_text("12345AB")
        expect(page.locator("[data-fact=expected]")).to_have_text(t["cp_expected_yes"])
        _shoot(page, "checkpoint-valid", lang)
        problems += _accessibility(page)
        page.click("#cp-passage")
        expect(page.locator("#cp-queue")).to_have_text("1")

        # A damaged code pasted by hand: a coded verdict, and a coded refusal.
        page.click("#cp-next")
        page.fill("#cp-code", permit[:-30])
        page.click("#cp-check-form button")
        expect(verdict).to_have_attribute("data-status", "malformed")
        page.select_option("#cp-refusal-reason", "other")
        page.fill("#cp-note", "QR code torn")
        _shoot(page, "checkpoint-refusal", lang)
        problems += _accessibility(page)
        page.click("#cp-refusal-form button")
        expect(page.locator("#cp-queue")).to_have_text("2")
        before = {e[0] for e in _events(hub)}

        # The network is back: the queue goes to the hub, once.
        context.set_offline(False)
        expect(page.locator("#cp-queue")).to_have_text("0")
        _shoot(page, "checkpoint-synced", lang)
        problems += _accessibility(page)
        page.click("#cp-sync")
        expect(page.locator("#cp-sync")).to_be_enabled()
        new = [e for e in _events(hub) if e[0] not in before]
        assert sorted((action, verdict_, reason) for _, action, verdict_, reason in new) == [
            ("passage", "valid", None),
            ("refusal", "malformed", "other"),
        ]
        assert len({e[0] for e in new}) == 2

        # A day and more without a sync: the data is stale, and the page says so.
        page.clock.set_fixed_time(hub.clock.now() + timedelta(hours=30))
        page.click("#cp-next")
        page.fill("#cp-code", permit)
        page.click("#cp-check-form button")
        expect(verdict).to_have_attribute("data-status", "stale")
        expect(page.locator("#cp-stale")).to_be_visible()
        _shoot(page, "checkpoint-stale", lang)

        context.close()
        browser.close()
    hub.clock.advance(timedelta(hours=-2))
    assert outside == [], outside
    assert errors == [], errors
    assert problems == [], problems


def test_a_token_the_hub_refuses_is_said_so_and_nothing_is_pinned(
    server: str, browser: Browser
) -> None:
    visit = Visit(browser, server, "en")
    visit.page.goto("/checkpoint")
    visit.page.wait_for_selector("#officer[data-ready=true]")
    visit.page.fill("#cp-token", "tqd_not-a-device-of-this-hub")
    visit.page.click("#cp-enrol-form button")
    expect(visit.page.locator("#cp-message")).to_have_text(labels(Locale.EN)["cp_refused"])
    pinned = visit.page.evaluate(
        """() => new Promise((resolve) => {
          const open = indexedDB.open("tansiq-checkpoint", 1);
          open.onsuccess = () => {
            const get = open.result.transaction("meta").objectStore("meta").get("governance");
            get.onsuccess = () => resolve(get.result ?? null);
          };
        })"""
    )
    assert pinned is None
    visit.close()
