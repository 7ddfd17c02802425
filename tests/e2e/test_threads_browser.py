"""Liaison threads and the conflicts page in Chromium, in Arabic and English, at phone and
desktop widths: West Command starts a thread about its patrol with a template picked from the
list (only that template's fields show), River Relief answers in free text, each reads the
other's message with its receipt; the conflicts page offers the shift. axe-core finds no
serious problem and nothing is wider than the screen. ``SCREENSHOTS=/tmp/shots`` keeps the
pictures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser

from tansiq.core.clock import FixedClock
from tests.conftest import NOW, DatabaseFactory
from tests.e2e.browsing import Visit, serving_hub


@pytest.fixture(scope="module")
def hub_base(databases: DatabaseFactory) -> Iterator[str]:
    with serving_hub(databases, "threads", FixedClock(NOW)) as hub:
        yield hub.base


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_thread_about_a_patrol(hub_base: str, browser: Browser, lang: str) -> None:
    west = Visit(browser, hub_base, lang)
    west.sign_in("west.liaison")
    west.page.goto("/deconfliction/new")
    start = NOW + timedelta(hours=5)
    west.page.fill("#checkpoints", "W-GATE, BRIDGE-W, BRIDGE-E, E-GATE")
    west.page.fill("#start", start.strftime("%Y-%m-%dT%H:%M"))
    west.page.fill("#end", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    west.page.select_option("#purpose", "patrol")
    west.page.fill("#contact", "Operations room")
    west.page.click("button:not([name=op])[type=submit] >> nth=-1")
    west.page.wait_for_url("**/deconfliction/*")
    notification = west.page.url.rsplit("/", 1)[1]

    west.page.goto(f"/threads/new?notification={notification}")
    assert west.page.locator("#text").is_visible()
    west.page.select_option("#template", "confirm_patrol")
    assert not west.page.locator("#text").is_visible()
    assert west.page.locator("#checkpoint").is_visible()
    assert not west.page.locator("#start").is_visible()
    assert west.look(f"thread-new-{lang}") == []
    west.page.fill("#topic", "Patrol at the west gate")
    boxes = west.page.locator("input[name=members]")
    assert boxes.count() >= 1
    boxes.first.check()
    west.page.select_option("#checkpoint", "W-GATE")
    west.page.click("main form button[type=submit]")
    west.page.wait_for_url("**/threads/*")
    thread = west.page.url.split("#")[0]
    assert west.look(f"thread-{lang}") == []

    other = Visit(browser, hub_base, lang)
    other.sign_in("east.admin")
    other.page.goto("/threads")
    assert other.look(f"threads-{lang}") == []
    other.page.goto(thread)
    assert other.page.locator(".thread-text").count() == 1
    other.page.fill("#text", "Confirmed / مؤكد")
    other.page.click("main form button[type=submit]")
    other.page.wait_for_load_state("networkidle")
    assert other.page.locator(".thread-text").count() == 2

    west.page.goto(thread)
    assert west.page.locator(".receipts .pill.approved").count() >= 1  # East read it
    west.page.goto("/deconfliction/conflicts")
    assert west.look(f"conflicts-{lang}") == []
    west.close()
    other.close()
