"""Sign-in throttling through the API and the login page: the fifth failure in a row locks the
username, the lock answers 429 with Retry-After before any password is checked, it lifts with
time, and a success clears the count; one address guessing across many accounts is held too."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.demo.service import DEMO_PASSWORD
from tansiq.parties.models import SignInCounterRecord
from tansiq.parties.throttle import ThrottleKind

TOKENS = "/api/v1/auth/tokens"


def sign_in(client: TestClient, username: str, password: str) -> tuple[int, str | None]:
    response = client.post(TOKENS, json={"username": username, "password": password})
    code = response.json().get("error", {}).get("code") if response.status_code >= 400 else None
    return response.status_code, code


def counter(session: Session, kind: ThrottleKind, key: str) -> SignInCounterRecord | None:
    session.expire_all()
    return session.scalars(
        select(SignInCounterRecord).where(
            SignInCounterRecord.kind == kind, SignInCounterRecord.key == key
        )
    ).first()


def test_five_failures_lock_the_username_until_its_time(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    failures = [sign_in(client, "trader", "wrong-password") for _ in range(5)]
    locked = client.post(TOKENS, json={"username": "trader", "password": DEMO_PASSWORD})
    stored = counter(session, ThrottleKind.USERNAME, "trader")

    assert failures == [(401, "auth.bad_credentials")] * 5
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "auth.locked"
    assert locked.headers["Retry-After"] == "30"
    assert stored is not None
    assert stored.failures == 5  # the refused attempt was not even counted: nothing was checked

    clock.current += timedelta(seconds=31)
    assert sign_in(client, "trader", DEMO_PASSWORD) == (201, None)
    assert counter(session, ThrottleKind.USERNAME, "trader") is None  # a success clears it


def test_the_lock_doubles_with_each_further_failure(client: TestClient, clock: FixedClock) -> None:
    for _ in range(5):
        sign_in(client, "trader", "wrong-password")
    clock.current += timedelta(seconds=31)
    assert sign_in(client, "trader", "still-wrong") == (401, "auth.bad_credentials")

    again = client.post(TOKENS, json={"username": "TRADER ", "password": DEMO_PASSWORD})

    assert again.status_code == 429
    assert again.headers["Retry-After"] == "60"


def test_one_address_guessing_across_accounts_is_held(client: TestClient) -> None:
    spread = [sign_in(client, f"nobody{i}", "guess") for i in range(20)]

    assert spread == [(401, "auth.bad_credentials")] * 20
    assert sign_in(client, "east.reviewer", DEMO_PASSWORD) == (429, "auth.locked")


def test_the_login_page_says_so_in_the_readers_language(client: TestClient) -> None:
    for _ in range(5):
        sign_in(client, "west.reviewer", "wrong-password")
    page = client.get("/login", headers={"Accept-Language": "ar"})
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]

    shown = client.post(
        "/login",
        data={"username": "west.reviewer", "password": DEMO_PASSWORD, "csrf": csrf},
        headers={"Accept-Language": "ar"},
    )

    assert shown.status_code == 429
    assert "محاولات" in shown.text
