"""The witnesses' API: the latest signed head and proofs a witness checks on its own."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.ledger import service
from tansiq.ledger.domain import TreeHead, head_signature_valid
from tansiq.ledger.merkle import verify_consistency, verify_inclusion
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.permits.service import governance_signer
from tansiq.settings import Settings


@pytest.fixture(autouse=True)
def empty_ledger(session: Session) -> None:
    """Start from an empty ledger (the demo data's own entries are deleted inside the test's
    transaction, which is rolled back): sizes and positions below are then exact."""
    session.execute(delete(LedgerEntryRecord))
    session.flush()


def record(session: Session, clock: FixedClock, count: int) -> None:
    for i in range(count):
        service.record_entry(
            session,
            kind="test.entry",
            subject=f"test:{i}",
            content={"i": i},
            at=clock.now(),
            private=False,
        )
        clock.current += timedelta(seconds=1)
    session.flush()


def sign(session: Session, settings: Settings, clock: FixedClock) -> None:
    service.sign_tree_head(session, governance_signer(session, settings.secret_key, clock), clock)
    session.flush()


def test_no_head_yet_is_a_coded_404(client: TestClient) -> None:
    response = client.get("/api/v1/ledger/head")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ledger.no_head"


def test_a_witness_checks_head_inclusion_and_consistency_from_the_api(
    client: TestClient, session: Session, settings: Settings, clock: FixedClock
) -> None:
    record(session, clock, 3)
    sign(session, settings, clock)
    old = client.get("/api/v1/ledger/head").json()
    record(session, clock, 4)
    sign(session, settings, clock)
    new = client.get("/api/v1/ledger/head").json()
    keys = [base64.b64decode(k) for k in client.get("/api/v1/governance-keys").json()]

    inclusion = client.get("/api/v1/ledger/proofs/inclusion", params={"seq": 5, "size": 7})
    consistency = client.get("/api/v1/ledger/proofs/consistency", params={"old": 3, "new": 7})

    assert (old["size"], new["size"]) == (3, 7)
    proof = inclusion.json()
    assert verify_inclusion(
        5,
        7,
        bytes.fromhex(proof["leaf"]),
        [bytes.fromhex(p) for p in proof["path"]],
        bytes.fromhex(new["root"]),
    )
    assert verify_consistency(
        3,
        7,
        bytes.fromhex(old["root"]),
        bytes.fromhex(new["root"]),
        [bytes.fromhex(p) for p in consistency.json()["path"]],
    )
    head = TreeHead(size=7, root=bytes.fromhex(new["root"]), signed_at=clock.now())
    signature = bytes.fromhex(new["signature"])
    assert any(head_signature_valid(head, signature, key) for key in keys)
    assert not head_signature_valid(head, signature[::-1], keys[0])


def test_proofs_beyond_the_tree_are_coded(
    client: TestClient, session: Session, settings: Settings, clock: FixedClock
) -> None:
    record(session, clock, 2)
    sign(session, settings, clock)

    beyond = client.get("/api/v1/ledger/proofs/inclusion", params={"seq": 2, "size": 2})
    backwards = client.get("/api/v1/ledger/proofs/consistency", params={"old": 2, "new": 1})
    negative = client.get("/api/v1/ledger/proofs/consistency", params={"old": -1, "new": 1})

    assert (beyond.status_code, beyond.json()["error"]["code"]) == (
        404,
        "ledger.entry_not_found",
    )
    assert (backwards.status_code, backwards.json()["error"]["code"]) == (
        422,
        "ledger.bad_tree_size",
    )
    assert negative.status_code == 422
