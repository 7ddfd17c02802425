"""Every entry checked against the live row it records: a real scenario through the API (an
application decided, a permit issued and suspended, a device enrolled and revoked, scans with a
contradiction and a suspected clone, a key rotated), then the rows edited, deleted or inserted
behind the hub's back with SQL — ``check_ledger`` names the first bad entry. On SQLite and on
PostgreSQL (``TANSIQ_TEST_DATABASE_URL``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.ledger import service
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.ledger_check.sources import governance_keys, ledger_sources
from tests.checkpoints.test_sync import device, event, push
from tests.clearances.conftest import ROADS, Tokens, application_body, decide, review_of, submit


def check(session: Session) -> service.LedgerCheck:
    session.flush()
    session.expire_all()
    service.sequence_entries(session)
    return service.check_ledger(session, governance_keys(session), ledger_sources())


@pytest.fixture
def scenario(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session
) -> dict[str, Any]:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    review = review_of(application, "west-command")
    approved = decide(client, tokens("west.reviewer"), review, decision="approve")
    assert approved.status_code == 200, approved.text
    ref = f"P-{application['id']:06d}"
    west = device(client, tokens, "W-SOUTH", "west.admin")
    gate = device(client, tokens, "W-GATE", "west.admin")
    east = device(client, tokens, "E-GATE", "east.admin")
    start = clock.now()
    push(client, west, [event(start, permit=ref, action="refusal", reason_code="cargo_mismatch")])
    push(client, gate, [event(start + timedelta(minutes=30), permit="P-000042")])
    push(client, east, [event(start + timedelta(minutes=32), permit="P-000042")])
    spare = client.post(
        "/api/v1/devices", headers=tokens("east.admin"), json={"checkpoint": "E-GATE", "name": "x"}
    ).json()
    revoked = client.post(f"/api/v1/devices/{spare['id']}/revocation", headers=tokens("east.admin"))
    assert revoked.status_code == 200, revoked.text
    permit = client.get(
        f"/api/v1/applications/{application['id']}", headers=tokens("trader")
    ).json()["permits"][0]["id"]
    suspended = client.post(
        f"/api/v1/permits/{permit}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed", "note": "Flooding"},
    )
    assert suspended.status_code == 200, suspended.text
    rotated = client.post(
        "/api/v1/authorities/east-force/keys/rotation", headers=tokens("east.admin")
    )
    assert rotated.status_code == 201, rotated.text
    return {"application": application["id"], "review": review["id"], "permit": ref}


def kinds(session: Session) -> set[str]:
    return set(session.scalars(select(LedgerEntryRecord.kind)))


def test_every_change_of_the_scenario_is_recorded_and_matches_its_row(
    scenario: dict[str, Any], session: Session
) -> None:
    recorded = kinds(session)
    result = check(session)

    assert result.problem is None, result.problem
    assert {
        "application.version",
        "application.submitted",
        "application.approved",
        "review.approved",
        "permit.issued",
        "permit.suspended",
        "revocation_delta.published",
        "key.retired",
        "device.enrolled",
        "device.revoked",
        "scan.synced",
        "scan.contradiction",
        "scan.clone_suspected",
        "key.active",
        "trust_list.published",
        "party.created",
        "user.created",
    } <= recorded


def first_entry(session: Session, subject: str, kind: str | None = None) -> LedgerEntryRecord:
    query = select(LedgerEntryRecord).where(LedgerEntryRecord.subject == subject)
    if kind is not None:
        query = query.where(LedgerEntryRecord.kind == kind)
    found = session.scalars(query.order_by(LedgerEntryRecord.seq)).first()
    assert found is not None, subject
    return found


# Each tampering with a recorded row, the code it must raise and the subject it must name.
ROW_TAMPERING: dict[str, tuple[str, str, str]] = {
    "review decision changed": (
        "UPDATE reviews SET decision = 'reject' WHERE id = :review",
        "ledger.row_changed",
        "review:{review}",
    ),
    "decision history changed": (
        "UPDATE review_decisions SET note = 'nothing to see' WHERE review_id = :review",
        "ledger.row_changed",
        "review:{review}",
    ),
    "permit validity stretched": (
        "UPDATE permits SET valid_until = :later WHERE application_id = :application",
        "ledger.row_changed",
        "permit:",
    ),
    "scan refusal turned into a passage": (
        "UPDATE scan_events SET action = 'passage' WHERE action = 'refusal'",
        "ledger.row_changed",
        "scans:",
    ),
    "contradiction flag cleared": (
        "UPDATE scan_events SET contradiction = :no WHERE contradiction = :yes",
        "ledger.row_missing",
        "scan:",
    ),
    "scan deleted": (
        "DELETE FROM scan_events WHERE permit_ref = 'P-000042' AND contradiction = :no"
        " AND clone_suspected = :no",
        "ledger.row_missing",
        "scans:",
    ),
    "device revoked unrecorded": (
        "UPDATE checkpoint_devices SET revoked_at = :later WHERE revoked_at IS NULL",
        "ledger.row_changed",
        "device:",
    ),
    "version content changed": (
        "UPDATE application_versions SET corridor_m = 5000 WHERE application_id = :application",
        "ledger.row_changed",
        "application:{application}",
    ),
    "application status changed": (
        "UPDATE application_transitions SET to_status = 'rejected'"
        " WHERE application_id = :application AND to_status = 'approved'",
        "ledger.row_changed",
        "application:{application}",
    ),
    "transition's reason changed": (
        "UPDATE application_transitions SET reason = 'nothing happened'"
        " WHERE application_id = :application AND from_status IS NOT NULL",
        "ledger.row_changed",
        "application:{application}",
    ),
    "transition deleted": (
        "DELETE FROM application_transitions"
        " WHERE application_id = :application AND to_status = 'approved'",
        "ledger.row_missing",
        "application:{application}",
    ),
    "transition inserted unrecorded": (
        "INSERT INTO application_transitions (application_id, from_status, to_status,"
        " application_version, actor_user_id, at, reason, reason_params)"
        " SELECT application_id, 'approved', 'withdrawn', application_version, actor_user_id,"
        " at, reason, reason_params FROM application_transitions"
        " WHERE application_id = :application AND to_status = 'approved'",
        "ledger.row_unrecorded",
        "application:{application}",
    ),
    "role granted unrecorded": (
        "INSERT INTO user_roles (user_id, role) SELECT id, 'reviewer' FROM users"
        " WHERE username = 'trader'",
        "ledger.row_changed",
        "user:",
    ),
    "retired key made active again": (
        "UPDATE signing_keys SET status = 'active', valid_to = NULL WHERE status = 'retired'",
        "ledger.row_changed",
        "key:",
    ),
    "permit reinstated unrecorded": (
        "UPDATE permits SET status = 'active' WHERE application_id = :application",
        "ledger.row_changed",
        "permit:",
    ),
    "device inserted unrecorded": (
        "INSERT INTO checkpoint_devices (checkpoint_id, name, token_hash, created_at, created_by)"
        " SELECT checkpoint_id, 'ghost', 'x', created_at, created_by FROM checkpoint_devices"
        " WHERE name = 'Gate phone 1' AND id = (SELECT MIN(id) FROM checkpoint_devices)",
        "ledger.row_unrecorded",
        "device:",
    ),
}


@pytest.mark.parametrize("case", list(ROW_TAMPERING))
def test_a_recorded_row_changed_behind_the_hubs_back_is_named(
    case: str, scenario: dict[str, Any], session: Session, clock: FixedClock
) -> None:
    statement, code, subject = ROW_TAMPERING[case]
    assert check(session).problem is None

    session.execute(
        text(statement),
        {
            **scenario,
            "later": clock.now() + timedelta(days=300),
            "yes": True,
            "no": False,
        },
    )
    result = check(session)

    assert result.problem is not None, case
    assert result.problem.code == code
    shown = result.problem.render(Locale.EN)["message"]
    assert subject.format(**scenario) in shown
    if code != "ledger.row_unrecorded":
        # The named entry is a real one: its seq, kind and subject are what the message says.
        params = result.problem.params
        named = session.scalars(
            select(LedgerEntryRecord).where(LedgerEntryRecord.seq == params["seq"])
        ).one()
        assert (named.kind, named.subject) == (params["kind"], params["subject"])
        assert shown.startswith(f"Entry {named.seq} ({named.kind}, {named.subject}): ")


def test_the_first_bad_entry_is_the_one_named(
    scenario: dict[str, Any], session: Session, clock: FixedClock
) -> None:
    # Two rows changed: the one recorded earlier in the tree is named.
    session.execute(text("UPDATE scan_events SET note = 'edited'"))
    session.execute(
        text("UPDATE reviews SET note = 'edited' WHERE id = :review"),
        {"review": scenario["review"]},
    )
    result = check(session)

    decision = first_entry(session, f"review:{scenario['review']}")
    assert result.problem is not None
    assert result.problem.params["seq"] == decision.seq
    assert result.problem.params["subject"] == f"review:{scenario['review']}"


def test_hub_admins_verify_through_the_api(
    client: TestClient, tokens: Tokens, scenario: dict[str, Any], session: Session
) -> None:
    refused = client.get("/api/v1/ledger/verification", headers=tokens("west.admin"))
    intact = client.get("/api/v1/ledger/verification", headers=tokens("admin"))
    session.execute(
        text("UPDATE reviews SET note = 'edited' WHERE id = :review"),
        {"review": scenario["review"]},
    )
    session.flush()
    broken = client.get(
        "/api/v1/ledger/verification", headers={**tokens("admin"), "Accept-Language": "ar"}
    )

    assert refused.status_code == 403
    assert intact.status_code == 200, intact.text
    assert intact.json()["intact"] is True
    assert broken.json()["intact"] is False
    assert broken.json()["problem"]["code"] == "ledger.row_changed"
    assert f"review:{scenario['review']}" in broken.json()["problem"]["message"]
    assert "القيد" in broken.json()["problem"]["message"]


def test_the_migration_finds_each_transitions_version_from_its_entry(
    scenario: dict[str, Any], session: Session
) -> None:
    """0021 fills the version of transitions recorded before it kept one, from the digest of
    their entries; a transition changed behind the hub's back matches no version and is left
    without one, so verify still names it."""
    import importlib.util
    from pathlib import Path

    path = (
        Path(__file__).resolve().parents[2]
        / "src/tansiq/migrations/versions/0021_transition_versions.py"
    )
    spec = importlib.util.spec_from_file_location("transition_versions_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    check(session)  # numbers the entries, as the head job would have
    read = text(
        "SELECT id, application_version FROM application_transitions"
        " WHERE application_id = :application AND from_status IS NOT NULL ORDER BY id"
    )
    kept = session.execute(read, scenario).all()
    assert len(kept) >= 2
    assert all(version == 1 for _id, version in kept)
    session.execute(text("UPDATE application_transitions SET application_version = NULL"))
    session.execute(
        text("UPDATE application_transitions SET reason = 'edited' WHERE id = :id"),
        {"id": kept[-1][0]},
    )

    migration._fill_versions(session.connection())

    found = session.execute(read, scenario).all()
    assert found == [*kept[:-1], (kept[-1][0], None)]
    problem = check(session).problem
    assert problem is not None
    assert problem.code == "ledger.row_changed"
