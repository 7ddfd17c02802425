"""The driver check's outcome travels with the officer's decision: recorded in the scan event
(from the browser app, the CLI device and the API), on the ledger, and in the scan lists."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from tansiq.checkpoints.models import ScanEventRecord
from tansiq.core.clock import FixedClock
from tansiq.ledger_check.sources import verify_ledger
from tests.checkpoints.test_sync import device, event, push
from tests.clearances.conftest import ROADS, application_body, decide, review_of, submit
from tests.conftest import Tokens
from tests.web.pages import sign_in


def test_the_driver_check_is_stored_listed_and_on_the_ledger(
    client: TestClient, session: Session, tokens: Tokens, clock: FixedClock
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    matched = event(clock.now(), permit="P-000901", driver_check="match")
    differs = {
        **event(clock.now(), permit="P-000902", verdict="valid", action="refusal"),
        "reason_code": "driver_not_authorised",
        "driver_check": "mismatch",
    }
    unchecked = event(clock.now(), permit="P-000903")
    result = push(
        client,
        gate,
        [
            matched,
            differs,
            unchecked,
            {**event(clock.now()), "id": uuid.uuid4().hex, "driver_check": "maybe"},
        ],
    )
    assert result["stored"] == 3
    assert [(r["index"], r["field"]) for r in result["rejected"]] == [(3, "driver_check")]
    listed = client.get("/api/v1/scans", headers=tokens("west.admin")).json()
    by_id = {scan["event_id"]: scan["driver_check"] for scan in listed}
    assert by_id[matched["id"]] == "match"
    assert by_id[differs["id"]] == "mismatch"
    assert by_id[unchecked["id"]] is None
    # On the ledger with the decision: the ledger still checks out, and a changed outcome
    # is caught like any other edit behind the hub's back.
    session.expire_all()
    assert verify_ledger(session).intact
    session.execute(
        update(ScanEventRecord)
        .where(ScanEventRecord.event_uid == differs["id"])
        .values(driver_check="match")
    )
    session.flush()
    assert not verify_ledger(session).intact


def test_the_municipality_sees_the_driver_check_beside_a_contradiction_in_its_words(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    west_gate = device(client, tokens, "W-SOUTH", "west.admin")
    refusal = {
        **event(clock.now(), permit=f"P-{application['id']:06d}", action="refusal"),
        "reason_code": "driver_not_authorised",
        "driver_check": "mismatch",
    }
    assert push(client, west_gate, [refusal])["contradictions"] == 1
    sign_in(client, "municipality", "ar")
    page = client.get("/oversight").text
    assert 'data-driver-check="mismatch"' in page
    assert "✗ لا يطابق التصريح" in page
    # The notice it got reads in Arabic: names, reason and time, no code.
    inbox = client.get("/inbox").text
    assert "driver_not_authorised" not in inbox
    assert "W-SOUTH" not in inbox
    assert "السائق غير مخوَّل" in inbox
