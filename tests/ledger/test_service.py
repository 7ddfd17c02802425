"""The ledger on the real database: entries appended with the change, heads signed, proofs that
an independent check accepts, and every kind of tampering with the stored rows caught."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.ledger import service
from tansiq.ledger.merkle import MerkleTree, verify_consistency, verify_inclusion
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.ledger.repository import LedgerRepository
from tansiq.permits.keys import Ed25519Signer


@pytest.fixture(autouse=True)
def empty_ledger(session: Session) -> None:
    """Start from an empty ledger (the demo data's own entries are deleted inside the test's
    transaction, which is rolled back): sizes and positions below are then exact."""
    session.execute(delete(LedgerEntryRecord))
    session.flush()


@pytest.fixture
def signer() -> Ed25519Signer:
    return Ed25519Signer(Ed25519PrivateKey.generate())


def keys_of(signer: Ed25519Signer) -> dict[str, bytes]:
    public = signer.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {signer.kid.hex(): public}


def fill(session: Session, clock: FixedClock, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        service.record_entry(
            session,
            kind="application.submitted",
            subject=f"application:{i}",
            content={"reference": f"A-{i:04d}", "route": "جسر الوادي"},
            at=clock.now(),
            private=i % 3 == 0,
        )
        clock.current += timedelta(seconds=1)
    session.flush()


def test_entries_wait_for_the_sequencer_then_take_the_next_places(
    session: Session, clock: FixedClock
) -> None:
    fill(session, clock, 3)
    assert service.sequence_entries(session) == 3
    fill(session, clock, 2, start=3)
    assert service.sequence_entries(session) == 2

    seqs = [entry.seq for entry in LedgerRepository(session).entries()]
    assert seqs == [0, 1, 2, 3, 4]


def test_a_private_entry_keeps_only_its_digest(session: Session, clock: FixedClock) -> None:
    fill(session, clock, 2)

    first, second = LedgerRepository(session).entries()
    assert first.content is None
    assert second.content == {"reference": "A-0001", "route": "جسر الوادي"}
    assert len(first.digest) == 32


def test_heads_and_proofs_verify_independently(
    session: Session, clock: FixedClock, signer: Ed25519Signer
) -> None:
    fill(session, clock, 5)
    old = service.sign_tree_head(session, signer, clock)
    fill(session, clock, 6, start=5)
    new = service.sign_tree_head(session, signer, clock)

    proof = service.prove_inclusion(session, 7, new.size)
    consistency = service.prove_consistency(session, old.size, new.size)

    assert (old.size, new.size) == (5, 11)
    assert verify_inclusion(7, new.size, proof.leaf, proof.path, new.root)
    assert verify_consistency(old.size, new.size, old.root, new.root, consistency)
    assert service.check_ledger(session, keys_of(signer)).intact


def test_proofs_outside_the_tree_are_coded_refusals(
    session: Session, clock: FixedClock, signer: Ed25519Signer
) -> None:
    fill(session, clock, 2)
    service.sign_tree_head(session, signer, clock)

    with pytest.raises(service.EntryNotInLedger):
        service.prove_inclusion(session, 2, 2)
    with pytest.raises(service.NoSuchTree):
        service.prove_consistency(session, 2, 3)


TAMPERING = {
    "content edited": ["UPDATE ledger_entries SET content = :value WHERE seq = 4"],
    "entry deleted": ["DELETE FROM ledger_entries WHERE seq = 4"],
    "last entry deleted": ["DELETE FROM ledger_entries WHERE seq = 7"],
    "kind edited": ["UPDATE ledger_entries SET kind = 'permit.revoked' WHERE seq = 2"],
    "entries reordered": [
        "UPDATE ledger_entries SET seq = -1 WHERE seq = 4",
        "UPDATE ledger_entries SET seq = 4 WHERE seq = 5",
        "UPDATE ledger_entries SET seq = 5 WHERE seq = -1",
    ],
    "root rewritten": ["UPDATE ledger_heads SET root = :root"],
}
FOUND = {
    "content edited": (service.EntryContentChanged, {"seq": 4}),
    "entry deleted": (service.EntryMissing, {"seq": 4}),
    "last entry deleted": (service.HeadBeyondEntries, {"size": 8}),
    "kind edited": (service.EntryChanged, {"seq": 2}),
    "entries reordered": (service.HeadMismatch, {"size": 8}),
    "root rewritten": (service.HeadMismatch, {"size": 8}),
}


@pytest.mark.parametrize("tampering", list(TAMPERING))
def test_tampering_with_the_stored_rows_is_found(
    session: Session, clock: FixedClock, signer: Ed25519Signer, tampering: str
) -> None:
    fill(session, clock, 8)
    service.sign_tree_head(session, signer, clock)
    for statement in TAMPERING[tampering]:
        session.execute(text(statement), {"value": '{"reference": "A-9999"}', "root": b"\x00" * 32})
    session.expire_all()

    check = service.check_ledger(session, keys_of(signer))

    kind, named = FOUND[tampering]
    assert isinstance(check.problem, kind)
    assert named.items() <= check.problem.params.items()


def test_a_rewritten_entry_with_its_hashes_redone_still_breaks_the_signed_head(
    session: Session, clock: FixedClock, signer: Ed25519Signer
) -> None:
    fill(session, clock, 4)
    service.sign_tree_head(session, signer, clock)
    entry = LedgerRepository(session).entry(1)
    assert entry is not None
    # Whoever runs the hub rewrites an entry and recomputes its digest and leaf too.
    forged = service.record_entry(
        session, kind=entry.kind, subject=entry.subject, content={"forged": True}, at=clock.now()
    )
    session.flush()
    entry.content, entry.digest, entry.leaf = forged.content, forged.digest, forged.leaf
    entry.recorded_at = forged.recorded_at
    session.delete(forged)
    session.flush()

    check = service.check_ledger(session, keys_of(signer))

    assert isinstance(check.problem, service.HeadMismatch)


def test_a_head_signed_by_another_key_is_refused(
    session: Session, clock: FixedClock, signer: Ed25519Signer
) -> None:
    fill(session, clock, 3)
    service.sign_tree_head(session, Ed25519Signer(Ed25519PrivateKey.generate()), clock)

    check = service.check_ledger(session, keys_of(signer))

    assert isinstance(check.problem, service.HeadSignatureBad)


def _fresh(session: Session) -> MerkleTree:
    return MerkleTree(LedgerRepository(session).leaves())


def test_the_tree_is_reused_up_to_the_signed_head_and_the_rest_read_again(
    session: Session, clock: FixedClock, signer: Ed25519Signer
) -> None:
    fill(session, clock, 9)
    head = service.sign_tree_head(session, signer, clock)
    assert head.size == 9
    fill(session, clock, 4, start=9)
    service.sequence_entries(session)
    assert service.tree_of(session).root() == _fresh(session).root()
    # A leaf after the head changes behind the hub's back (or a transaction that numbered it
    # rolled back): the tree follows the database, not what it held before.
    session.execute(
        text("UPDATE ledger_entries SET leaf = :leaf WHERE seq = 11"), {"leaf": b"\x07" * 32}
    )
    session.expire_all()
    assert service.tree_of(session).root() == _fresh(session).root()
    # Up to the signed head the tree comes from memory, not the database: a leaf under the
    # head changed behind the hub's back (and not re-signed) is not read again. The proofs
    # stay those of the history the head signed; ``ledger verify`` reads everything afresh.
    served = service.tree_of(session).root(9)
    session.execute(
        text("UPDATE ledger_entries SET leaf = :leaf WHERE seq = 2"), {"leaf": b"\x05" * 32}
    )
    session.expire_all()
    assert service.tree_of(session).root(9) == served == head.root
    assert _fresh(session).root(9) != served
    # The signed head no longer agrees with what was cached: everything is read again.
    session.execute(
        text("UPDATE ledger_heads SET root = :root WHERE id = :id"),
        {"root": _fresh(session).root(9), "id": head.id},
    )
    session.expire_all()
    tree = service.tree_of(session)
    assert tree.root() == _fresh(session).root()
    assert tree.consistency_proof(9, 13) == _fresh(session).consistency_proof(9, 13)
