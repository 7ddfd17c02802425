"""The map in a real browser: it opens on the town with the base layers under the zones, the
checkpoints drawn by status with their names, and as the reader pans it asks for the zones of
the new area (a zone far from the town arrives only then). English and Arabic, nothing fetched
from anywhere but the hub."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import APIResponse, Browser, Page, expect

from tansiq.demo.service import demo_file
from tests.e2e.browsing import Visit, bearer

# The east's map again, with a post east of the town (a new map replaces the old one).
FAR_POST = {
    "type": "FeatureCollection",
    "features": [
        *demo_file("zones_east.geojson")["features"],
        {
            "type": "Feature",
            "properties": {"name_en": "Far post", "name_ar": "نقطة بعيدة"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[41.25, 34.39], [41.27, 34.39], [41.27, 34.41], [41.25, 34.41], [41.25, 34.39]]
                ],
            },
        },
    ],
}


def _zone_names(response: APIResponse) -> set[str]:
    answer: dict[str, Any] = response.json()
    return {
        f["properties"]["name_en"] for f in answer["features"] if f["properties"]["kind"] == "zone"
    }


def _settled(page: Page) -> str:
    """The area (``bbox/zoom``) whose zones the map shows, once it has stopped asking."""
    page.wait_for_function(
        "() => { const m = document.getElementById('map');"
        " return m.dataset.zonesAsked && m.dataset.zonesAsked === m.dataset.zonesArea; }"
    )
    return page.locator("#map").get_attribute("data-zones-area") or ""


def _asked(visit: Visit, area: str) -> set[str]:
    """The zones the hub answers for ``area`` to the signed-in reader (as the map asked)."""
    bbox, zoom = area.split("/")
    answer = visit.context.request.get("/map/zones.json", params={"bbox": bbox, "zoom": zoom})
    assert answer.status == 200
    return _zone_names(answer)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_panning_loads_the_zones_of_the_new_area(server: str, browser: Browser, lang: str) -> None:
    visit = Visit(browser, server, lang)
    api = visit.context.request
    stored = api.post(
        "/api/v1/authorities/east-force/zone-maps",
        params={"valid_from": "2026-01-01T00:00:00Z", "source_name": f"far-{lang}.geojson"},
        data=json.dumps(FAR_POST),
        headers={**bearer(api, "east.admin"), "Content-Type": "application/json"},
    )
    assert stored.status == 201, stored.text()
    visit.sign_in("trader")
    page = visit.page
    page.goto("/applications/new")
    shown = page.locator("#map")
    expect(shown).to_have_attribute("data-zones-count", "5")  # both banks, the strip, the post
    # Base layers under the zones, checkpoints by status, their names on the map.
    expect(shown).to_have_attribute("data-base-count", "18")
    assert page.locator(".leaflet-base-pane path").count() >= 10
    expect(page.locator(".cp-marker.cp-closed")).to_have_count(1)
    expect(page.locator(".cp-marker.cp-open")).to_have_count(7)
    # Close in on the town: the post is out of view and out of what the map asked for.
    for _ in range(3):
        page.locator(".leaflet-control-zoom-in").click()
        page.wait_for_timeout(700)  # the zoom's animation and the loader's debounce
    page.wait_for_load_state("networkidle")
    close_in = _settled(page)
    assert close_in.endswith(("/14", "/15")), close_in
    assert "Far post" not in _asked(visit, close_in)
    assert "East Bank sector" in _asked(visit, close_in)
    name = "الجسر - الطرف الشرقي" if lang == "ar" else "Bridge, east end"
    expect(page.locator(".label-checkpoint", has_text=name)).to_be_visible()

    box = shown.bounding_box()
    assert box is not None
    middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    areas = [close_in]
    for _ in range(12):  # drag the map west, towards the post in the east, a little at a time
        page.mouse.move(middle_x + 75, middle_y)
        page.mouse.down()
        page.mouse.move(middle_x - 75, middle_y, steps=5)
        page.mouse.up()
        page.wait_for_timeout(700)  # the loader's debounce
        areas.append(_settled(page))
        if "Far post" in _asked(visit, areas[-1]):
            break
    assert "Far post" in _asked(visit, areas[-1]), areas
    assert len(set(areas)) > 2  # each pan asked for its own area
    drawn = page.locator(".leaflet-zones-pane path")
    expect(drawn).to_have_count(int(shown.get_attribute("data-zones-count") or "0"))
    visit.close()
