"""A group of pushes stored in one transaction flags, tells and records exactly what the same
pushes stored one by one do: each contradiction and each suspected clone flagged once, each
party told once per notice, each flag in the ledger once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from tansiq.checkpoints.ingest import IngestResult, Push, ingest_pushes
from tansiq.checkpoints.ledger_facts import CLONE_SUSPECTED, CONTRADICTION
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.checkpoints.schemas import ScanEventIn
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.unit_of_work import unit_of_work
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.notify.models import EventRecord
from tests.checkpoints.test_intake import token_of
from tests.checkpoints.test_sync import device, event
from tests.clearances.conftest import ROADS, Tokens, application_body, decide, review_of, submit

KINDS = ("checkpoint.contradiction", "checkpoint.contradiction_seen", "checkpoint.clone_suspected")


def west_permit(client: TestClient, tokens: Tokens, clock: FixedClock, number: int) -> str:
    """A permit the west authority signed (its road crosses no other authority's ground)."""
    body = application_body(clock, route=ROADS["west-road"], client_reference=f"WT-{number}")
    made = submit(client, tokens("trader"), body)
    decide(client, tokens("west.reviewer"), review_of(made, "west-command"), decision="approve")
    return f"P-{made['id']:06d}"


def pushes(tokens_of: dict[str, str], refs: dict[str, str], clock: FixedClock) -> list[Push]:
    """Two west devices refusing west's permits (one of them twice in a push), the east
    device refusing one too (no contradiction: east did not sign it), and two permits seen at
    West Gate and East Gate two minutes apart (suspected clones)."""
    start = clock.now() - timedelta(hours=6)

    def scan(minutes: int, ref: str, **extra: Any) -> ScanEventIn:
        return ScanEventIn.model_validate(
            event(start + timedelta(minutes=minutes), permit=refs[ref], **extra)
        )

    def refusal(minutes: int, ref: str) -> ScanEventIn:
        return scan(minutes, ref, action="refusal", reason_code="cargo_mismatch", note="Seal")

    return [
        Push(tokens_of["west-south"], [refusal(0, "A"), refusal(1, "A"), refusal(2, "B")]),
        Push(tokens_of["west-gate"], [refusal(120, "A"), scan(10, "C1"), scan(30, "C2")]),
        Push(tokens_of["east-gate"], [refusal(200, "B"), scan(12, "C1"), scan(32, "C2")]),
    ]


def run(
    batch: list[Push], store: Callable[[list[Push]], list[IngestResult | None]]
) -> list[tuple[int, int, int]]:
    return [(a.stored, a.contradictions, a.clones) for a in store(batch) if a is not None]


def told(hub: HubContext, refs: dict[str, str]) -> Counter[tuple[int, str, str, str]]:
    """Each notice about these permits as (party, kind, which permit, checkpoint)."""
    label = {ref: name for name, ref in refs.items()}
    with hub.sessions() as session:
        events = session.scalars(select(EventRecord).where(EventRecord.kind.in_(KINDS))).all()
    found: Counter[tuple[int, str, str, str]] = Counter()
    for notice in events:
        permit = str(notice.params["permit"])
        ref = permit if permit in label else permit.rsplit("-", 1)[0]
        if ref in label:
            where = str(notice.params.get("checkpoint", notice.params.get("second", "")))
            found[(notice.party_id, notice.kind, label[ref], where)] += 1
    return found


def flags(hub: HubContext, refs: dict[str, str]) -> tuple[int, int, int, int]:
    """(scans flagged as contradictions, as clones; ledger entries of each flag)."""
    with hub.sessions() as session:
        scans = session.scalars(
            select(ScanEventRecord).where(ScanEventRecord.permit_ref.in_(refs.values()))
        ).all()
        subjects = {f"scan:{s.device_id}:{s.event_uid}" for s in scans}
        entries = session.scalars(
            select(LedgerEntryRecord).where(
                LedgerEntryRecord.kind.in_((CONTRADICTION, CLONE_SUSPECTED))
            )
        ).all()
    mine = [e.kind for e in entries if e.subject in subjects]
    return (
        sum(s.contradiction for s in scans),
        sum(s.clone_suspected for s in scans),
        mine.count(CONTRADICTION),
        mine.count(CLONE_SUSPECTED),
    )


def test_a_group_flags_and_tells_exactly_what_one_push_at_a_time_does(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    devices = {
        "west-south": token_of(device(client, tokens, "W-SOUTH", "west.admin")),
        "west-gate": token_of(device(client, tokens, "W-GATE", "west.admin")),
        "east-gate": token_of(device(client, tokens, "E-GATE", "east.admin")),
    }
    together = {
        "A": west_permit(client, tokens, clock, 1),
        "B": west_permit(client, tokens, clock, 2),
        "C1": "P-900042",
        "C2": "P-900043",
    }
    alone = {
        "A": west_permit(client, tokens, clock, 3),
        "B": west_permit(client, tokens, clock, 4),
        "C1": "P-900044",
        "C2": "P-900045",
    }

    def as_one_group(batch: list[Push]) -> list[IngestResult | None]:
        with unit_of_work(hub.sessions) as session:
            return ingest_pushes(session, batch, hub.clock)

    def one_by_one(batch: list[Push]) -> list[IngestResult | None]:
        answers = []
        for push in batch:
            with unit_of_work(hub.sessions) as session:
                answers += ingest_pushes(session, [push], hub.clock)
        return answers

    grouped = run(pushes(devices, together, clock), as_one_group)
    single = run(pushes(devices, alone, clock), one_by_one)

    # Each push's answer: (stored, contradictions, clones).
    assert grouped == single == [(3, 3, 0), (3, 1, 0), (3, 0, 2)]
    assert told(hub, together) == told(hub, alone)
    notices = told(hub, together)
    # Each refused permit told once per push that refused it: the west authority as its own,
    # the municipality as an overseer; each clone once to both authorities and the municipality.
    assert all(count == 1 for count in notices.values()), notices
    kinds = Counter(kind for _, kind, _, _ in notices)
    assert kinds == Counter(
        {
            "checkpoint.contradiction": 3,  # A and B at W-SOUTH, A at W-GATE
            "checkpoint.contradiction_seen": 3,
            "checkpoint.clone_suspected": 6,  # C1 and C2, each to three parties
        }
    )
    assert flags(hub, together) == flags(hub, alone) == (4, 2, 4, 2)
