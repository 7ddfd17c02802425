"""The journey in a real browser against a real server: a trader's application, two
reviewers deciding through the form, the trader printing the permit; in English and Arabic,
at phone and desktop widths, with nothing fetched from anywhere but the hub itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browsing import Visit, apply_through_api


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
    # The form posts to …#decide (a refused form comes back scrolled to itself), and a
    # redirect keeps that fragment.
    visit.page.wait_for_url(lambda url: "decided=1" in url)
    expect(visit.page.locator("[role=status]")).to_have_count(1)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_journey_from_application_to_printed_permit(
    server: str, browser: Browser, lang: str
) -> None:
    refused = f"/applications/{apply_through_api(browser, server, f'REFUSED-{lang}')['id']}"
    cleared = f"/applications/{apply_through_api(browser, server, f'CLEARED-{lang}')['id']}"
    problems: list[str] = []

    west = Visit(browser, server, lang)
    west.sign_in("west.reviewer")
    problems += west.look("reviews")
    _decide(west, refused, "approve_with_conditions", shoot="application-review")
    problems += west.accessibility()
    _decide(west, cleared, "approve")
    west.page.goto("/reviews/history")
    for path in (refused, cleared):  # the server is shared by both languages' journeys
        expect(west.page.locator(f"tbody a[href='{path}']")).to_have_count(1)
    problems += west.look("reviews-history")
    west.close()

    east = Visit(browser, server, lang)
    east.sign_in("east.reviewer")
    _decide(east, refused, "reject")
    expect(east.page.locator(".contradiction")).to_have_count(1)
    _decide(east, cleared, "approve")
    east.close()

    trader = Visit(browser, server, lang)
    trader.sign_in("trader")
    problems += trader.look("home")
    trader.page.goto(refused)
    trader.page.wait_for_selector("#map .leaflet-interactive")
    assert trader.page.locator(".contradiction").count() == 1
    trader.shoot("contradiction")
    trader.page.goto(cleared)
    assert trader.page.locator("[data-status]").get_attribute("data-status") == "approved"
    problems += trader.look("application-approved")
    trader.page.click("a.print")
    trader.page.wait_for_selector(".qr svg")
    assert trader.page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    trader.shoot("permit")
    trader.page.goto("/inbox")
    problems += trader.look("inbox")
    trader.page.goto("/login")
    trader.close()

    anonymous = Visit(browser, server, lang)
    anonymous.page.goto("/login")
    problems += anonymous.look("login")
    anonymous.close()
    assert problems == [], problems
