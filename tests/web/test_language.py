"""The reader's language is remembered in the browser and, once signed in, in their profile:
a new device opens in the language they chose last."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.parties.repository import PartyRepository
from tests.web.pages import PASSWORD, csrf_of, sign_in


def _locale_of(session: Session, username: str) -> str:
    session.expire_all()
    user = PartyRepository(session).user_by_username(username)
    assert user is not None
    return user.locale


def test_a_signed_in_choice_follows_the_user_to_a_new_device(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "trader", "ar")
    chosen = client.get("/lang/en?next=/inbox", follow_redirects=False)
    assert chosen.headers["location"] == "/inbox"
    assert _locale_of(session, "trader") == "en"
    client.cookies.clear()  # a new device: no language cookie, no session
    page = client.get("/login", headers={"accept-language": "ar"})  # the device speaks Arabic
    assert 'lang="ar"' in page.text
    signed = client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": "trader", "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert "tansiq_lang=en" in signed.headers["set-cookie"]
    assert 'dir="ltr"' in client.get("/home").text


def test_an_explicit_browser_choice_is_not_overridden_at_sign_in(
    client: TestClient, session: Session
) -> None:
    assert _locale_of(session, "west.reviewer") == "ar"  # the demo's authority users read Arabic
    sign_in(client, "west.reviewer", "en")
    assert 'dir="ltr"' in client.get("/home").text
    assert client.get("/lang/xx", follow_redirects=False).status_code == 303
    assert _locale_of(session, "west.reviewer") == "ar"  # an unknown code changes nothing
