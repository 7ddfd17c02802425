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
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser

from tests.e2e.browsing import Visit, apply_through_api, approve_through_api
from tests.e2e.page_text import page_text_problems

# The hub admin's pages are the same as an authority admin's, and walked by test_admin_browser.
ROLES = ["trader", "west.reviewer", "west.admin", "west.officer", "municipality"]
# Not pages to look at: leaving the session, switching language, the API and files (a CSV
# export downloads rather than shows).
SKIP = re.compile(r"^/(logout|lang/|api/|docs|static/|assets/|openapi\.json|health)|.*\.csv$")
MOST_PAGES = 25


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(visit: Visit) -> tuple[list[str], list[str]]:
    """(pages seen, problems) reachable from /home."""
    seen: set[str] = set()
    pages: list[str] = []
    problems: list[str] = []
    queue = deque(["/home"])
    while queue and len(pages) < MOST_PAGES:
        path = queue.popleft()
        if _pattern(path) in seen:
            continue
        seen.add(_pattern(path))
        response = visit.page.goto(path)
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
    """One application refused by nobody and approved by all, so permit pages exist."""
    approve_through_api(browser, server, apply_through_api(browser, server, "EVERY-PAGE"))


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
