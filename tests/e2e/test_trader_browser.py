"""The trader's journey in a real browser against a real hub: draw a route, then build it from
checkpoints in order, watch the required authorities appear, submit; once both authorities
approve, find the permit with its QR and print it. In English and Arabic, at phone and desktop
widths, axe-core on every page, nothing fetched from anywhere but the hub."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Browser, expect

from tests.clearances.conftest import ROADS
from tests.conftest import NOW
from tests.e2e.browsing import Visit


def _token(api: APIRequestContext, user: str) -> dict[str, str]:
    answer = api.post("/api/v1/auth/tokens", data={"username": user, "password": "tansiq-demo"})
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _decide_all(api: APIRequestContext, application_id: int, decisions: dict[str, Any]) -> None:
    """Each authority decides through the API, as its own reviewer."""
    shown = api.get(f"/api/v1/applications/{application_id}", headers=_token(api, "trader"))
    for review in shown.json()["reviews"]:
        user, decision = decisions[review["authority"]]
        body = {"expected_version": review["lock_version"], **decision}
        answer = api.post(
            f"/api/v1/reviews/{review['id']}/decision", data=body, headers=_token(api, user)
        )
        assert answer.status == 200, answer.text()


def _rejected(api: APIRequestContext, reference: str) -> int:
    body = {
        "client_reference": reference,
        "vehicle": {"plate": "55 123 TR", "kind": "van"},
        "driver": {"name_latin": "Omar Haddad", "id_number": "778899"},
        "cargo": [
            {"description": "Medicine", "quantity": 10, "unit": "boxes", "gross_mass_kg": 80}
        ],
        "origin": "West Gate",
        "destination": "East Gate",
        "route": ROADS["bridge-road"],
        "valid_from": (NOW + timedelta(hours=1)).isoformat(),
        "valid_until": (NOW + timedelta(days=1)).isoformat(),
    }
    answer = api.post("/api/v1/applications", data=body, headers=_token(api, "trader"))
    assert answer.status == 201, answer.text()
    application_id: int = answer.json()["id"]
    _decide_all(
        api,
        application_id,
        {
            "west-command": ("west.reviewer", {"decision": "approve"}),
            "east-force": (
                "east.reviewer",
                {"decision": "reject", "reason_code": "route_closed", "note": "الجسر مغلق"},
            ),
        },
    )
    return application_id


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_trader_applies_sees_authorities_live_and_prints_the_permit(
    server: str, browser: Browser, lang: str
) -> None:
    api = browser.new_context(base_url=server).request
    problems: list[str] = []
    trader = Visit(browser, server, lang)
    page = trader.page
    trader.sign_in("trader")
    page.goto("/applications/new")
    page.wait_for_selector("#map .leaflet-interactive")
    problems += trader.look("trader-new")

    page.fill("#origin", "West Gate depot")
    page.fill("#destination", "سوق الحبوب <b>east</b>")

    # Draw: three clicks across the map, undo one; the line lands in the GeoJSON field.
    page.check("input[name=route_mode][value=drawn]")
    box = page.locator("#map").bounding_box()
    assert box is not None
    for x in (0.15, 0.5, 0.85):
        page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * 0.5)
    expect(page.locator("#route")).to_have_value(re.compile('"type": ?"LineString"'))
    expect(page.locator("#live-authorities li[data-code]").first).to_be_visible()
    # The count of points drawn takes its plural form (Arabic: 3 to 10 plural, 2 the dual).
    three, two = {"en": ("3 points drawn", "2 points drawn"), "ar": ("رُسمت 3 نقاط", "رُسمت نقطتان")}[
        lang
    ]
    expect(page.locator("#point-count")).to_have_text(three)
    trader.shoot("trader-new-drawn")
    page.click("#undo-point")
    expect(page.locator("#point-count")).to_have_text(two)
    expect(page.locator("#live-authorities li").first).to_be_visible()
    page.click("#clear-route")
    expect(page.locator("#route")).to_have_value("")
    expect(page.locator("#live-error")).to_be_visible()

    # Checkpoints in order, with the keyboard-reachable list buttons.
    page.check("input[name=route_mode][value=checkpoints]")
    page.select_option("#checkpoints-0", "W-GATE")
    page.select_option("#checkpoints-1", "BRIDGE-W")
    page.click("#add-stop")
    page.select_option("#checkpoints-2", "E-GATE")
    page.click("#add-stop")
    page.select_option("#checkpoints-3", "BRIDGE-E")
    page.locator("#stops li").nth(3).locator("button[data-op=up]").click()
    expect(page.locator("#checkpoints-2")).to_have_value("BRIDGE-E")
    expect(page.locator("#checkpoints-3")).to_have_value("E-GATE")
    expect(page.locator("#live-authorities li")).to_have_count(2)
    expect(page.locator("#live-authorities li[data-code=east-force]")).to_have_count(1)
    expect(page.locator("#live-checkpoints li[data-code=BRIDGE-E]")).to_have_count(1)

    page.fill("#vehicle-plate", "12 345 AB")
    page.select_option("#vehicle-kind", "truck")
    page.fill("#driver-name-ar", "سمير الحلبي")
    page.fill("#driver-name-latin", "Samir al-Halabi")
    page.fill("#driver-id-number", "0123456789")
    page.fill("#cargo-0-description", "Wheat flour")
    page.fill("#cargo-0-quantity", "400")
    page.select_option("#cargo-0-unit", "bags")
    page.fill("#cargo-0-gross-mass-kg", "20400")
    page.click("#add-line")
    page.fill("#cargo-1-description", "Lentils")
    page.click("#add-line")
    page.locator("#cargo-lines li").nth(2).locator("button[data-op]").click()
    expect(page.locator("#cargo-lines li")).to_have_count(2)
    page.fill("#cargo-1-quantity", "lots")
    trader.shoot("trader-new-filled")

    # A mistake comes back coded, with everything typed still there.
    page.click("#send")
    expect(page.locator("[data-code='form.invalid']")).to_have_count(1)
    expect(page.locator("#cargo-1-quantity")).to_have_value("lots")
    expect(page.locator("#checkpoints-2")).to_have_value("BRIDGE-E")
    expect(page.locator("#destination")).to_have_value("سوق الحبوب <b>east</b>")
    problems += trader.look("trader-new-error")
    page.fill("#cargo-1-quantity", "20")
    page.select_option("#cargo-1-unit", "pallets")
    page.fill("#cargo-1-gross-mass-kg", "9000")
    page.click("#send")
    page.wait_for_url(re.compile(r"/applications/\d+$"))
    assert page.locator("[data-status]").get_attribute("data-status") == "in_review"
    application_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    page.click("a.amend")
    page.wait_for_selector("#map .leaflet-interactive")
    expect(page.locator("#checkpoints-3")).to_have_value("E-GATE")
    problems += trader.look("trader-amend")

    _decide_all(
        api,
        application_id,
        {
            "west-command": ("west.reviewer", {"decision": "approve"}),
            "east-force": ("east.reviewer", {"decision": "approve"}),
        },
    )
    page.goto("/permits")
    page.wait_for_selector(".qr svg")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    problems += trader.look("trader-permits")
    page.click("a.print")
    page.wait_for_selector(".qr svg")

    refused = _rejected(api, f"BROWSER-REFUSED-{lang}")
    page.goto(f"/applications/{refused}/appeal")
    problems += trader.look("trader-appeal")
    page.fill("#grounds", "The bridge reopened this morning.")
    page.click("form.appeal button")
    page.wait_for_url(f"**/applications/{refused}")
    page.goto(f"/applications/{refused}/withdraw")
    problems += trader.look("trader-withdraw")
    trader.close()
    assert problems == [], problems
