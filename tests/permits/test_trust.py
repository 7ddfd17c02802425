"""Trust lists and revocations: signed by the governance key, ordered, never replayed."""

from __future__ import annotations

from datetime import timedelta

import cbor2
import pytest

from tansiq.permits.keys import ALG_EDDSA, ALG_ES256, key_id, raw_public_key
from tansiq.permits.trust import (
    KeyStatus,
    RevocationDelta,
    RevocationEntry,
    RevocationGap,
    RevocationState,
    RevocationStatus,
    TrustDataInvalid,
    TrustEntry,
    TrustList,
    TrustListReplayed,
    TrustSignatureInvalid,
    load_revocation_delta,
    load_revocations,
    load_trust_list,
    revocations_file,
    sign1,
    sign_revocation_delta,
    sign_trust_list,
)
from tests.permits.builders import (
    AUTHORITY_SIGNERS,
    GOVERNANCE,
    ISSUED,
    NOW,
    entry,
    revocation,
    signer,
    trust_list,
)

GOVERNANCE_KEYS = [GOVERNANCE.private_key.public_key()]


def test_a_signed_trust_list_loads_with_its_keys_parsed() -> None:
    original = trust_list()
    loaded = load_trust_list(sign_trust_list(original, GOVERNANCE), GOVERNANCE_KEYS)
    assert loaded.seq == original.seq
    assert loaded.issued_at == ISSUED
    assert loaded.entries == original.entries
    found = loaded.lookup(AUTHORITY_SIGNERS[0].kid)
    assert found is not None
    assert found[0].authority == "army"
    assert found[1] == AUTHORITY_SIGNERS[0].private_key.public_key()
    assert loaded.lookup(b"\x00" * 8) is None


def test_entries_keep_optional_fields() -> None:
    retired = entry(
        signer("old"), "army", status=KeyStatus.RETIRED, valid_to=NOW, roles=("permits", "x")
    )
    loaded = load_trust_list(sign_trust_list(trust_list([retired]), GOVERNANCE), GOVERNANCE_KEYS)
    assert loaded.entries == (retired,)


def test_a_lower_sequence_than_the_last_accepted_is_refused() -> None:
    data = sign_trust_list(trust_list(seq=7), GOVERNANCE)
    assert load_trust_list(data, GOVERNANCE_KEYS, min_seq=7).seq == 7
    with pytest.raises(TrustListReplayed) as raised:
        load_trust_list(data, GOVERNANCE_KEYS, min_seq=8)
    assert raised.value.code == "trust.replayed"


def test_only_a_governance_key_can_sign_a_trust_list() -> None:
    data = sign_trust_list(trust_list(), AUTHORITY_SIGNERS[0])
    with pytest.raises(TrustSignatureInvalid):
        load_trust_list(data, GOVERNANCE_KEYS)
    with pytest.raises(TrustSignatureInvalid):
        load_trust_list(sign_trust_list(trust_list(), GOVERNANCE), [])


def test_a_tampered_trust_list_is_refused() -> None:
    data = bytearray(sign_trust_list(trust_list(), GOVERNANCE))
    data[40] ^= 1
    with pytest.raises((TrustSignatureInvalid, TrustDataInvalid)):
        load_trust_list(bytes(data), GOVERNANCE_KEYS)


def test_a_revocation_delta_is_not_a_trust_list() -> None:
    delta = sign_revocation_delta(RevocationDelta(seq=9, issued_at=NOW), GOVERNANCE)
    with pytest.raises(TrustDataInvalid):
        load_trust_list(delta, GOVERNANCE_KEYS)
    with pytest.raises(TrustDataInvalid):
        load_revocation_delta(sign_trust_list(trust_list(), GOVERNANCE), GOVERNANCE_KEYS)


def signed(payload: object) -> bytes:
    return sign1(cbor2.dumps(payload), GOVERNANCE)


