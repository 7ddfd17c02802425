"""The pure rules a device follows over time: the governance chain (announced keys added in
order, a compromised one dropped, an unsigned or replayed announcement changing nothing), and
revocation snapshots that answer exactly as the deltas they fold."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from tansiq.permits.device_trust import (
    compacted_revocations,
    follow_governance,
    revocation_items,
    signer_kid,
)
from tansiq.permits.keys import ALG_EDDSA, Ed25519Signer, raw_public_key
from tansiq.permits.trust import (
    ROLE_GOVERNANCE,
    KeyStatus,
    RevocationDelta,
    RevocationEntry,
    RevocationState,
    RevocationStatus,
    TrustEntry,
    TrustList,
    load_revocations,
    revocations_file,
    sign_revocation_delta,
    sign_revocation_snapshot,
    sign_trust_list,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def key(label: str) -> Ed25519Signer:
    return Ed25519Signer(
        Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())
    )


def raw(signer: Ed25519Signer) -> bytes:
    return raw_public_key(signer.private_key.public_key())


def announcement(
    seq: int, by: Ed25519Signer, named: list[tuple[Ed25519Signer, KeyStatus]]
) -> bytes:
    entries = [
        TrustEntry(
            authority="hub",
            alg=ALG_EDDSA,
            public_key=raw(signer),
            valid_from=T0,
            status=status,
            roles=(ROLE_GOVERNANCE,),
        )
        for signer, status in named
    ]
    return sign_trust_list(TrustList(seq, T0 + timedelta(days=seq), entries), by)


K1, K2, K3, FORGER = key("k1"), key("k2"), key("k3"), key("forger")
CHAIN = [
    announcement(2, K1, [(K1, KeyStatus.RETIRED), (K2, KeyStatus.ACTIVE)]),
    announcement(5, K2, [(K1, KeyStatus.RETIRED), (K2, KeyStatus.RETIRED), (K3, KeyStatus.ACTIVE)]),
]


def test_a_device_follows_the_chain_from_its_first_key() -> None:
    followed = follow_governance([raw(K1)], CHAIN)
    assert followed.keys == (raw(K1), raw(K2), raw(K3))
    assert followed.seq == 5


def test_a_device_enrolled_later_skips_what_it_cannot_verify() -> None:
    followed = follow_governance([raw(K3)], CHAIN)
    assert followed.keys == (raw(K3),)


def test_a_forged_announcement_or_a_replayed_one_changes_nothing() -> None:
    forged = announcement(9, FORGER, [(FORGER, KeyStatus.ACTIVE)])
    assert follow_governance([raw(K1)], [*CHAIN, forged]).keys == (raw(K1), raw(K2), raw(K3))
    # Announcement 2, replayed after the device followed up to 5, is not followed again.
    dropped = announcement(6, K3, [(K2, KeyStatus.COMPROMISED)])
    after = follow_governance([raw(K1), raw(K2), raw(K3)], [dropped, CHAIN[0]], after=5)
    assert after.keys == (raw(K1), raw(K3))
    assert after.seq == 6


def test_the_signer_of_signed_data_is_named_and_garbage_names_none() -> None:
    assert signer_kid(CHAIN[0]) == K1.kid
    assert signer_kid(b"\x00not cbor") is None
    assert signer_kid(cbor2.dumps([1, 2])) is None


entry = st.builds(
    RevocationEntry,
    cti=st.sampled_from(["P-1", "P-2", "P-3"]),
    version=st.sampled_from([None, 1, 2]),
    status=st.sampled_from(list(RevocationStatus)),
    reason=st.just("route_closed"),
    at=st.just(T0),
)


@given(st.lists(st.lists(entry, max_size=3), min_size=1, max_size=12), st.data())
def test_a_snapshot_answers_as_the_deltas_it_folds(
    batches: list[list[RevocationEntry]], data: st.DataObject
) -> None:
    gov = [K1.private_key.public_key()]
    deltas = [
        RevocationDelta(seq=n, issued_at=T0 + timedelta(hours=n), entries=tuple(batch))
        for n, batch in enumerate(batches, start=1)
    ]
    cut = data.draw(st.integers(1, len(deltas)))
    folded = RevocationState()
    for delta in deltas[:cut]:
        folded.apply(delta)
    snapshot = sign_revocation_snapshot(folded.snapshot(), K1)
    signed = [sign_revocation_delta(d, K1) for d in deltas]
    every = load_revocations(revocations_file(signed), gov)
    items = [*signed, snapshot]
    short = load_revocations(revocations_file(items), gov)
    assert (short.seq, short.as_of) == (every.seq, every.as_of)
    for cti in ("P-1", "P-2", "P-3"):
        for version in (1, 2):
            assert short.status_of(cti, version) == every.status_of(cti, version)
    # What the device keeps: the snapshot and only the deltas after it.
    kept = revocation_items(compacted_revocations(items, short))
    assert kept == [snapshot, *signed[cut:]]
