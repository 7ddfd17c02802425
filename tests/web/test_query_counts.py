"""The main pages run a fixed number of queries, however many rows they show: counted with a
``before_cursor_execute`` listener for a few rows (3) and for many more (15)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from tansiq.checkpoints.models import DeviceRecord
from tansiq.clearances.models import ApplicationRecord
from tansiq.core.clock import FixedClock
from tansiq.geo.models import CheckpointRecord
from tansiq.parties.models import PartyRecord, UserRecord, UserRoleRecord
from tansiq.parties.repository import PartyRepository
from tests.clearances.conftest import Tokens, all_approve, application_body, submit
from tests.web.pages import sign_in


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


# The trader's own inbox gets nothing from submitting, so it is not here: its page is the
# reviewer's, which gets a message per new review.
CASES = [
    ("trader", "/home"),
    ("west.reviewer", "/home"),
    ("west.reviewer", "/inbox"),
    ("admin", "/home"),
]


def _count(client: TestClient, engine: Engine, user: str, path: str) -> tuple[int, int]:
    """The queries the page ran, and how long it is (so a test can see it shows more rows)."""
    sign_in(client, user)
    with counting(engine) as statements:
        page = client.get(path)
    assert page.status_code == 200
    client.cookies.clear()
    return len(statements), len(page.text)


def _same_queries_more_rows(few: tuple[int, int], many: tuple[int, int]) -> None:
    assert many[0] == few[0]
    assert many[1] > few[1]  # the page really shows the extra rows


def _same_queries_more_rows_on_each(
    few: dict[tuple[str, str], tuple[int, int]], many: dict[tuple[str, str], tuple[int, int]]
) -> None:
    """``_same_queries_more_rows`` for every page at once, so a failure names each page that
    differs, as one test per page did."""
    assert {case: queries for case, (queries, _) in many.items()} == {
        case: queries for case, (queries, _) in few.items()
    }
    assert [case for case in few if many[case][1] <= few[case][1]] == []


def _submit(client: TestClient, tokens: Tokens, clock: FixedClock, first: int, last: int) -> None:
    for number in range(first, last):
        body = application_body(clock, client_reference=f"QC-{number:04d}")
        submit(client, tokens("trader"), body)


# Every page is counted over the same applications (one test per page submitted its own 15,
# which was most of this file's time); each page signs in and out on its own.
def test_a_main_page_runs_as_many_queries_for_3_applications_as_for_15(
    client: TestClient, tokens: Tokens, clock: FixedClock, engine: Engine
) -> None:
    _submit(client, tokens, clock, 0, 3)
    few = {(user, path): _count(client, engine, user, path) for user, path in CASES}
    _submit(client, tokens, clock, 3, 15)
    many = {(user, path): _count(client, engine, user, path) for user, path in CASES}
    _same_queries_more_rows_on_each(few, many)


def test_an_application_page_runs_as_many_queries_with_3_applications_as_with_15(
    client: TestClient, tokens: Tokens, clock: FixedClock, engine: Engine
) -> None:
    first = submit(client, tokens("trader"), application_body(clock, client_reference="QC-A"))
    path = f"/applications/{first['id']}"
    _submit(client, tokens, clock, 0, 3)
    few = {user: _count(client, engine, user, path)[0] for user in ("trader", "west.reviewer")}
    _submit(client, tokens, clock, 3, 15)
    assert {user: _count(client, engine, user, path)[0] for user in few} == few


def _approved(client: TestClient, tokens: Tokens, clock: FixedClock, first: int, last: int) -> None:
    for number in range(first, last):
        body = application_body(clock, client_reference=f"QC-{number:04d}")
        all_approve(client, tokens, submit(client, tokens("trader"), body))


DECIDED_CASES = [("trader", "/permits"), ("west.reviewer", "/reviews/history")]


def test_a_page_of_permits_or_decisions_runs_as_many_queries_for_3_as_for_15(
    client: TestClient, tokens: Tokens, clock: FixedClock, engine: Engine
) -> None:
    _approved(client, tokens, clock, 0, 3)
    few = {(user, path): _count(client, engine, user, path) for user, path in DECIDED_CASES}
    _approved(client, tokens, clock, 3, 15)
    many = {(user, path): _count(client, engine, user, path) for user, path in DECIDED_CASES}
    _same_queries_more_rows_on_each(few, many)


Make = Callable[[Session, FixedClock, int], None]


def _party(session: Session, clock: FixedClock, number: int, kind: str) -> PartyRecord:
    party = PartyRecord(
        code=f"qc-{kind}-{number}",
        kind=kind,
        name_ar=f"جهة {number}",
        name_en=f"Party {number}",
        created_at=clock.now(),
    )
    session.add(party)
    session.flush()
    return party


def _trader(session: Session, clock: FixedClock, number: int) -> None:
    _party(session, clock, number, "trader")


def _authority(session: Session, clock: FixedClock, number: int) -> None:
    _party(session, clock, number, "authority")


def _user(session: Session, clock: FixedClock, number: int) -> None:
    hub = PartyRepository(session).party_by_code("hub")
    assert hub is not None
    session.add(
        UserRecord(
            party_id=hub.id,
            username=f"qc.user{number}",
            display_name=f"User {number}",
            password_hash="-",
            locale="en",
            is_active=True,
            created_at=clock.now(),
            roles=[UserRoleRecord(role="admin")],
        )
    )


def _checkpoint(session: Session, clock: FixedClock, number: int) -> CheckpointRecord:
    west = PartyRepository(session).party_by_code("west-command")
    assert west is not None
    checkpoint = CheckpointRecord(
        code=f"QC-CP-{number}",
        authority_id=west.id,
        name_ar=f"حاجز {number}",
        name_en=f"Checkpoint {number}",
        lon=35.0 + number / 1000,
        lat=31.9,
        status="open",
        status_reason="",
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint


def _make_checkpoint(session: Session, clock: FixedClock, number: int) -> None:
    _checkpoint(session, clock, number)


def _device(session: Session, clock: FixedClock, number: int) -> None:
    admin = PartyRepository(session).user_by_username("admin")
    assert admin is not None
    session.add(
        DeviceRecord(
            checkpoint_id=_checkpoint(session, clock, number).id,
            name=f"Device {number}",
            token_hash=f"{number:064d}",
            created_at=clock.now(),
            created_by=admin.id,
        )
    )


ADMIN_CASES = [
    pytest.param(path, make, id=path)
    for path, make in [
        ("/admin/parties", _trader),
        ("/admin/parties/hub/users", _user),
        ("/admin/checkpoints", _make_checkpoint),
        ("/admin/devices", _device),
        ("/admin/keys", _authority),
    ]
]


@pytest.mark.parametrize(("path", "make"), ADMIN_CASES)
def test_an_admin_list_runs_as_many_queries_for_3_rows_as_for_15(
    client: TestClient, session: Session, clock: FixedClock, engine: Engine, path: str, make: Make
) -> None:
    def made(first: int, last: int) -> None:
        for number in range(first, last):
            make(session, clock, number)
        session.commit()

    made(0, 3)
    few = _count(client, engine, "admin", path)
    made(3, 15)
    _same_queries_more_rows(few, _count(client, engine, "admin", path))


def test_the_api_list_runs_as_many_queries_for_3_applicants_as_for_15(
    client: TestClient, tokens: Tokens, session: Session, clock: FixedClock, engine: Engine
) -> None:
    """``GET /api/v1/applications`` names each row's applicant: read for all rows at once, not
    one party per row (the hub admin sees every applicant's applications)."""

    def applied(first: int, last: int) -> None:
        for number in range(first, last):
            body = application_body(clock, client_reference=f"QC-{number:04d}")
            created = submit(client, tokens("trader"), body)
            record = session.get(ApplicationRecord, created["id"])
            assert record is not None
            record.applicant_party_id = _party(session, clock, number, "trader").id
        session.commit()

    def counted() -> tuple[int, int]:
        headers = tokens("admin")
        # Once first: a token's first use is recorded, which is not what is counted here.
        assert client.get("/api/v1/applications", headers=headers).status_code == 200
        with counting(engine) as statements:
            listed = client.get("/api/v1/applications", params={"limit": 500}, headers=headers)
        assert listed.status_code == 200, listed.text
        assert all(row["applicant"].startswith("qc-trader-") for row in listed.json())
        return len(statements), len(listed.json())

    applied(0, 3)
    few = counted()
    applied(3, 15)
    many = counted()
    assert many[0] == few[0]
    assert many[1] == few[1] + 12
