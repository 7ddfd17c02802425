"""Deconfliction's entries checked against their rows: a movement filed, acknowledged with a
concern by one party, reminded and escalated for the other, updated, then withdrawn; then the
rows edited, deleted or inserted behind the hub's back — ``check_ledger`` names the
notification. On SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.ledger.models import LedgerEntryRecord
from tests.accountability.test_liaison_figures import story
from tests.conftest import Tokens
from tests.deconfliction.conftest import movement, post, site
from tests.ledger.test_rows import check


@pytest.fixture
def filed(client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock) -> dict[str, Any]:
    number = story(client, hub, tokens, clock)  # filed, acknowledged, reminded, escalated
    other = post(client, "/movements", tokens("relief"), movement(clock))
    changed = client.post(
        f"/api/v1/deconfliction/movements/{other['id']}/versions",
        json={**movement(clock, vehicles=5), "expected_version": 1},
        headers=tokens("relief"),
    )
    assert changed.status_code == 200, changed.text
    clock.advance(timedelta(minutes=1))
    withdrawn = client.post(
        f"/api/v1/deconfliction/notifications/{other['id']}/withdrawal",
        json={"note": "Convoy cancelled"},
        headers=tokens("relief"),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    clinic = post(client, "/sites", tokens("relief"), site())
    clock.advance(timedelta(days=5))
    post(client, f"/sites/{clinic['id']}/reconfirmation", tokens("relief"), {})
    return {"first": number, "other": other["id"], "site": clinic["id"]}


def test_every_deconfliction_change_is_recorded_and_matches_its_row(
    filed: dict[str, Any], session: Session
) -> None:
    result = check(session)
    assert result.problem is None, result.problem
    kinds = set(session.scalars(select(LedgerEntryRecord.kind)))
    assert {
        "deconfliction.filed",
        "deconfliction.updated",
        "deconfliction.read",
        "deconfliction.acknowledged",
        "deconfliction.reminded",
        "deconfliction.escalated",
        "deconfliction.withdrawn",
        "deconfliction.reconfirmed",
    } <= kinds


TAMPERING: dict[str, tuple[str, str, str]] = {
    "route moved": (
        "UPDATE deconfliction_versions SET width_m = 5000 WHERE notification_id = :first",
        "ledger.row_changed",
        "notification:{first}",
    ),
    "party dropped from those reached": (
        "DELETE FROM deconfliction_affected_parties WHERE notification_id = :first"
        " AND id = (SELECT MIN(id) FROM deconfliction_affected_parties"
        " WHERE notification_id = :first)",
        "ledger.row_changed",
        "notification:{first}",
    ),
    "concern erased": (
        "UPDATE deconfliction_acknowledgements SET state = 'received', concern = NULL"
        " WHERE notification_id = :first AND concern IS NOT NULL",
        "ledger.row_changed",
        "notification:{first}",
    ),
    "escalation deleted": (
        "DELETE FROM deconfliction_escalations WHERE notification_id = :first",
        "ledger.row_missing",
        "notification:{first}",
    ),
    "reminder never sent": (
        "UPDATE deconfliction_acknowledgements SET reminded_at = NULL"
        " WHERE notification_id = :first",
        "ledger.row_missing",
        "notification:{first}",
    ),
    "withdrawal note rewritten": (
        "UPDATE deconfliction_notifications SET end_note = 'never filed' WHERE id = :other",
        "ledger.row_changed",
        "notification:{other}",
    ),
    "first reads erased": (
        "UPDATE deconfliction_acknowledgements SET first_read_at = NULL"
        " WHERE notification_id = :first",
        "ledger.row_missing",
        "notification:{first}",
    ),
    "a read that never happened": (
        "UPDATE deconfliction_acknowledgements SET first_read_at = delivered_at"
        " WHERE notification_id = :other AND first_read_at IS NULL",
        "ledger.row_unrecorded",
        "notification:{other}",
    ),
    "a re-confirmation's end moved": (
        "UPDATE deconfliction_reconfirmations SET until = at WHERE notification_id = :site",
        "ledger.row_changed",
        "notification:{site}",
    ),
    "a re-confirmed site's end moved": (
        "UPDATE deconfliction_notifications SET active_until = confirmed_at WHERE id = :site",
        "ledger.row_changed",
        "notification:{site}",
    ),
    "a re-confirmation erased": (
        "DELETE FROM deconfliction_reconfirmations WHERE notification_id = :site",
        "ledger.row_missing",
        "notification:{site}",
    ),
    "a re-confirmation that never happened": (
        "INSERT INTO deconfliction_reconfirmations (notification_id, at, until)"
        " SELECT notification_id, at, until FROM deconfliction_reconfirmations"
        " WHERE notification_id = :site",
        "ledger.row_unrecorded",
        "notification:{site}",
    ),
    "occurrence added": (
        "INSERT INTO deconfliction_occurrences (notification_id, version_id, starts_at, ends_at)"
        " SELECT notification_id, version_id, starts_at, ends_at FROM deconfliction_occurrences"
        " WHERE notification_id = :first",
        "ledger.row_changed",
        "notification:{first}",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_a_deconfliction_row_changed_behind_the_hubs_back_is_named(
    case: str, filed: dict[str, Any], session: Session
) -> None:
    statement, code, subject = TAMPERING[case]
    assert check(session).problem is None
    session.execute(text(statement), filed)
    result = check(session)
    assert result.problem is not None, case
    assert result.problem.code == code, result.problem.render(Locale.EN)
    assert subject.format(**filed) in result.problem.render(Locale.EN)["message"]
