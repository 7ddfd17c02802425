"""Helpers for page tests: sign in through the form, read the CSRF token from a page, and have
the demo's reviewers decide an application through the API."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.clearances.conftest import Tokens, decide, review_of
from tests.pages.browsing import browser, server  # noqa: F401 - fixtures for the browser tests

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "tansiq-demo"


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, lang: str = "en") -> None:
    client.cookies.set("tansiq_lang", lang)
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def east_rejects(
    client: TestClient, tokens: Tokens, application: Any, **note: str
) -> dict[str, Any]:
    """East Force's reviewer rejects ``application`` (the route is closed, with ``note`` if
    given); the review it decided."""
    east: dict[str, Any] = review_of(application, "east-force")
    rejected = decide(
        client, tokens("east.reviewer"), east, decision="reject", reason_code="route_closed", **note
    )
    assert rejected.status_code == 200, rejected.text
    return east


def all_approve(client: TestClient, tokens: Tokens, application: Any) -> None:
    """Both authorities the demo's bridge road crosses approve ``application``."""
    for user, authority in (("west.reviewer", "west-command"), ("east.reviewer", "east-force")):
        review = review_of(application, authority)
        assert decide(client, tokens(user), review, decision="approve").status_code == 200
