"""The deconfliction pages in Chromium, in Arabic and English, at phone and desktop widths:
River Relief notifies a convoy with the form (checkpoints typed, checked first), West Command
notifies a patrol drawn on the map that crosses it, acknowledges the convoy with a concern,
and each side's pages show what it may see; axe-core finds no serious problem and nothing is
wider than the screen. ``SCREENSHOTS=/tmp/shots`` keeps the pictures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tansiq.core.clock import FixedClock
from tests.conftest import NOW, DatabaseFactory
from tests.e2e.browsing import Visit, serving_hub


@pytest.fixture(scope="module")
def hub_base(databases: DatabaseFactory) -> Iterator[str]:
    with serving_hub(databases, "deconf", FixedClock(NOW)) as hub:
        yield hub.base


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_notify_acknowledge_and_look(hub_base: str, browser: Browser, lang: str) -> None:
    relief = Visit(browser, hub_base, lang)
    relief.sign_in("relief")
    relief.page.goto("/deconfliction/new")
    assert relief.look(f"deconf-new-{lang}") == []
    relief.page.fill("#checkpoints", "W-GATE, BRIDGE-W, BRIDGE-E, E-GATE")
    relief.page.fill("#start", "2026-11-25T16:00")
    relief.page.fill("#end", "2026-11-25T18:00")
    relief.page.select_option("#purpose", "humanitarian")
    relief.page.select_option("#vehicle_kind", "truck")
    relief.page.fill("#markings", "White trucks, blue flag")
    relief.page.fill("#contact", "+963 11 555 0101")
    relief.page.click("button[name=op][value=check]")
    relief.page.wait_for_load_state("networkidle")
    assert relief.page.locator("section[aria-live] li").count() == 2
    assert relief.look(f"deconf-check-{lang}") == []
    relief.page.click("button:not([name=op])[type=submit] >> nth=-1")
    relief.page.wait_for_url("**/deconfliction/*")
    convoy = relief.page.url

    west = Visit(browser, hub_base, lang)
    west.sign_in("west.liaison")
    west.page.goto("/deconfliction/new")
    west.page.fill("#start", "2026-11-25T17:00")
    west.page.fill("#end", "2026-11-25T19:00")
    west.page.select_option("#purpose", "patrol")
    west.page.fill("#contact", "Operations room")
    west.page.locator("#map").scroll_into_view_if_needed()
    box = west.page.locator("#map").bounding_box()
    assert box is not None
    # Two clicks across the map's middle: a line north to south through the bridge market.
    west.page.mouse.click(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.15)
    west.page.mouse.click(box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.85)
    assert west.page.input_value("#route").startswith('{"type":"LineString"')
    west.page.click("button:not([name=op])[type=submit] >> nth=-1")
    west.page.wait_for_url("**/deconfliction/*")
    patrol = "M-" + west.page.url.rsplit("/", 1)[1]
    assert west.look(f"deconf-patrol-{lang}") == []

    west.page.goto("/deconfliction")
    assert west.look(f"deconf-list-{lang}") == []
    west.page.goto(convoy)
    assert west.look(f"deconf-to-ack-{lang}") == []
    west.page.select_option("#concern", "timing")
    west.page.fill("#note", "Our patrol is out then")
    west.page.click("form[action$='/acknowledge'] button")
    west.page.wait_for_load_state("networkidle")

    relief.page.goto(convoy)
    assert relief.page.locator("table.table tbody tr").count() == 2  # both authorities
    assert patrol in relief.page.locator("#conflicts-title + ul").inner_text()
    assert relief.look(f"deconf-notifier-{lang}") == []
    relief.close()
    west.close()
