"""The checkpoint officer's journey, offline, in Debian's Chromium with a fake camera: enrol
from the admin's link, sync, lose the network, reload the app from its service worker, scan
the permit's QR code from the camera (a Y4M file), record passage and a coded refusal into
the IndexedDB queue, get the network back, and find each event at the hub exactly once. In
English and Arabic, at phone and desktop widths, checked with axe-core, with nothing loaded
from anywhere but the hub."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import segno
from playwright.sync_api import APIRequestContext, Browser, Playwright, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.app import WORDS
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.clearances.reasons import REASON_LABELS, ReasonCode
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale, translate
from tansiq.web.text import labels
from tests.conftest import NOW, DatabaseFactory
from tests.e2e.browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SIZES,
    Hub,
    Visit,
    accessibility,
    approve_application,
    bearer,
    serving_hub,
    shoot,
    submit_application,
)

HERE = "BRIDGE-W"
FRAME = (640, 480)


@pytest.fixture(scope="module")
def hub(databases: DatabaseFactory) -> Iterator[Hub]:
    """A real hub on 127.0.0.1 whose clock the test can move (the permit must be in force)."""
    with serving_hub(databases, "officer", FixedClock(NOW)) as served:
        yield served


def _permit(api: APIRequestContext, reference: str) -> str:
    """A permit through BRIDGE-W approved by both authorities; its token text."""
    result = approve_application(api, submit_application(api, reference))
    permit = result["permits"][0]["id"]
    token: str = api.get(f"/api/v1/permits/{permit}/token", headers=bearer(api, "trader")).json()[
        "token"
    ]
    return token


def _device(api: APIRequestContext) -> str:
    answer = api.post(
        "/api/v1/devices",
        data={"checkpoint": HERE, "name": "officer phone"},
        headers=bearer(api, "west.admin"),
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
def test_offline_scan_queue_and_sync(
    hub: Hub, chromium: Playwright, lang: str, tmp_path: Path
) -> None:
    """A Chromium of its own: the fake camera is chosen at launch."""
    t = labels(Locale(lang), WORDS)
    api = chromium.request.new_context(base_url=hub.base)
    permit = _permit(api, f"OFFICER-{lang}")
    device = _device(api)
    api.dispose()
    hub.clock.advance(timedelta(hours=2))  # the permit is in force now
    video = camera_file(permit, tmp_path / "permit.y4m")
    browser = chromium.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
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
    shoot(page, "checkpoint-enrol", lang, "phone")
    problems += accessibility(page)

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
    # Read by the browser's detector or the zxing-cpp worker, loaded offline from the cache;
    # jsQR is only the last resort.
    assert page.locator("#cp-video").get_attribute("data-decoder") in {"native", "wasm"}
    expect(page.locator("[data-fact=plate]")).to_have_text("12345AB")
    expect(page.locator("[data-fact=kind]")).to_have_text(t["kind_truck"])  # a word, not a code
    expect(page.locator("[data-fact=expected]")).to_have_text(t["cp_expected_yes"])
    shoot(page, "checkpoint-valid", lang, "phone")
    problems += accessibility(page)
    page.click("#cp-passage")
    expect(page.locator("#cp-queue")).to_have_text("1")

    # A damaged code pasted by hand: a coded verdict, and a coded refusal.
    page.click("#cp-next")
    page.fill("#cp-code", permit[:-30])
    page.click("#cp-check-form button")
    expect(verdict).to_have_attribute("data-status", "malformed")
    page.select_option("#cp-refusal-reason", "other")
    page.fill("#cp-note", "QR code torn")
    shoot(page, "checkpoint-refusal", lang, "phone")
    problems += accessibility(page)
    page.click("#cp-refusal-form button")
    expect(page.locator("#cp-queue")).to_have_text("2")
    before = {e[0] for e in _events(hub)}

    # The network is back: the queue goes to the hub, once.
    context.set_offline(False)
    expect(page.locator("#cp-queue")).to_have_text("0")
    shoot(page, "checkpoint-synced", lang, "phone")
    problems += accessibility(page)
    page.click("#cp-sync")
    expect(page.locator("#cp-sync")).to_be_enabled()
    new = [e for e in _events(hub) if e[0] not in before]
    assert sorted((action, verdict_, reason) for _, action, verdict_, reason in new) == [
        ("passage", "valid", None),
        ("refusal", "malformed", "other"),
    ]
    assert len({e[0] for e in new}) == 2

    # A day and more without a sync: the permit's own verdict stands, with the data's age and
    # what it means beside it in its own colour; the device's status says to sync.
    page.clock.set_fixed_time(hub.clock.now() + timedelta(hours=30))
    page.click("#cp-next")
    page.fill("#cp-code", permit)
    page.click("#cp-check-form button")
    expect(verdict).to_have_attribute("data-status", "valid")
    expect(verdict).to_have_class(re.compile(r"\bcp-aging\b"))
    expect(page.locator("#cp-stale")).to_be_visible()
    # Numbers the script fills in take their plural form (Arabic: 11 to 99 hours take the
    # singular).
    said = {
        "en": ("older than 24 hours", re.compile(r"On data (29|30) hours old: revocations")),
        "ar": ("أكثر من 24 ساعة", re.compile(r" (29|30) ساعة")),
    }[lang]
    expect(page.locator("#cp-stale")).to_contain_text(said[0])
    expect(page.locator("#cp-data-warning")).to_have_text(said[1])
    expect(page.locator("#cp-passage")).to_be_visible()  # still valid: the passage stays first
    shoot(page, "checkpoint-old-data", lang, "phone")
    problems += accessibility(page)
    page.click("#cp-passage")

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
    expect(visit.page.locator("#cp-message")).to_have_text(labels(Locale.EN, WORDS)["cp_refused"])
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


def test_a_busy_hub_is_retried_and_the_queue_kept(hub: Hub, browser: Browser) -> None:
    """The hub answers 503 once: the app waits its Retry-After, sends again, and the event
    reaches the hub once. A hub that asks for a long pause is not hammered: the event stays
    queued until a later sync."""
    t = labels(Locale.EN, WORDS)
    # No service worker: every request the app makes passes page.route.
    context = browser.new_context(base_url=hub.base, service_workers="block")
    _permit(context.request, "BUSY-1")  # the hub has signed trust data from its first permit
    device = _device(context.request)
    context.add_cookies([{"name": "tansiq_lang", "value": "en", "url": hub.base}])
    page = context.new_page()
    page.clock.set_fixed_time(hub.clock.now())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/checkpoint#enrol={device}")
    expect(page.locator("#cp-message")).to_have_text(t["cp_synced"])
    expect(page.locator("#cp-here")).to_contain_text(HERE)
    page.evaluate(
        """() => {
          window.said = [];
          const box = document.getElementById("cp-message");
          new MutationObserver(() => window.said.push(box.textContent))
            .observe(box, { childList: true, characterData: true, subtree: true });
        }"""
    )
    pushes: list[int] = []

    def busy_once(route: Route) -> None:
        if not pushes:
            pushes.append(503)
            route.fulfill(status=503, headers={"Retry-After": "1"}, body="busy")
        else:
            pushes.append(200)
            route.continue_()

    def refuse(reason: str) -> None:
        page.fill("#cp-code", "TQ1:not-a-permit")
        page.click("#cp-check-form button")
        expect(page.locator("#cp-verdict")).to_have_attribute("data-status", "malformed")
        page.select_option("#cp-refusal-reason", "other")
        page.fill("#cp-note", reason)
        # The message of the sync before must not pass for this one's.
        page.evaluate("document.getElementById('cp-message').textContent = ''")
        page.click("#cp-refusal-form button")  # queued, then a sync at once

    before = {e[0] for e in _events(hub)}
    page.route("**/api/v1/sync/events", busy_once)
    refuse("retried")
    expect(page.locator("#cp-message")).to_have_text(t["cp_synced"], timeout=15_000)
    expect(page.locator("#cp-queue")).to_have_text("0")
    assert pushes == [503, 200]
    said = page.evaluate("window.said")
    assert "No answer from the hub yet: trying again in 1 second (attempt 2 of 6)." in said
    assert "Sent 1 of 1 event." in said
    sent = [e for e in _events(hub) if e[0] not in before]
    assert [(action, reason) for _, action, _, reason in sent] == [("refusal", "other")]

    # A hub asking for two minutes' pause: the sync stops, the event stays queued.
    page.unroute("**/api/v1/sync/events")
    page.route(
        "**/api/v1/sync/events",
        lambda route: route.fulfill(status=503, headers={"Retry-After": "120"}, body=""),
    )
    page.click("#cp-next")
    refuse("kept")
    expect(page.locator("#cp-message")).to_have_text(t["cp_busy"])
    expect(page.locator("#cp-queue")).to_have_text("1")
    page.reload()  # the queue lives in IndexedDB, not in the page
    page.wait_for_selector("#officer[data-ready=true]")
    expect(page.locator("#cp-message")).to_have_text(t["cp_busy"])
    expect(page.locator("#cp-queue")).to_have_text("1")

    # The hub is back: the next sync sends it, once.
    page.unroute("**/api/v1/sync/events")
    page.click("#cp-sync")
    expect(page.locator("#cp-queue")).to_have_text("0")
    expect(page.locator("#cp-message")).to_have_text(t["cp_synced"])
    assert len([e for e in _events(hub) if e[0] not in before]) == 2
    context.close()
    assert errors == [], errors


def _events_in_full(hub: Hub) -> list[ScanEventRecord]:
    with Session(hub.context.engine, expire_on_commit=False) as session:
        return list(session.scalars(select(ScanEventRecord)))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_revoked_permit_is_refused_first_and_let_through_only_by_override(
    hub: Hub, browser: Browser, lang: str
) -> None:
    """Safety first: a bad verdict's main action is the refusal, its reason pre-chosen; the
    passage is gone, and letting the vehicle through is an override that asks for a coded
    reason and a note, which the hub stores as an override."""
    t = labels(Locale(lang), WORDS)
    context = browser.new_context(
        base_url=hub.base, viewport={"width": SIZES["phone"][0], "height": SIZES["phone"][1]}
    )
    api = context.request
    result = approve_application(api, submit_application(api, f"REVOKED-{lang}"))
    permit_id = result["permits"][0]["id"]
    token = api.get(f"/api/v1/permits/{permit_id}/token", headers=bearer(api, "trader")).json()[
        "token"
    ]
    revoked = api.post(
        f"/api/v1/permits/{permit_id}/revoke",
        data={"reason_code": "cargo_mismatch", "note": "seal broken"},
        headers=bearer(api, "west.reviewer"),
    )
    assert revoked.status == 200, revoked.text()
    device = _device(api)
    hub.clock.advance(timedelta(hours=2))
    context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": hub.base}])
    page = context.new_page()
    page.clock.set_fixed_time(hub.clock.now())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"/checkpoint#enrol={device}")
        expect(page.locator("#cp-message")).to_have_text(t["cp_synced"])
        page.fill("#cp-code", token)
        page.click("#cp-check-form button")
        expect(page.locator("#cp-verdict")).to_have_attribute("data-status", "revoked")

        # No passage button; the refusal comes first, with the verdict's reason chosen.
        expect(page.locator("#cp-passage")).to_be_hidden()
        refuse = page.locator("#cp-refusal-form button")
        expect(refuse).to_have_text(t["cp_refusal_main"])
        expect(page.locator("#cp-refusal-reason")).to_have_value("permit_revoked")
        # The revocation's reason in words, not its code.
        said = translate(REASON_LABELS[ReasonCode.CARGO_MISMATCH], Locale(lang))
        expect(page.locator("#cp-reason")).to_contain_text(said)
        expect(page.locator("#cp-reason")).not_to_contain_text("cargo_mismatch")
        first = page.evaluate(
            "[...document.querySelectorAll('#cp-actions > :not([hidden]):not(h3)')][0].id"
        )
        assert first == "cp-refusal-form"
        override = page.locator("#cp-override")
        expect(override).to_be_visible()
        expect(page.locator("#cp-override-form")).to_be_hidden()  # folded away
        shoot(page, "checkpoint-revoked", lang, "phone")
        problems = accessibility(page)

        # The override asks for its reason and a note before it records anything.
        page.click("#cp-override summary")
        page.click("#cp-override-form button")
        # Said beside the button that was tapped, not in the status card at the top.
        expect(page.locator("#cp-override-said")).to_have_text(t["cp_override_reason_required"])
        page.select_option("#cp-override-reason", "supervisor_order")
        page.click("#cp-override-form button")
        expect(page.locator("#cp-override-said")).to_have_text(t["cp_override_note_required"])
        page.fill("#cp-override-note", "Capt. Hadi ordered it by radio")
        shoot(page, "checkpoint-override", lang, "phone")
        problems += accessibility(page)
        before = {e.event_uid for e in _events_in_full(hub)}
        page.click("#cp-override-form button")
        new: list[ScanEventRecord] = []
        for _ in range(150):  # recorded, then synced at once (online)
            new = [e for e in _events_in_full(hub) if e.event_uid not in before]
            if new:
                break
            page.wait_for_timeout(100)
        assert [(e.action, e.verdict, e.reason_code, e.note) for e in new] == [
            ("override", "revoked", "supervisor_order", "Capt. Hadi ordered it by radio")
        ]
        assert new[0].data_age_seconds is not None
        assert 0 <= new[0].data_age_seconds < 3 * 3600
        assert problems == [], problems
        assert errors == [], errors
    finally:
        context.close()
        hub.clock.advance(timedelta(hours=-2))


def _conditional_permit(api: APIRequestContext, reference: str) -> str:
    """A permit through BRIDGE-W that West Command approved for daylight hours only, with an
    escort; its token text."""
    application = submit_application(api, reference)
    answer: dict[str, Any] = {}
    for review in application["reviews"]:
        west = review["authority"] == "west-command"
        body: dict[str, Any] = {"decision": "approve", "expected_version": review["lock_version"]}
        if west:
            body |= {
                "decision": "approve_with_conditions",
                "conditions": [{"kind": "daylight_only"}, {"kind": "escort_required"}],
            }
        response = api.post(
            f"/api/v1/reviews/{review['id']}/decision",
            data=body,
            headers=bearer(api, "west.reviewer" if west else "east.reviewer"),
        )
        assert response.status == 200, response.text()
        answer = response.json()
    permit = answer["permits"][0]["id"]
    token: str = api.get(f"/api/v1/permits/{permit}/token", headers=bearer(api, "trader")).json()[
        "token"
    ]
    return token


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_daylight_only_permit_at_night_is_its_own_verdict(
    hub: Hub, browser: Browser, lang: str
) -> None:
    """By day: "valid with conditions" in its own colour, the conditions first, and no passage
    until the officer ticks the escort. At night (BRIDGE-W is at 41.1 E, 34.4 N: the sun sets
    near 14:10 UTC on 25 November): the daylight condition fails, with its own verdict, and the
    refusal comes first with that reason."""
    t = labels(Locale(lang), WORDS)
    context = browser.new_context(
        base_url=hub.base, viewport={"width": SIZES["phone"][0], "height": SIZES["phone"][1]}
    )
    api = context.request
    token = _conditional_permit(api, f"DAYLIGHT-{lang}")
    device = _device(api)
    hub.clock.advance(timedelta(hours=1, minutes=30))  # 13:30 UTC: in force, before sunset
    context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": hub.base}])
    page = context.new_page()
    page.clock.set_fixed_time(hub.clock.now())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"/checkpoint#enrol={device}")
        expect(page.locator("#cp-message")).to_have_text(t["cp_synced"])
        page.fill("#cp-code", token)
        page.click("#cp-check-form button")
        verdict = page.locator("#cp-verdict")
        expect(verdict).to_have_attribute("data-status", "valid")
        expect(verdict).to_have_class(re.compile(r"\bcp-conditions\b"))
        expect(verdict.locator(".cp-word")).to_have_text(t["cp_word_valid_conditions"])
        items = page.locator("#cp-conditions li")
        expect(items).to_have_count(2)
        expect(items.nth(0)).to_contain_text(t["cp_condition_met"])
        expect(items.nth(1)).to_contain_text(t["cp_condition_confirm"])
        above = page.evaluate(
            "document.getElementById('cp-conditions-box').compareDocumentPosition("
            "document.getElementById('cp-facts')) & Node.DOCUMENT_POSITION_FOLLOWING"
        )
        assert above  # the conditions come before the permit's other facts
        expect(page.locator("#cp-passage")).to_be_disabled()
        page.check("#cp-escort")
        expect(page.locator("#cp-passage")).to_be_enabled()
        shoot(page, "checkpoint-conditions", lang, "phone")
        problems = accessibility(page)

        # Night at the checkpoint: the same permit fails its daylight condition.
        page.clock.set_fixed_time(hub.clock.now() + timedelta(hours=6, minutes=30))  # 20:00 UTC
        page.click("#cp-next")
        page.fill("#cp-code", token)
        page.click("#cp-check-form button")
        expect(verdict).to_have_attribute("data-status", "condition_daylight")
        expect(verdict.locator(".cp-word")).to_have_text(t["cp_word_condition_daylight"])
        # Sunset near 14:10 UTC, said on the town's clock (the hub's zone, UTC+03:00).
        expect(page.locator("#cp-reason")).to_contain_text(re.compile(r"1[67]:\d\d\u2069"))
        # Kept as ISO 8601 like the hub's verifier, written only for the reader: no UTC stamp.
        expect(page.locator("#cp-reason")).not_to_contain_text(re.compile(r"UTC|\+00:00|T\d\d:"))
        expect(items.nth(0)).to_contain_text(t["cp_condition_failed"])
        expect(page.locator("#cp-passage")).to_be_hidden()
        expect(page.locator("#cp-refusal-reason")).to_have_value("condition_daylight")
        shoot(page, "checkpoint-night", lang, "phone")
        problems += accessibility(page)
        assert problems == [], problems
        assert errors == [], errors
    finally:
        context.close()
        hub.clock.advance(timedelta(hours=-1, minutes=-30))
