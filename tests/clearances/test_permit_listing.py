"""Permits are listed and read through the API by those who may see their application; a
review names its application."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.clearances.conftest import Tokens, all_approve, application_body, submit


@pytest.fixture
def approved(client: TestClient, tokens: Tokens, clock: FixedClock) -> Any:
    application = submit(client, tokens("trader"), application_body(clock))
    all_approve(client, tokens, application)
    seen = client.get(f"/api/v1/applications/{application['id']}", headers=tokens("trader"))
    return seen.json()


def test_reviews_carry_their_application(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    assert {r["application_id"] for r in application["reviews"]} == {application["id"]}
    pending = client.get("/api/v1/reviews", headers=tokens("west.reviewer")).json()
    assert application["id"] in {r["application_id"] for r in pending}


@pytest.mark.parametrize("user", ["trader", "west.reviewer", "east.reviewer", "admin"])
def test_those_who_may_see_the_application_list_and_read_its_permit(
    client: TestClient, tokens: Tokens, approved: Any, user: str
) -> None:
    (permit,) = approved["permits"]
    listed = client.get("/api/v1/permits", headers=tokens(user))
    assert listed.status_code == 200, listed.text
    assert [p for p in listed.json() if p["id"] == permit["id"]] == [permit]
    assert permit["application_id"] == approved["id"]
    read = client.get(f"/api/v1/permits/{permit['id']}", headers=tokens(user))
    assert read.status_code == 200
    assert read.json() == permit
    active = client.get("/api/v1/permits?status=active", headers=tokens(user)).json()
    assert permit["id"] in {p["id"] for p in active}
    revoked = client.get("/api/v1/permits?status=revoked", headers=tokens(user)).json()
    assert permit["id"] not in {p["id"] for p in revoked}


@pytest.mark.parametrize("user", ["relief", "municipality"])
def test_others_neither_list_nor_read_it(
    client: TestClient, tokens: Tokens, approved: Any, user: str
) -> None:
    (permit,) = approved["permits"]
    listed = client.get("/api/v1/permits", headers=tokens(user)).json()
    assert permit["id"] not in {p["id"] for p in listed}
    read = client.get(f"/api/v1/permits/{permit['id']}", headers=tokens(user))
    assert read.status_code == 404
    assert read.json()["error"]["code"] == "permit.not_found"
