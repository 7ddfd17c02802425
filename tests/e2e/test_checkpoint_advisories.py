"""The checkpoint officer's app shows the advisories and incidents near the checkpoint after a
sync, with the network cut and the app reloaded from its service worker, and the verdict of a
permit whose route a closure affects says so beside the verdict (which stays as the permit's
checks say). In English and Arabic, at phone width, checked with axe-core, with nothing
loaded from anywhere but the hub. ``SCREENSHOTS=/tmp/shots`` keeps the pictures."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Browser, Page, expect

from tansiq.app import WORDS
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.web.text import labels
from tests.conftest import NOW, DatabaseFactory
from tests.e2e.browsing import (
    SIZES,
    Hub,
    accessibility,
    approve_application,
    bearer,
    serving_hub,
    shoot,
    submit_application,
)

HERE = "BRIDGE-W"
CRATER = {"type": "LineString", "coordinates": [[41.05, 34.4], [41.06, 34.4]]}
AT_THE_BRIDGE = {"type": "Point", "coordinates": [41.0985, 34.4005]}


def _controlled(page: Page) -> None:
    """Until the service worker controls the page (polled here: the page's policy forbids the
    eval that wait_for_function would need)."""
    deadline = time.monotonic() + 15
    while not page.evaluate("navigator.serviceWorker.controller !== null"):
        assert time.monotonic() < deadline, "no service worker took the page"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def hub(databases: DatabaseFactory) -> Iterator[Hub]:
    with serving_hub(databases, "advisories", FixedClock(NOW)) as served:
        yield served


def _created(api: APIRequestContext, path: str, user: str, body: dict[str, Any]) -> Any:
    answer = api.post(path, data=body, headers=bearer(api, user))
    assert answer.status == 201, answer.text()
    return answer.json()


def _setting_up(api: APIRequestContext, hub: Hub, lang: str) -> tuple[str, str, str, str]:
    """A permit over the Bridge Road, a closure on that road 3.5 km west of the checkpoint,
    shots reported at the checkpoint, and a device there: (permit token, device token,
    closure reference, incident reference)."""
    now = hub.clock.now()
    result = approve_application(api, submit_application(api, f"ADVISED-{lang}"))
    permit = result["permits"][0]["id"]
    token = api.get(f"/api/v1/permits/{permit}/token", headers=bearer(api, "trader")).json()[
        "token"
    ]
    closure = _created(
        api,
        "/api/v1/advisories",
        "west.liaison",
        {
            "kind": "road_closed",
            "geometry": CRATER,
            "valid_until": (now + timedelta(days=2)).isoformat(),
            "severity": "severe",
            "description": "Crater on the Bridge Road",
        },
    )
    shots = _created(
        api,
        "/api/v1/incidents",
        "west.liaison",
        {
            "event_type": "armed_clash",
            "sub_type": "sniper_fire",
            "occurred_at": (now - timedelta(minutes=10)).isoformat(),
            "location": AT_THE_BRIDGE,
            "description": "Shots heard from the east bank",
            "severity": "moderate",
        },
    )
    device = _created(
        api, "/api/v1/devices", "west.admin", {"checkpoint": HERE, "name": f"phone {lang}"}
    )
    return token, device["token"], closure["reference"], shots["reference"]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_offline_app_shows_advisories_and_warns_in_the_verdict(
    hub: Hub, browser: Browser, lang: str
) -> None:
    t = labels(Locale(lang), WORDS)
    width, height = SIZES["phone"]
    context = browser.new_context(
        base_url=hub.base, viewport={"width": width, "height": height}, service_workers="allow"
    )
    permit, device, closure, shots = _setting_up(context.request, hub, lang)
    hub.clock.advance(timedelta(hours=2))  # the permit is in force now
    context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": hub.base}])
    outside: list[str] = []
    errors: list[str] = []
    problems: list[str] = []
    context.on(
        "request", lambda r: None if r.url.startswith(hub.base + "/") else outside.append(r.url)
    )
    page = context.new_page()
    page.clock.set_fixed_time(hub.clock.now())
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "ERR_INTERNET_DISCONNECTED" not in m.text
            else None
        ),
    )
    try:
        page.goto(f"/checkpoint#enrol={device}")
        expect(page.locator("#cp-message")).to_have_text(t["cp_synced"], timeout=15_000)
        _controlled(page)

        # The network is cut and the app comes from the service worker: what the last sync
        # brought is there, checked again against the pinned keys.
        context.set_offline(True)
        reloaded = page.reload()
        assert reloaded is not None
        assert reloaded.from_service_worker
        page.wait_for_selector("#officer[data-ready=true]")
        cut = "fetch('/api/v1/governance-keys').then(() => 'reached', () => 'cut off')"
        assert page.evaluate(cut) == "cut off"
        box = page.locator("#cp-advisories")
        # (The hub is shared by both languages' runs: the other run's are there too.)
        expect(box.locator(f"[data-reference='{shots}']")).to_be_visible()
        expect(box.locator(f"[data-reference='{closure}']")).to_contain_text(closure)
        expect(box.locator(f"[data-reference='{shots}']")).to_contain_text(
            "Shots heard from the east bank"
        )
        # The most severe first (then the nearest): the closures, then the shots.
        order = box.locator("li").evaluate_all("items => items.map(i => i.dataset.reference)")
        assert order.index(closure) < order.index(shots), order
        expect(page.locator("#cp-adv-none")).to_be_hidden()
        expect(page.locator("#cp-adv-as-of")).to_be_visible()
        said = {"en": ("Road closed", "Severe"), "ar": (None, "شديد")}[lang]
        for word in said:
            if word:
                expect(box.locator(f"[data-reference='{closure}']")).to_contain_text(word)
        shoot(page, "checkpoint-advisories", lang, "phone")
        problems += accessibility(page)

        # The permit's route crosses the closure: the verdict stays valid, and says so.
        page.fill("#cp-code", permit)
        page.click("#cp-check-form button")
        verdict = page.locator("#cp-verdict")
        expect(verdict).to_have_attribute("data-status", "valid")
        warning = page.locator("#cp-advisory-warning")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text(t["cp_adv_route_affected"])
        expect(warning).to_contain_text(closure)
        expect(warning).not_to_contain_text(shots)  # near, but it closes no road
        expect(page.locator("#cp-passage")).to_be_visible()  # a warning, not a refusal
        shoot(page, "checkpoint-advisory-verdict", lang, "phone")
        problems += accessibility(page)
        context.set_offline(False)
    finally:
        context.close()
        hub.clock.advance(timedelta(hours=-2))
    assert outside == [], outside
    assert errors == [], errors
    assert problems == [], problems
