"""Incidents' entries checked against their rows: an incident reported, corroborated by one
party and refuted by another, and an advisory co-signed; then the rows edited or deleted behind
the hub's back — ``check_ledger`` names the incident or advisory. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.ledger.models import LedgerEntryRecord
from tests.conftest import Tokens
from tests.incidents.conftest import incident, post, road_closure
from tests.ledger.test_rows import check


@pytest.fixture
def reported(client: TestClient, tokens: Tokens, clock: FixedClock) -> dict[str, Any]:
    found = post(client, "/api/v1/incidents", tokens("west.liaison"), incident(clock))
    path = f"/api/v1/incidents/{found['id']}"
    post(client, path + "/corroboration", tokens("east.officer"), {"note": "seen"})
    post(client, path + "/refutation", tokens("relief"), {"note": "road is quiet"})
    closure = post(client, "/api/v1/advisories", tokens("west.liaison"), road_closure(clock))
    post(client, f"/api/v1/advisories/{closure['id']}/cosignature", tokens("east.admin"), {})
    return {"incident": found["id"], "advisory": closure["id"]}


def test_incidents_changes_are_recorded_and_match_their_rows(
    reported: dict[str, Any], session: Session
) -> None:
    result = check(session)
    assert result.problem is None, result.problem
    kinds = set(session.scalars(select(LedgerEntryRecord.kind)))
    assert {
        "incidents.reported",
        "incidents.corroborated",
        "incidents.refuted",
        "incidents.issued",
        "incidents.cosigned",
    } <= kinds


TAMPERING: dict[str, tuple[str, str, str]] = {
    "severity lowered": (
        "UPDATE incidents SET severity = 'minor' WHERE id = :incident AND severity <> 'minor'",
        "ledger.row_changed",
        "incident:{incident}",
    ),
    "description rewritten": (
        "UPDATE incidents SET description = 'nothing happened' WHERE id = :incident",
        "ledger.row_changed",
        "incident:{incident}",
    ),
    "refutation erased": (
        "DELETE FROM incident_verdicts WHERE incident_id = :incident AND verdict = 'refute'",
        "ledger.row_missing",
        "incident:{incident}",
    ),
    "corroboration's note rewritten": (
        "UPDATE incident_verdicts SET note = 'never seen' WHERE incident_id = :incident",
        "ledger.row_changed",
        "incident:{incident}",
    ),
    "co-signature removed": (
        "DELETE FROM advisory_cosigns WHERE advisory_id = :advisory",
        "ledger.row_missing",
        "advisory:{advisory}",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERING))
def test_an_incidents_row_changed_behind_the_hubs_back_is_named(
    case: str, reported: dict[str, Any], session: Session
) -> None:
    statement, code, subject = TAMPERING[case]
    assert check(session).problem is None
    session.execute(text(statement), reported)
    result = check(session)
    assert result.problem is not None, case
    assert result.problem.code == code, result.problem.render(Locale.EN)
    assert subject.format(**reported) in result.problem.render(Locale.EN)["message"]