def good_entry() -> dict[int, object]:
    return dict(trust_list().entries[0].to_cbor())


def listing(*entries: object) -> bytes:
    return signed({0: "tq-trust", 1: 1, 2: 0, 3: list(entries)})


BAD_TRUST = {
    "not cbor": b"\xff",
    "not cose": cbor2.dumps([1, 2]),
    "wrong protected": cbor2.dumps([b"", {}, b"", b""]),
    "payload not cbor": sign1(b"\xff", GOVERNANCE),
    "payload not a map": signed([1]),
    "missing keys": signed({0: "tq-trust", 1: 1}),
    "negative seq": signed({0: "tq-trust", 1: -1, 2: 0, 3: []}),
    "entry not a map": listing([1]),
    "entry kid mismatch": listing({**good_entry(), 1: b"\x00" * 8}),
    "entry status unknown": listing({**good_entry(), 7: "lost"}),
    "entry status list": listing({**good_entry(), 7: ["active"]}),
    "entry time text": listing({**good_entry(), 5: "2026"}),
    "entry role empty": listing({**good_entry(), 8: [""]}),
    "entry alg unsupported": listing({**good_entry(), 3: -35}),
    "duplicate kid": listing(good_entry(), good_entry()),
    "unknown entry key": listing({**good_entry(), 9: 1}),
}


@pytest.mark.parametrize("name", sorted(BAD_TRUST))
def test_damaged_trust_lists_raise_a_coded_error(name: str) -> None:
    with pytest.raises(TrustDataInvalid):
        load_trust_list(BAD_TRUST[name], GOVERNANCE_KEYS)


def test_broken_es256_key_with_matching_kid_is_refused() -> None:
    point = b"\x04" + b"\x01" * 64
    with pytest.raises(TrustDataInvalid):
        load_trust_list(
            listing({**good_entry(), 1: key_id(point), 3: ALG_ES256, 4: point}), GOVERNANCE_KEYS
        )


def test_a_key_is_trusted_only_inside_its_window_and_never_once_compromised() -> None:
    key = signer("window")
    window = entry(key, "army", valid_from=NOW - timedelta(days=1), valid_to=NOW)
    assert window.trusted_at(NOW - timedelta(hours=1))
    assert not window.trusted_at(NOW)
    assert not window.trusted_at(NOW - timedelta(days=2))
    assert entry(key, "army", status=KeyStatus.RETIRED).trusted_at(NOW)
    assert not entry(key, "army", status=KeyStatus.COMPROMISED).trusted_at(NOW)


def test_trust_times_must_be_utc_aware() -> None:
    with pytest.raises(TrustDataInvalid):
        TrustList(1, NOW.replace(tzinfo=None), [])


def test_a_trust_list_refuses_duplicate_or_unsupported_keys_when_built() -> None:
    one = trust_list().entries[0]
    with pytest.raises(TrustDataInvalid):
        TrustList(1, NOW, [one, one])
    odd = TrustEntry(
        authority="x",
        alg=-35,
        public_key=raw_public_key(GOVERNANCE.private_key.public_key()),
        valid_from=NOW,
    )
    with pytest.raises(TrustDataInvalid):
        TrustList(1, NOW, [odd])
    assert one.alg == ALG_EDDSA


# --- revocations ---------------------------------------------------------------------------


def delta(seq: int, *entries: RevocationEntry, hours: int = 0) -> RevocationDelta:
    return RevocationDelta(
        seq=seq,
        issued_at=ISSUED + timedelta(hours=hours),
        entries=tuple(entries),
    )


