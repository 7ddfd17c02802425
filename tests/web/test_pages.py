"""The web pages through HTTP: sign-in and CSRF, each page in both languages, need-to-know,
and a reviewer's decision through the form."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from tansiq.core.clock import FixedClock
from tansiq.web.session import PageSession, SessionSigner
from tests.clearances.conftest import (
    Tokens,
    all_approve,
    application_body,
    east_rejects,
    review_of,
    submit,
)
from tests.web.pages import csrf_of, sign_in

ARABIC = re.compile("[\u0600-\u06ff]")


def test_sign_in_refuses_a_bad_password_with_a_coded_message(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": "trader", "password": "wrong-password"},
    )
    assert response.status_code == 401
    assert 'data-code="auth.bad_credentials"' in response.text
    assert "tansiq_session" in client.cookies


def test_a_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    response = client.post("/login", data={"username": "trader", "password": "tansiq-demo"})
    assert response.status_code == 403
    assert 'data-code="csrf.invalid"' in response.text
    forged = client.post(
        "/login", data={"csrf": "forged", "username": "trader", "password": "tansiq-demo"}
    )
    assert forged.status_code == 403


def test_pages_carry_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/login")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_a_forged_session_cookie_is_an_anonymous_session(client: TestClient) -> None:
    client.cookies.set("tansiq_session", "eyJjIjoieCJ9.forged")
    response = client.get("/home", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/home"


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_trader_home_lists_applications_in_either_language(
    client: TestClient, tokens: Tokens, clock: FixedClock, lang: str, direction: str
) -> None:
    submit(client, tokens("trader"), application_body(clock))
    sign_in(client, "trader", lang)
    page = client.get("/home")
    assert page.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in page.text
    assert ("طلباتي" in page.text) is (lang == "ar")
    assert ("My applications" in page.text) is (lang == "en")
    assert "West Gate depot" in page.text


def test_the_language_switch_is_remembered(client: TestClient) -> None:
    response = client.get("/lang/ar?next=/login", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "tansiq_lang=ar" in response.headers["set-cookie"]
    page = client.get("/login")
    assert 'dir="rtl"' in page.text
    assert (
        client.get("/lang/en?next=//evil.example", follow_redirects=False).headers["location"]
        == "/home"
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_reviewer_decides_through_the_form_and_the_trader_sees_the_permit(
    client: TestClient, tokens: Tokens, clock: FixedClock, lang: str
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    east_rejects(client, tokens, application)
    sign_in(client, "west.reviewer", lang)
    waiting = client.get("/home")
    assert application["reference"] in waiting.text
    assert ARABIC.search(waiting.text) if lang == "ar" else "Reviews waiting" in waiting.text
    page = client.get(f"/applications/{application['id']}")
    assert page.status_code == 200
    assert 'id="decide"' in page.text
    assert "data-map='" in page.text
    west = review_of(application, "west-command")
    form = {
        "csrf": csrf_of(page.text),
        "expected_version": str(west["lock_version"]),
        "decision": "approve",
        "daylight": "1",
    }
    done = client.post(f"/reviews/{west['id']}/decision", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text
    shown = client.get(done.headers["location"])
    assert 'role="status"' in shown.text
    assert 'class="alert contradiction"' in shown.text  # west approved, east refused
    again = client.post(f"/reviews/{west['id']}/decision", data=form)
    assert again.status_code == 409
    assert 'data-code="review.not_pending"' in again.text
    client.post("/logout", data={"csrf": csrf_of(shown.text)})
    sign_in(client, "trader", lang)
    mine = client.get(f"/applications/{application['id']}")
    assert "route_closed" in mine.text
    assert ("الطريق مغلق" in mine.text) is (lang == "ar")


def test_approval_by_all_gives_a_printable_permit(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    all_approve(client, tokens, application)
    sign_in(client, "trader", "ar")
    page = client.get(f"/applications/{application['id']}")
    link = re.search(r'href="(/permits/\d+/print)"', page.text)
    assert link is not None
    printed = client.get(link.group(1))
    assert printed.status_code == 200
    assert "<svg" in printed.text
    assert "script-src 'self'" in printed.headers["content-security-policy"]


def test_a_trader_cannot_open_another_partys_application(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    sign_in(client, "relief", "ar")
    page = client.get(f"/applications/{application['id']}")
    assert page.status_code == 404
    assert 'dir="rtl"' in page.text
    assert client.get("/permits/999999/print").status_code == 404


def test_inbox_lists_messages_and_marks_them_read(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    submit(client, tokens("trader"), application_body(clock))
    sign_in(client, "west.reviewer", "en")
    page = client.get("/inbox")
    assert page.status_code == 200
    found = re.search(r'action="/inbox/(\d+)/read"', page.text)
    assert found is not None
    done = client.post(
        f"/inbox/{found.group(1)}/read", data={"csrf": csrf_of(page.text)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert f'action="/inbox/{found.group(1)}/read"' not in client.get("/inbox").text


def test_observers_get_a_dashboard_and_pages_need_a_session(client: TestClient) -> None:
    for path in ("/home", "/inbox", "/applications/1", "/permits/1/print"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    sign_in(client, "municipality", "ar")
    page = client.get("/home")  # the municipality's own home: what it follows
    assert page.status_code == 200
    assert "ما تتابعه البلدية" in page.text
    assert client.get("/login", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("once", ['"text"', '{"kind": 1}', "[1]"])
def test_a_session_cookie_with_a_malformed_shown_once_value_is_anonymous(once: str) -> None:
    signer = SessionSigner("test-secret")
    good = signer.dump(PageSession(token="t", token_id=1, once={"kind": "device", "token": "x"}))
    assert signer.load(good).once == {"kind": "device", "token": "x"}
    forged = good.replace(good.split(".")[0], "e30")  # another payload under the same signature
    assert signer.load(forged).token is None
    # Validly signed by the hub's key, but the shown-once value has the wrong shape.
    serializer = URLSafeTimedSerializer("test-secret", salt="tansiq-session")
    signed = serializer.dumps({"c": "c", "t": "t", "i": 1, "o": json.loads(once)})
    assert signer.load(signed).token is None


def test_an_expired_session_cookie_is_anonymous() -> None:
    signer = SessionSigner("test-secret", max_age_s=-1)
    assert signer.load(signer.dump(PageSession(token="t", token_id=1))).token is None
