"""The incidents' pages in Chromium, in Arabic and English, at phone and desktop widths: West
Command's liaison reports an incident drawn on the map and issues a road closure drawn as a
line, East Force corroborates, River Relief watches an area it draws; the trader finds the
alert on the affected application, River Relief on its movement (incidents' fragment loaded
into deconfliction's page). Each page: axe-core finds no serious problem, nothing is wider
than the screen, nothing is fetched from anywhere but the hub. ``SCREENSHOTS=/tmp/shots``
keeps the pictures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tansiq.core.clock import FixedClock
from tests.conftest import NOW, DatabaseFactory
from tests.e2e.browsing import (
    Hub,
    Visit,
    approve_application,
    bearer,
    serving_hub,
    submit_application,
)


@pytest.fixture(scope="module")
def hub(databases: DatabaseFactory) -> Iterator[Hub]:
    with serving_hub(databases, "incidents", FixedClock(NOW)) as served:
        yield served


def _click_map(page: Page, *fractions: tuple[float, float]) -> None:
    """Clicks on the map at fractions of its width and height."""
    page.locator("#map").scroll_into_view_if_needed()
    box = page.locator("#map").bounding_box()
    assert box is not None
    for x, y in fractions:
        page.mouse.click(box["x"] + box["width"] * x, box["y"] + box["height"] * y)


def _local(hours: float = 0) -> str:
    return (NOW + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_report_issue_judge_watch_and_see_the_alerts(hub: Hub, browser: Browser, lang: str) -> None:
    # A permit over the Bridge Road, and a movement across the river, before anything happens.
    setup = browser.new_context(base_url=hub.base)
    application = approve_application(
        setup.request, submit_application(setup.request, f"ALERTED-{lang}")
    )
    movement = setup.request.post(
        "/api/v1/deconfliction/movements",
        data={
            "checkpoints": ["W-GATE", "BRIDGE-W", "BRIDGE-E", "E-GATE"],
            "corridor_m": 200,
            "start": (NOW + timedelta(hours=4)).isoformat(),
            "end": (NOW + timedelta(hours=6)).isoformat(),
            "vehicles": 2,
            "vehicle_kind": "truck",
            "markings": "White trucks",
            "purpose": "humanitarian",
            "contact": "Operations room",
        },
        headers=bearer(setup.request, "relief"),
    ).json()
    setup.close()

    west = Visit(browser, hub.base, lang)
    west.sign_in("west.liaison")
    west.page.goto("/incidents")
    assert west.look(f"incidents-list-{lang}") == []

    # Report: a point clicked on the map.
    west.page.goto("/incidents/new")
    expect(west.page.locator(".in-draw-tools")).to_be_visible()
    west.page.select_option("#what", "armed_clash/sniper_fire")
    west.page.fill("#occurred_at", _local(-1))
    west.page.select_option("#severity", "severe")
    west.page.fill("#description", "Sniper fire on the Bridge Road near the mill")
    west.page.click("[data-shape=point]")
    _click_map(west.page, (0.3, 0.5))
    drawn = json.loads(west.page.input_value("#location"))
    assert drawn["type"] == "Point"
    assert west.look(f"incidents-new-{lang}") == []
    west.page.click("#in-form button[type=submit]:not([data-shape])")
    west.page.wait_for_url("**/incidents/*")
    incident = west.page.url
    expect(west.page.locator("h1")).to_contain_text("INC-")
    assert west.look(f"incidents-one-{lang}") == []

    # Issue: the closure drawn as a line along the Bridge Road, through the whole town.
    west.page.goto("/advisories/new")
    expect(west.page.locator("[data-shape=line]")).to_be_visible()
    expect(west.page.locator("[data-shape=point]")).to_be_hidden()
    west.page.select_option("#kind", "area_unsafe")
    expect(west.page.locator("[data-shape=area]")).to_be_visible()
    expect(west.page.locator("[data-shape=line]")).to_be_hidden()
    west.page.select_option("#kind", "checkpoint_closed")
    expect(west.page.locator("#in-checkpoint-row")).to_be_visible()
    expect(west.page.locator("#in-draw-card")).to_be_hidden()
    west.page.select_option("#kind", "road_closed")
    west.page.fill("#valid_until", _local(24))
    west.page.fill("#description", "Crater across the road")
    west.page.click(".in-geojson summary")  # typed, as a reader without a mouse would
    west.page.fill(
        "#location",
        json.dumps({"type": "LineString", "coordinates": [[41.05, 34.4], [41.06, 34.4]]}),
    )
    west.page.locator("#location").dispatch_event("change")
    assert west.look(f"advisories-new-{lang}") == []
    west.page.click("#in-form button[type=submit]:not([data-shape])")
    west.page.wait_for_url("**/advisories/*")
    closure = west.page.locator("h1 bdi").inner_text()
    assert closure.startswith("ADV-")
    assert west.look(f"advisories-one-{lang}") == []
    west.close()

    east = Visit(browser, hub.base, lang)
    east.sign_in("east.admin")
    east.page.goto(incident)
    east.page.fill("#note", "Our post heard it too")
    east.page.click("form.in-judge button:not(.danger)")
    expect(east.page.locator("[data-verification=corroborated]")).to_be_visible()
    assert east.look(f"incidents-judged-{lang}") == []
    east.page.goto("/incidents?verification=corroborated&period=7d")
    expect(east.page.locator(".in-item").first).to_contain_text("INC-")
    east.close()

    # The trader's application shows the closure on its route, with the way to amend.
    trader = Visit(browser, hub.base, lang)
    trader.sign_in("trader")
    trader.page.goto(f"/applications/{application['id']}")
    alerts = trader.page.locator("#incident-alerts-box")
    expect(alerts).to_contain_text(closure)
    expect(alerts.locator("[data-route-affected]")).to_be_visible()
    expect(alerts.locator(f"a[href='/applications/{application['id']}/amend']")).to_be_visible()
    assert trader.look(f"incidents-application-{lang}") == []
    trader.close()

    # River Relief: the alert on its movement's page, and a watch drawn as an area.
    relief = Visit(browser, hub.base, lang)
    relief.sign_in("relief")
    relief.page.goto(f"/deconfliction/{movement['id']}")
    expect(relief.page.locator("#incident-alerts-box")).to_contain_text(closure)
    assert relief.look(f"incidents-movement-{lang}") == []
    relief.page.goto("/watches")
    relief.page.fill("#name", f"Bridge market {lang}")
    relief.page.click("[data-shape=area]")
    _click_map(relief.page, (0.55, 0.4), (0.7, 0.4), (0.7, 0.6), (0.55, 0.6))
    assert json.loads(relief.page.input_value("#location"))["type"] == "Polygon"
    relief.page.click("#in-form button[type=submit]:not([data-shape])")
    relief.page.wait_for_load_state("networkidle")
    assert relief.page.locator(".alert").count() == 0, relief.page.locator(
        ".alert"
    ).all_inner_texts()
    mine = relief.page.locator(".in-watches li", has_text=f"Bridge market {lang}")
    expect(mine).to_have_count(1)
    assert relief.look(f"watches-{lang}") == []
    mine.locator("form button").click()
    expect(mine.locator(".pill")).to_be_visible()
    relief.close()
