"""The device's trust in the hub over time: it follows the governance key across rollovers
from the key it was enrolled with, refuses a key nobody it trusts announced, starts from a
revocation snapshot instead of every delta, and witnesses the ledger — refusing (and
reporting) a head whose history was rewritten. Through the real HTTP API, on the suite's
database (SQLite or PostgreSQL)."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from tansiq.checkpoints.client import (
    CheckpointDevice,
    DeviceStore,
    GovernanceKeyNotAnnounced,
    Reply,
    Transport,
)
from tansiq.checkpoints.models import WitnessReportRecord
from tansiq.checkpoints.witness import HeadSignatureInvalid, HistoryInconsistent, HistoryShrunk
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.ledger.domain import EntryFacts
from tansiq.ledger.models import LedgerEntryRecord, LedgerHeadRecord
from tansiq.notify.models import EventRecord
from tansiq.permits.device_trust import revocation_items
from tansiq.permits.keys import Ed25519Signer, key_id
from tansiq.permits.ledger_heads import sign_ledger_head
from tansiq.permits.snapshots import compact_revocations, roll_over
from tansiq.permits.trust import (
    SNAPSHOT_TYPE,
    TrustList,
    load_trust_list,
    sign_trust_list,
)
from tansiq.verifier.verify import VerdictStatus
from tests.checkpoints.test_device import device_token, enrolled, transport
from tests.clearances.conftest import Tokens, application_body, decide, review_of, submit
from tests.conftest import SECRET_KEY

ROAD = {"type": "LineString", "coordinates": [[41.07, 34.37], [41.07, 34.43]]}


def _permit(client: TestClient, tokens: Tokens, clock: FixedClock) -> tuple[int, str]:
    application = submit(client, tokens("trader"), application_body(clock, route=ROAD))
    permit = decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    ).json()["permits"][0]
    text = client.get(f"/api/v1/permits/{permit['id']}/token", headers=tokens("trader")).json()
    return int(permit["id"]), str(text["token"])


def _device(
    client: TestClient, tokens: Tokens, tmp: Path, send: Transport | None = None
) -> CheckpointDevice:
    return enrolled(
        DeviceStore(tmp / "device.sqlite"),
        client,
        device_token(client, tokens, "W-SOUTH", "west.admin"),
        send,
    )


def _check(device: CheckpointDevice, token: str, clock: FixedClock) -> VerdictStatus:
    # The permit is valid from an hour after it was applied for.
    at = clock.now() + timedelta(hours=2)
    verdict = device.check(token, at=at, checkpoint="W-SOUTH", max_data_age=timedelta(days=1))
    return verdict.status


def test_a_device_enrolled_before_two_rollovers_follows_the_chain(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session, tmp_path: Path
) -> None:
    permit, token = _permit(client, tokens, clock)
    device = _device(client, tokens, tmp_path)
    enrolled_with = list(device._pinned())
    assert len(enrolled_with) == 1
    device.sync()

    keys = []
    for _ in range(2):
        clock.advance(timedelta(hours=1))
        _, new = roll_over(session, SECRET_KEY, clock)
        session.commit()
        keys.append(new.public_key)
    # A revocation signed by the newest key only, which the device never saw enrolled.
    client.post(
        f"/api/v1/permits/{permit}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed"},
    )
    report = device.sync()
    assert device._pinned() == [*enrolled_with, *keys]
    latest = device.store.get("trust_list")
    assert load_trust_list(latest, device.governance_keys()).seq == report.pulled_trust_seq
    # Signed by the newest key: the old one alone would not verify it.
    with pytest.raises(Exception, match="not signed"):
        load_trust_list(latest, [device.governance_keys()[0]])
    assert _check(device, token, clock) is VerdictStatus.SUSPENDED
    device.store.close()

    # A device enrolled only now, with the newest key, needs nothing the old keys signed:
    # it starts from the snapshot the rollover re-signed.
    fresh = CheckpointDevice(
        DeviceStore(tmp_path / "late.sqlite"),
        transport(client),
        device_token(client, tokens, "W-SOUTH", "west.admin"),
    )
    fresh.enrol([keys[-1]])
    fresh.sync()
    assert fresh._pinned() == [keys[-1]]
    assert _check(fresh, token, clock) is VerdictStatus.SUSPENDED
    fresh.store.close()


def test_a_trust_list_signed_by_a_key_nobody_announced_is_refused(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session, tmp_path: Path
) -> None:
    _, token = _permit(client, tokens, clock)
    honest = transport(client)
    forger = Ed25519Signer(Ed25519PrivateKey.generate())
    forging = {"on": False}

    def forged(method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        reply = honest(method, path, headers, body)
        if forging["on"] and path.startswith("/api/v1/sync/pull"):
            # A rollover "announcement" signed by the forger itself, and a list it signs.
            announcement = sign_trust_list(TrustList(98, clock.now(), []), forger)
            fake = sign_trust_list(TrustList(99, clock.now(), []), forger)
            answer = {
                **reply.body,
                "governance_chain": [
                    *reply.body["governance_chain"],
                    base64.b64encode(announcement).decode(),
                ],
                "trust_list": base64.b64encode(fake).decode(),
                "trust_seq": 99,
            }
            return Reply(reply.status, answer)
        return reply

    device = _device(client, tokens, tmp_path, forged)
    device.sync()
    before = device.store.get("trust_list")
    roll_over(session, SECRET_KEY, clock)
    session.commit()
    device.record(
        device.check(token, at=clock.now(), checkpoint="W-SOUTH", max_data_age=timedelta(days=1)),
        at=clock.now(),
        action="passage",
    )
    forging["on"] = True
    with pytest.raises(GovernanceKeyNotAnnounced) as refused:
        device.sync()
    assert refused.value.params["kid"] == forger.kid.hex()
    shown = {lang: refused.value.render(lang) for lang in (Locale.EN, Locale.AR)}
    assert shown[Locale.EN]["code"] == "device.governance_key_unknown"
    assert shown[Locale.AR]["message"] != shown[Locale.EN]["message"]
    assert device.store.get("trust_list") == before  # nothing changed
    assert device.store.count_unsent() == 1  # the queue is kept
    forging["on"] = False
    assert device.sync().remaining == 0  # the honest chain is followed: the new key is known
    device.store.close()


def test_a_device_starts_from_the_snapshot_and_the_deltas_after_it(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session, tmp_path: Path
) -> None:
    permit, token = _permit(client, tokens, clock)
    for action in ("suspend", "reinstate") * 3:
        clock.advance(timedelta(minutes=5))
        client.post(
            f"/api/v1/permits/{permit}/{action}",
            headers=tokens("west.reviewer"),
            json={"reason_code": "route_closed"},
        )
    snapshot = compact_revocations(session, SECRET_KEY, clock)
    session.commit()
    assert snapshot is not None
    client.post(
        f"/api/v1/permits/{permit}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed"},
    )
    device = _device(client, tokens, tmp_path)
    report = device.sync()
    held = revocation_items(device.store.get("revocations"))
    kinds = [cbor2.loads(cbor2.loads(item).value[2])[0] for item in held]
    # One snapshot and the one delta after it: not every delta since the hub began.
    assert kinds == [SNAPSHOT_TYPE, "tq-revocations"]
    assert report.revocation_seq == snapshot.seq + 1
    assert _check(device, token, clock) is VerdictStatus.SUSPENDED

    # An older client (no `snapshots`) still gets the deltas alone, as before.
    old = client.get(
        "/api/v1/sync/pull?revocations_since=0",
        headers=device.headers,
    ).json()
    items = revocation_items(base64.b64decode(old["revocations"]))
    assert len(items) == snapshot.seq + 1
    assert all(cbor2.loads(cbor2.loads(i).value[2])[0] == "tq-revocations" for i in items)

    # Caught up: the next pull brings no snapshot again, and the file stays short.
    clock.advance(timedelta(minutes=5))
    client.post(
        f"/api/v1/permits/{permit}/reinstate",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed"},
    )
    device.sync()
    assert len(revocation_items(device.store.get("revocations"))) == 3
    assert _check(device, token, clock) is VerdictStatus.VALID
    device.store.close()


def _rewrite_entry(session: Session, seq: int) -> None:
    """What an operator with the database could do: change an entry, its leaf recomputed so
    the rows agree with each other, then sign a head over the rewritten tree."""
    entry = session.scalars(select(LedgerEntryRecord).where(LedgerEntryRecord.seq == seq)).one()
    facts = EntryFacts(
        kind=entry.kind,
        subject=entry.subject + ":rewritten",
        recorded_at=entry.recorded_at,
        digest=entry.digest,
    )
    session.execute(
        update(LedgerEntryRecord)
        .where(LedgerEntryRecord.id == entry.id)
        .values(subject=facts.subject, leaf=facts.leaf())
    )


def test_a_device_holding_an_older_head_refuses_a_rewritten_history(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session, tmp_path: Path
) -> None:
    permit, _ = _permit(client, tokens, clock)
    first = sign_ledger_head(session, SECRET_KEY, clock)
    session.commit()
    device = _device(client, tokens, tmp_path)
    assert device.sync().ledger_size == first.size

    # History grows honestly: the device checks the proof and moves on.
    clock.advance(timedelta(minutes=10))
    client.post(
        f"/api/v1/permits/{permit}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed"},
    )
    second = sign_ledger_head(session, SECRET_KEY, clock)
    session.commit()
    assert second.size > first.size
    assert device.sync().ledger_size == second.size

    # Someone rewrites an entry the device's head covers, and signs a head over it.
    clock.advance(timedelta(minutes=10))
    _rewrite_entry(session, 1)
    client.post(
        f"/api/v1/permits/{permit}/reinstate",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed"},
    )
    rewritten = sign_ledger_head(session, SECRET_KEY, clock)
    session.commit()
    report = device.sync()
    assert isinstance(report.witness_alarm, HistoryInconsistent)
    assert report.ledger_size == second.size  # the rewritten head was not accepted
    shown = {lang: report.witness_alarm.render(lang) for lang in (Locale.EN, Locale.AR)}
    assert shown[Locale.EN]["code"] == "witness.inconsistent"
    assert shown[Locale.AR]["message"] != shown[Locale.EN]["message"]
    assert device.witness_alarm() is not None
    reports = session.scalars(select(WitnessReportRecord)).all()
    assert [(r.code, r.held_size, r.seen_size) for r in reports] == [
        ("witness.inconsistent", second.size, rewritten.size)
    ]
    assert (reports[0].held_root, reports[0].seen_root) == (second.root, rewritten.root)
    told = session.scalars(
        select(EventRecord).where(EventRecord.kind == "ledger.witness_alarm")
    ).all()
    assert told  # the hub's administrators and the municipality
    listed = client.get("/api/v1/witness-reports", headers=tokens("admin"))
    assert listed.status_code == 200, listed.text
    assert [r["code"] for r in listed.json()] == ["witness.inconsistent"]
    assert client.get("/api/v1/witness-reports", headers=tokens("trader")).status_code == 403

    # The next sync refuses it again: the device never takes the rewritten history. Its
    # report, the same again, is neither stored nor told twice.
    again = device.sync()
    assert isinstance(again.witness_alarm, HistoryInconsistent)
    assert again.ledger_size == second.size
    assert len(session.scalars(select(WitnessReportRecord)).all()) == 1
    assert len(
        session.scalars(select(EventRecord).where(EventRecord.kind == "ledger.witness_alarm")).all()
    ) == len(told)
    device.store.close()


def test_a_ledger_that_shrank_or_a_head_badly_signed_is_refused(
    client: TestClient, tokens: Tokens, clock: FixedClock, session: Session, tmp_path: Path
) -> None:
    _permit(client, tokens, clock)
    head = sign_ledger_head(session, SECRET_KEY, clock)
    session.commit()
    honest = transport(client)
    change: dict[str, Any] = {}

    def tampered(method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        reply = honest(method, path, headers, body)
        if change and path.startswith("/api/v1/sync/pull") and reply.body.get("ledger"):
            seen = {**reply.body["ledger"]["head"], **change}
            return Reply(
                reply.status, {**reply.body, "ledger": {"head": seen, "consistency": None}}
            )
        return reply

    device = _device(client, tokens, tmp_path, tampered)
    device.sync()
    forger = Ed25519Signer(Ed25519PrivateKey.generate())
    change.update(signature=forger.sign(b"not the head").hex(), kid=forger.kid.hex())
    assert isinstance(device.sync().witness_alarm, HeadSignatureInvalid)
    change.update(kid=key_id(device._pinned()[0]).hex())  # the right name, a wrong signature
    assert isinstance(device.sync().witness_alarm, HeadSignatureInvalid)
    change.clear()
    # The last entry and every head that covers it deleted, and what waits to be sequenced (the
    # device's enrolment), a head signed over what is left.
    session.execute(
        delete(LedgerEntryRecord).where(
            or_(LedgerEntryRecord.seq.is_(None), LedgerEntryRecord.seq >= head.size - 1)
        )
    )
    session.execute(delete(LedgerHeadRecord))
    shrunk = sign_ledger_head(session, SECRET_KEY, clock)
    session.commit()
    assert shrunk.size < head.size, (shrunk.size, head.size)
    report = device.sync()
    assert isinstance(report.witness_alarm, HistoryShrunk)
    assert report.ledger_size == head.size
    device.store.close()
