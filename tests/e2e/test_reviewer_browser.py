"""The reviewer and the municipality in a real browser against a real hub (issue 11 items 8
and 9): the reviewer sees who and what, chooses "reject" and sees only its fields, submits
without a reason and gets the form back as left; the municipality opens every link in its
inbox. In English and Arabic, at phone and desktop widths, axe-core on every page."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import APIRequestContext, Browser, expect

from tests.conftest import NOW
from tests.e2e.browsing import Visit, apply_through_api, approve_through_api, bearer


def _push_refusal(api: APIRequestContext, application: dict[str, Any]) -> None:
    """West's own checkpoint W-SOUTH refuses the permit West signed (a contradiction)."""
    made = api.post(
        "/api/v1/devices",
        data={"checkpoint": "W-SOUTH", "name": "South phone"},
        headers=bearer(api, "west.admin"),
    )
    assert made.status == 201, made.text()
    refusal = {
        "id": uuid.uuid4().hex,
        "scanned_at": (NOW + timedelta(minutes=5)).isoformat(),
        "permit": f"P-{application['id']:06d}",
        "version": 1,
        "verdict": "valid",
        "action": "refusal",
        "reason_code": "cargo_mismatch",
        "note": "Seal broken",
        "officer": "Cpl. Nour",
    }
    pushed = api.post(
        "/api/v1/sync/events",
        data={"events": [refusal]},
        headers={"Authorization": f"Device {made.json()['token']}"},
    )
    assert pushed.status == 200, pushed.text()
    assert pushed.json()["contradictions"] == 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_reviewers_rejected_form_comes_back_with_its_choices(
    browser: Browser, server: str, lang: str
) -> None:
    application = apply_through_api(browser, server, f"REVIEW-{lang}")
    visit = Visit(browser, server, lang)
    visit.sign_in("east.reviewer")
    page = visit.page
    assert visit.look("reviews-queue") == []
    page.goto(f"/applications/{application['id']}")
    expect(page.locator(".who-what")).to_be_visible()
    # Only the chosen decision's fields show (no script: CSS :has()).
    expect(page.locator(".if-reject")).to_be_hidden()
    expect(page.locator(".if-conditions")).to_be_hidden()
    page.check("input[name=decision][value=approve_with_conditions]")
    expect(page.locator(".if-conditions")).to_be_visible()
    expect(page.locator(".if-reject")).to_be_hidden()
    page.check("input[name=via][value=BRIDGE-E]")
    page.check("input[name=decision][value=reject]")
    expect(page.locator(".if-reject")).to_be_visible()
    expect(page.locator(".if-conditions")).to_be_hidden()
    # Touch-sized choices.
    for choice in page.locator("form.decide label.choice:visible").all():
        box = choice.bounding_box()
        assert box is not None
        assert box["height"] >= 44
    page.fill("#note", "Convoy on the bridge all week")
    assert visit.look("review-decide") == []
    page.click("form.decide button[type=submit]")
    # No reason chosen: refused, and the form comes back as the reviewer left it.
    expect(page.locator("[data-code='review.reason_required']")).to_be_visible()
    expect(page.locator("form.decide .near-button")).to_be_in_viewport()  # next to the button
    expect(page.locator("input[name=decision][value=reject]")).to_be_checked()
    expect(page.locator("#note")).to_have_value("Convoy on the bridge all week")
    expect(page.locator("input[name=via][value=BRIDGE-E]")).to_be_checked()
    expect(page.locator(".if-reject")).to_be_visible()
    assert visit.look("review-error") == []
    page.select_option("#reason_code", "route_closed")
    page.click("form.decide button[type=submit]")
    expect(page.locator("p.notice[role=status]")).to_be_visible()
    visit.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_municipality_opens_every_link_in_its_inbox(
    browser: Browser, server: str, lang: str
) -> None:
    signed = apply_through_api(browser, server, f"SIGNED-{lang}")
    approve_through_api(browser, server, signed)
    api_context = browser.new_context(base_url=server)
    _push_refusal(api_context.request, signed)
    api_context.close()

    visit = Visit(browser, server, lang)
    visit.sign_in("municipality")
    page = visit.page
    assert page.url.endswith("/oversight")
    expect(page.locator(".contradiction-seen").first).to_be_visible()
    assert visit.look("oversight") == []
    page.goto("/inbox")
    assert visit.look("municipality-inbox") == []
    links = [str(a.get_attribute("href")) for a in page.locator("li.message a[href]").all()]
    assert links, "the municipality's inbox links to nothing"
    assert page.locator("li.message").count() == len(links)  # every message has its page
    for link in sorted(set(links)):
        response = page.goto(link)
        assert response is not None
        assert response.status == 200, (link, response.status)
    page.goto(f"/applications/{signed['id']}")
    assert visit.look("municipality-application") == []
    visit.close()
