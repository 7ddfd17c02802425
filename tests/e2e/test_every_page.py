"""Every page each role can reach by following links from its home page, in both languages:
it answers without error, nothing on it is wider than a phone, axe-core finds no serious or
critical problem, nothing is fetched from anywhere but the hub, and its text shows no internal
code, ISO time or (in Arabic) English name where an Arabic one exists (page_text.py).

New pages are covered as soon as a link leads to them; addresses that differ only in their
numbers (``/applications/1``, ``/applications/2``) count as one page.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from tests.conftest import NOW
from tests.e2e.browsing import Visit, apply_through_api, approve_through_api, bearer
from tests.e2e.page_text import page_text_problems

# The hub admin's pages are the same as an authority admin's, and walked by test_admin_browser.
ROLES = ["trader", "west.reviewer", "west.admin", "west.officer", "municipality"]
# Not pages to look at: leaving the session, switching language, the API and files (a CSV
# export downloads rather than shows).
SKIP = re.compile(r"^/(logout|lang/|api/|docs|static/|assets/|openapi\.json|health)|.*\.csv$")
MOST_PAGES = 29
# Pages walked whatever the links of the first 25 lead to: the incidents' (issue 13).
ALSO = ("/incidents", "/incidents/new", "/advisories/new", "/watches")


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(visit: Visit) -> tuple[list[str], list[str]]:
    """(pages seen, problems) reachable from /home."""
    seen: set[str] = set()
    pages: list[str] = []
    problems: list[str] = []
    queue = deque(["/home", *ALSO])
    while queue and len(pages) < MOST_PAGES:
        path = queue.popleft()
        if _pattern(path) in seen:
            continue
        seen.add(_pattern(path))
        response = visit.page.goto(path)  # returns on the page's load event
        # A page that runs a script may fetch after its load event (a map's zones and tiles,
        # a movement's incident alerts), so the checks wait until the network has been quiet
        # for half a second; one without a script has fetched all it ever will by then, and
        # that wait, on two pages in three, was a third of the crawl.
        if visit.page.locator("script").count():
            visit.page.wait_for_load_state("networkidle")
        status = 0 if response is None else response.status
        here = urlsplit(visit.page.url).path
        pages.append(here)
        if status >= 400:
            problems.append(f"{path}: HTTP {status}")
            continue
        visit.shoot("every" + _pattern(here).replace("/", "-"))
        problems += [f"{here}: {problem}" for problem in visit.accessibility()]
        problems += [f"{here}: {problem}" for problem in page_text_problems(visit.page, visit.lang)]
        links = visit.page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        for link in links:
            target = urlsplit(link)
            if target.scheme or target.netloc or not target.path.startswith("/"):
                continue
            if SKIP.match(target.path) or _pattern(target.path) in seen:
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return pages, problems


@pytest.fixture(scope="module")
def permit_exists(server: str, browser: Browser) -> None:
    """One application refused by nobody and approved by all, so permit pages exist; an
    incident and a road closure on its road, so their pages and its alerts exist."""
    approve_through_api(browser, server, apply_through_api(browser, server, "EVERY-PAGE"))
    report_through_api(browser, server)


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_is_accessible_and_fits(
    server: str, browser: Browser, permit_exists: None, username: str, lang: str
) -> None:
    visit = Visit(browser, server, lang)
    visit.sign_in(username)
    pages, problems = _crawl(visit)
    assert visit.page.locator("html").get_attribute("lang") == lang
    visit.close()
    assert len(pages) >= 2, pages  # home and at least the inbox
    assert problems == [], problems


def report_through_api(browser: Browser, server: str) -> None:
    """West Command reports shots by the Bridge Road and closes a stretch of it."""
    context = browser.new_context(base_url=server)
    try:
        api = context.request
        headers = bearer(api, "west.liaison")
        shots = api.post(
            "/api/v1/incidents",
            headers=headers,
            data={
                "event_type": "armed_clash",
                "sub_type": "sniper_fire",
                "occurred_at": NOW.isoformat(),
                "location": {"type": "Point", "coordinates": [41.055, 34.401]},
                "description": "Shots by the Bridge Road",
            },
        )
        assert shots.status == 201, shots.text()
        closure = api.post(
            "/api/v1/advisories",
            headers=headers,
            data={
                "kind": "road_closed",
                "geometry": {"type": "LineString", "coordinates": [[41.05, 34.4], [41.06, 34.4]]},
                "valid_until": (NOW + timedelta(days=2)).isoformat(),
                "description": "Crater on the Bridge Road",
            },
        )
        assert closure.status == 201, closure.text()
    finally:
        context.close()
