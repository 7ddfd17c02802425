"""The town's clock, through the pages: a trader in Baghdad opens the form at 21:07, submits
what it offers, both authorities approve at once, and the permit is valid from 21:07 as every
page, notice and printout shows it (UTC as a second line), not "not yet valid" until 22:00."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tansiq.settings import Settings
from tests.clearances.conftest import Tokens, all_approve
from tests.clearances.test_trader_pages import _form
from tests.conftest import SECRET_KEY
from tests.web.pages import csrf_of, sign_in

APPROVED_AT = datetime(2026, 11, 25, 18, 7, tzinfo=UTC)  # 21:07 in Baghdad
FIELD = re.compile(
    r'id="valid-(from|until)" name="valid_(?:from|until)" type="datetime-local"'
    r' dir="ltr" value="([^"]*)"'
)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        database_url="sqlite://",
        max_body_bytes=1024 * 1024,
        secret_key=SECRET_KEY,
        time_zone="Asia/Baghdad",
    )


@pytest.fixture
def at_21_07(clock: FixedClock) -> FixedClock:
    clock.current = APPROVED_AT
    return clock


def test_a_permit_approved_at_21_07_local_is_valid_from_21_07_local(
    client: TestClient, tokens: Tokens, at_21_07: FixedClock
) -> None:
    sign_in(client, "trader", "en")
    form = client.get("/applications/new")
    offered = dict(FIELD.findall(form.text))
    # The window starts now, on the town's clock, and the form names the zone.
    assert offered["from"] == "2026-11-25T21:07"
    assert offered["until"] == "2026-11-26T21:07"
    assert "Enter times in Iraq Time (UTC+03:00)." in form.text
    assert "(UTC)" not in form.text  # no field says otherwise
    done = client.post(
        "/applications/new",
        data=_form(
            at_21_07,
            csrf=csrf_of(form.text),
            valid_from=offered["from"],
            valid_until=offered["until"],
        ),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    ident = done.headers["location"].rsplit("/", 1)[-1]
    application = client.get(f"/api/v1/applications/{ident}", headers=tokens("trader")).json()
    all_approve(client, tokens, application)
    (permit,) = client.get(f"/api/v1/applications/{ident}", headers=tokens("trader")).json()[
        "permits"
    ]
    assert datetime.fromisoformat(permit["valid_from"]) == APPROVED_AT
    assert permit["status"] == "active"

    page = client.get(f"/applications/{ident}").text
    assert "25 Nov 2026, 21:07" in page
    assert "25 Nov 2026, 18:07 UTC" in page  # the second line
    assert "Times are shown in Iraq Time (UTC+03:00)." in page
    permits = client.get("/permits").text
    assert "25 Nov 2026, 21:07" in permits
    assert "26 Nov 2026, 21:07" in permits

    sign_in(client, "trader", "ar")
    arabic = client.get(f"/applications/{ident}").text
    assert "25 نوفمبر 2026، 21:07" in arabic
    assert "توقيت العراق (UTC+03:00)" in arabic
    inbox = client.get("/inbox").text
    # The issue notice tells the same local time, in the reader's one format.
    assert "25 نوفمبر 2026، 21:07" in inbox
    assert "2026-11-25T18:07" not in inbox

    printed = client.get(f"/permits/{permit['id']}/print").text
    assert "25 Nov 2026, 21:07" in printed
    assert "25 نوفمبر 2026، 21:07" in printed
    assert "25 Nov 2026, 18:07 UTC" in printed


def test_a_typed_time_is_the_towns_and_comes_back_as_typed(
    client: TestClient, tokens: Tokens, at_21_07: FixedClock
) -> None:
    sign_in(client, "trader", "en")
    form = client.get("/applications/new")
    start = "2026-11-26T08:30"
    done = client.post(
        "/applications/new",
        data=_form(
            at_21_07, csrf=csrf_of(form.text), valid_from=start, valid_until="2026-11-27T08:30"
        ),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    ident = done.headers["location"].rsplit("/", 1)[-1]
    stored = client.get(f"/api/v1/applications/{ident}", headers=tokens("trader")).json()
    window = stored["content"]["window"]
    assert datetime.fromisoformat(window["valid_from"]) == datetime(2026, 11, 26, 5, 30, tzinfo=UTC)
    assert datetime.fromisoformat(window["valid_until"]) == datetime(
        2026, 11, 27, 5, 30, tzinfo=UTC
    )
    amend = client.get(f"/applications/{ident}/amend").text
    assert dict(FIELD.findall(amend)) == {"from": start, "until": "2026-11-27T08:30"}