def test_deltas_fold_in_order_and_a_replay_is_ignored() -> None:
    state = RevocationState()
    assert state.status_of("P-2026-000123", 1) is None
    assert state.apply(delta(1, revocation(RevocationStatus.SUSPENDED)))
    assert state.status_of("P-2026-000123", 1) == revocation(RevocationStatus.SUSPENDED)
    assert state.status_of("P-2026-000123", 2) is None
    assert state.apply(delta(2, revocation(RevocationStatus.REINSTATED), hours=1))
    assert state.status_of("P-2026-000123", 1) is None
    assert not state.apply(delta(1, revocation(RevocationStatus.REVOKED)))
    assert state.status_of("P-2026-000123", 1) is None
    assert (state.seq, state.as_of) == (2, ISSUED + timedelta(hours=1))


def test_a_gap_in_the_sequence_is_refused() -> None:
    state = RevocationState()
    with pytest.raises(RevocationGap) as raised:
        state.apply(delta(2))
    assert raised.value.code == "revocations.gap"
    assert raised.value.params == {"seq": 2, "expected": 1}


def test_the_later_of_an_all_versions_and_a_one_version_change_wins() -> None:
    state = RevocationState()
    state.apply(delta(1, revocation(RevocationStatus.REVOKED, version=None)))
    assert state.status_of("P-2026-000123", 5) is not None
    state.apply(delta(2, revocation(RevocationStatus.REINSTATED, version=3)))
    assert state.status_of("P-2026-000123", 3) is None
    assert state.status_of("P-2026-000123", 4) is not None
    state.apply(delta(3, revocation(RevocationStatus.SUSPENDED, version=3)))
    state.apply(delta(4, revocation(RevocationStatus.REINSTATED, version=None)))
    assert state.status_of("P-2026-000123", 3) is None
    assert state.status_of("P-2026-000123", 4) is None
    assert state.status_of("P-OTHER", 1) is None


def test_a_revocations_file_round_trips_in_any_order() -> None:
    deltas = [
        sign_revocation_delta(delta(1, revocation(RevocationStatus.REVOKED)), GOVERNANCE),
        sign_revocation_delta(delta(2, hours=3), GOVERNANCE),
    ]
    state = load_revocations(revocations_file(list(reversed(deltas))), GOVERNANCE_KEYS)
    assert state.seq == 2
    assert state.as_of == ISSUED + timedelta(hours=3)
    record = state.status_of("P-2026-000123", 1)
    assert record is not None
    assert record.reason == "driver_mismatch"
    more = sign_revocation_delta(delta(3, hours=4), GOVERNANCE)
    assert load_revocations(revocations_file([*deltas, more]), GOVERNANCE_KEYS, state).seq == 3


@pytest.mark.parametrize(
    "data",
    [
        b"\xff",
        cbor2.dumps({1: 2}),
        cbor2.dumps(["text"]),
        cbor2.dumps([signed({0: "tq-revocations", 1: 1, 2: 0, 3: [{1: "P"}]})]),
        cbor2.dumps(
            [
                signed(
                    {
                        0: "tq-revocations",
                        1: 1,
                        2: 0,
                        3: [{1: "P", 2: "1", 3: "revoked", 4: "r", 5: 0}],
                    }
                )
            ]
        ),
        cbor2.dumps(
            [
                signed(
                    {
                        0: "tq-revocations",
                        1: 1,
                        2: 0,
                        3: [{1: "P", 2: None, 3: "gone", 4: "r", 5: 0}],
                    }
                )
            ]
        ),
        cbor2.dumps(
            [signed({0: "tq-revocations", 1: 1, 2: 0, 3: [{1: "P", 2: None, 3: 5, 4: "r", 5: 0}]})]
        ),
    ],
)
def test_damaged_revocation_files_raise_a_coded_error(data: bytes) -> None:
    with pytest.raises(TrustDataInvalid):
        load_revocations(data, GOVERNANCE_KEYS)


def test_revocations_signed_by_another_key_are_refused() -> None:
    data = revocations_file([sign_revocation_delta(delta(1), AUTHORITY_SIGNERS[0])])
    with pytest.raises(TrustSignatureInvalid):
        load_revocations(data, GOVERNANCE_KEYS)
