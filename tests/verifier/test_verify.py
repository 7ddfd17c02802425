"""The checkpoint verdict: every status, their precedence, and mutations that never pass."""

from __future__ import annotations

import contextlib
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.core.clock import NaiveTime
from tansiq.core.i18n import Locale
from tansiq.permits.base45 import b45decode, b45encode
from tansiq.permits.claims import Condition, claims_to_cbor
from tansiq.permits.cose import protected_header, sig_structure
from tansiq.permits.keys import ALG_EDDSA, ALG_ES256, ES256Signer, Signer, raw_public_key
from tansiq.permits.qr import make_qr
from tansiq.permits.token import assemble, decode, sign_permit
from tansiq.permits.token_errors import PermitTokenMalformed
from tansiq.permits.trust import (
    KeyStatus,
    RevocationState,
    RevocationStatus,
    TrustEntry,
    TrustListReplayed,
    load_trust_list,
    sign_trust_list,
)
from tansiq.verifier.image import read_qr_text
from tansiq.verifier.verify import PRECEDENCE, REASONS, Verdict, VerdictStatus, verify
from tests.permits.builders import (
    AUTHORITIES,
    AUTHORITY_SIGNERS,
    GOVERNANCE,
    ISSUED,
    NOW,
    claims,
    entry,
    revocation,
    revocations,
    signer,
    trust_list,
)

V = VerdictStatus
TOKEN = sign_permit(claims(), AUTHORITY_SIGNERS)
TRUST = trust_list()


def check(
    token: str = TOKEN,
    *,
    trust: object = None,
    state: RevocationState | str | None = "fresh",
    **options: object,
) -> Verdict:
    options.setdefault("at", NOW)
    return verify(
        token,
        trust=TRUST if trust is None else trust,  # type: ignore[arg-type]
        revocations=revocations() if state == "fresh" else state,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )


def test_the_full_round_trip_through_a_qr_image_is_valid(tmp_path: Path) -> None:
    """Sign with 3 authorities -> QR PNG -> read the image with zxing -> verify -> valid."""
    path = tmp_path / "permit.png"
    path.write_bytes(make_qr(TOKEN).png)
    text = read_qr_text(path)
    assert text == TOKEN
    verdict = check(text, checkpoint="cp-bridge")
    assert verdict.status is V.VALID
    assert verdict.valid
    assert verdict.findings == ()
    assert verdict.claims == claims()
    assert verdict.authorities == AUTHORITIES
    assert verdict.data_age == NOW - ISSUED
    assert verdict.messages()["en"].startswith("Valid")
    assert "ساري" in verdict.message(Locale.AR)


def tamper(token: str, index: int) -> str:
    """Flip one bit of the byte at ``index`` of the COSE structure and re-wrap it."""
    raw = bytearray(zlib.decompress(b45decode(token[4:])))
    raw[index] ^= 0x01
    return "TQ1:" + b45encode(zlib.compress(bytes(raw)))


def test_one_changed_payload_byte_is_forged() -> None:
    payload = claims_to_cbor(claims())
    cose = zlib.decompress(b45decode(TOKEN[4:]))
    where = cose.index(payload) + payload.index(b"flour")
    assert check(tamper(TOKEN, where)).status is V.FORGED


def test_one_changed_signature_byte_is_forged() -> None:
    assert check(tamper(TOKEN, -1)).status is V.FORGED


def test_a_dropped_signature_is_missing() -> None:
    decoded = decode(TOKEN)
    two = assemble(decoded.payload, [(s.alg, s.kid, s.signature) for s in decoded.signatures[:2]])
    verdict = check(two)
    assert verdict.status is V.MISSING_SIGNATURE
    assert "Missing signature" in verdict.message(Locale.EN)


def test_the_same_signature_twice_does_not_count_twice() -> None:
    decoded = decode(TOKEN)
    sigs = [(s.alg, s.kid, s.signature) for s in decoded.signatures]
    twice = check(assemble(decoded.payload, [sigs[0], sigs[0], sigs[1]]))
    assert twice.status is V.FORGED  # one key, two signatures: not what the issuer made
    assert twice.findings == (V.FORGED, V.MISSING_SIGNATURE)
    assert twice.authorities == ("umbrella-force",)
    assert check(assemble(decoded.payload, [*sigs, sigs[0]])).status is V.FORGED


def test_two_keys_of_one_authority_count_as_one() -> None:
    second_army = signer("army-2")
    trust = trust_list([*TRUST.entries, entry(second_army, "army")])
    required = [AUTHORITY_SIGNERS[0], second_army, AUTHORITY_SIGNERS[1]]
    token = sign_permit(claims(required), required)
    verdict = check(token, trust=trust)
    assert verdict.status is V.MISSING_SIGNATURE
    assert verdict.authorities == ("army", "umbrella-force")


def test_a_required_key_not_on_the_trust_list_is_unknown() -> None:
    stranger = signer("stranger")
    required = [*AUTHORITY_SIGNERS[:2], stranger]
    assert check(sign_permit(claims(required), required)).status is V.UNKNOWN_KEY


def test_an_extra_signature_by_an_unknown_key_counts_for_nothing() -> None:
    stranger = signer("stranger")
    assert check(sign_permit(claims(), [*AUTHORITY_SIGNERS, stranger])).status is V.VALID
    only = sign_permit(claims(), [*AUTHORITY_SIGNERS[:2], stranger])
    assert check(only).status is V.MISSING_SIGNATURE


@pytest.mark.parametrize(
    "changed",
    [
        {"status": KeyStatus.COMPROMISED},
        {"valid_from": NOW},  # key not yet valid when the permit was issued
        {"valid_to": ISSUED - timedelta(hours=1)},  # key expired before the permit was issued
        {"roles": ("revocations",)},  # not a permit-signing key
    ],
)
def test_a_signature_by_a_key_not_trusted_at_issue_is_forged(changed: dict[str, object]) -> None:
    first = entry(AUTHORITY_SIGNERS[0], "army", **changed)  # type: ignore[arg-type]
    trust = trust_list([first, *TRUST.entries[1:]])
    assert check(trust=trust).status is V.FORGED


def test_a_retired_key_still_vouches_for_what_it_signed_in_its_window() -> None:
    first = entry(AUTHORITY_SIGNERS[0], "army", status=KeyStatus.RETIRED, valid_to=NOW)
    assert check(trust=trust_list([first, *TRUST.entries[1:]])).status is V.VALID


def test_a_signature_claiming_another_algorithm_than_its_key_is_forged() -> None:
    hardware = ES256Signer(ec.generate_private_key(ec.SECP256R1()))
    es_entry = TrustEntry(
        authority="coalition",
        alg=ALG_ES256,
        public_key=raw_public_key(hardware.private_key.public_key()),
        valid_from=NOW - timedelta(days=1),
    )
    trust = trust_list([*TRUST.entries[:2], es_entry])
    required: list[Signer] = [*AUTHORITY_SIGNERS[:2], hardware]
    made = claims(required)
    payload = claims_to_cbor(made)
    ours = decode(sign_permit(made, AUTHORITY_SIGNERS[:2])).signatures
    signature = hardware.sign(sig_structure(b"", protected_header(ALG_EDDSA), payload))
    token = assemble(
        payload,
        [*((s.alg, s.kid, s.signature) for s in ours), (ALG_EDDSA, hardware.kid, signature)],
    )
    assert check(token, trust=trust).status is V.FORGED


def test_es256_signatures_are_accepted() -> None:
    hardware = ES256Signer(ec.generate_private_key(ec.SECP256R1()))
    es_entry = TrustEntry(
        authority="coalition",
        alg=ALG_ES256,
        public_key=raw_public_key(hardware.private_key.public_key()),
        valid_from=NOW - timedelta(days=1),
    )
    trust = trust_list([*TRUST.entries[:2], es_entry])
    required: list[Signer] = [*AUTHORITY_SIGNERS[:2], hardware]
    made = claims(required)
    payload = claims_to_cbor(made)
    outside = hardware.sign(sig_structure(b"", protected_header(ALG_ES256), payload))
    ours = decode(sign_permit(made, AUTHORITY_SIGNERS[:2])).signatures
    token = assemble(
        payload, [*((s.alg, s.kid, s.signature) for s in ours), (ALG_ES256, hardware.kid, outside)]
    )
    assert check(token, trust=trust).status is V.VALID
    bad = outside[:-1] + bytes([outside[-1] ^ 1])
    forged = assemble(
        payload, [*((s.alg, s.kid, s.signature) for s in ours), (ALG_ES256, hardware.kid, bad)]
    )
    assert check(forged, trust=trust).status is V.FORGED


def test_an_older_trust_list_is_refused_at_load() -> None:
    keys = [GOVERNANCE.private_key.public_key()]
    newer = load_trust_list(sign_trust_list(trust_list(seq=8), GOVERNANCE), keys)
    with pytest.raises(TrustListReplayed):
        load_trust_list(sign_trust_list(trust_list(seq=7), GOVERNANCE), keys, min_seq=newer.seq)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(RevocationStatus.REVOKED, V.REVOKED), (RevocationStatus.SUSPENDED, V.SUSPENDED)],
)
def test_revoked_and_suspended_by_a_delta(status: RevocationStatus, expected: V) -> None:
    verdict = check(state=revocations(revocation(status)))
    assert verdict.status is expected
    assert "driver_mismatch" in verdict.message(Locale.EN)
    assert check(state=revocations(revocation(status, version=2))).status is V.VALID
    assert check(state=revocations(revocation(status, version=None))).status is expected


def test_expired_and_not_yet_valid_by_time() -> None:
    made = claims()

    def status_at(when: datetime) -> V:
        return check(at=when, data_as_of=when).status

    assert status_at(made.exp) is V.EXPIRED
    assert status_at(made.exp - timedelta(seconds=1)) is V.VALID
    assert status_at(made.nbf - timedelta(seconds=1)) is V.NOT_YET_VALID
    assert status_at(made.nbf) is V.VALID
    # Written for the reader: the date in the reader's words, on the town's clock, the offset.
    assert "27 نوفمبر 2026" in check(at=made.exp).message(Locale.AR)
    baghdad = check(at=made.exp).message(Locale.EN, ZoneInfo("Asia/Baghdad"))
    assert baghdad.endswith("ended at 27 Nov 2026, 15:00 (UTC+03:00).")


def test_off_route_only_when_the_permit_lists_checkpoints() -> None:
    verdict = check(checkpoint="CP-WEST-9")
    assert verdict.status is V.OFF_ROUTE
    assert "CP-WEST-9" in verdict.message(Locale.AR)
    assert check(checkpoint=" cp-bridge ").status is V.VALID
    route_only = sign_permit(claims(checkpoints=(), conditions=()), AUTHORITY_SIGNERS)
    assert check(route_only, checkpoint="CP-WEST-9").status is V.VALID


# The permit's route is near (37.18 E, 36.22 N); its conditions: daylight only, via CP-BRIDGE.
HERE = (37.18, 36.22)
NIGHT = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # 23:00 local, long after sunset


@pytest.mark.parametrize(
    ("conditions", "options", "expected"),
    [
        ("both", {"checkpoint": "CP-BRIDGE", "position": HERE}, V.VALID),
        ("both", {"checkpoint": "CP-EAST-1", "position": HERE}, V.CONDITION_VIA),
        ("both", {"checkpoint": "CP-BRIDGE", "position": HERE, "at": NIGHT}, V.CONDITION_DAYLIGHT),
        ("both", {"checkpoint": "CP-EAST-1", "position": HERE, "at": NIGHT}, V.CONDITION_VIA),
        ("both", {"checkpoint": "CP-BRIDGE", "at": NIGHT}, V.VALID),  # no position: not judged
        ("both", {"position": HERE}, V.VALID),  # no checkpoint: "via" not judged
        ("none", {"checkpoint": "CP-BRIDGE", "position": HERE, "at": NIGHT}, V.VALID),
        ("escort", {"checkpoint": "CP-BRIDGE", "position": HERE, "at": NIGHT}, V.VALID),
        ("both", {"checkpoint": "CP-WEST-9", "position": HERE, "at": NIGHT}, V.OFF_ROUTE),
    ],
)
def test_conditions_are_part_of_the_verdict(
    conditions: str, options: dict[str, object], expected: V
) -> None:
    """ "Only via" and "daylight only" are judged offline, each with its own status (a worse
    verdict still wins); the escort is the officer's to confirm, so it never turns a verdict."""
    made = {
        "both": claims(),
        "none": claims(conditions=()),
        "escort": claims(conditions=(Condition("escort_required"),)),
    }[conditions]
    verdict = check(sign_permit(made, AUTHORITY_SIGNERS), **options)  # type: ignore[arg-type]  # a table of mixed options
    assert verdict.status is expected


def test_a_night_verdict_says_when_the_sun_rises_and_sets_there() -> None:
    verdict = check(checkpoint="CP-BRIDGE", position=HERE, at=NIGHT)
    assert verdict.status is V.CONDITION_DAYLIGHT
    sunrise = datetime.fromisoformat(verdict.params["sunrise"])
    sunset = datetime.fromisoformat(verdict.params["sunset"])
    assert sunrise.utcoffset() == sunset.utcoffset() == timedelta(0)  # kept in UTC
    message = verdict.message(Locale.EN)
    assert "daylight hours only" in message
    assert sunrise.strftime("%H:%M") in message  # a time of day, on the reader's clock
    local = verdict.message(Locale.AR, ZoneInfo("Asia/Damascus"))
    assert (sunset + timedelta(hours=3)).strftime("%H:%M") in local


def test_old_data_warns_and_only_past_the_hard_limit_replaces_valid() -> None:
    late = ISSUED + timedelta(hours=24, seconds=1)
    verdict = check(at=late)
    assert verdict.status is V.VALID  # the permit's own verdict, not "stale"
    assert verdict.data_old
    assert verdict.data_age == timedelta(hours=24, seconds=1)
    assert verdict.data_warning(Locale.EN) == (
        "On data 24 hours old: revocations since then are unknown."
    )
    assert "24" in (verdict.data_warning(Locale.AR) or "")
    fresh = check(at=late, max_data_age=timedelta(hours=48))
    assert (fresh.status, fresh.data_old, fresh.data_warning(Locale.EN)) == (V.VALID, False, None)
    days = check(at=NOW, data_as_of=NOW - timedelta(days=3))
    assert (days.status, days.data_old) == (V.VALID, True)
    assert days.data_warning(Locale.EN) == "On data 3 days old: revocations since then are unknown."
    # Past the hard limit: stale, and the permit's own checks stay on the verdict.
    too_old = check(at=NOW, data_as_of=NOW - timedelta(days=8))
    assert (too_old.status, too_old.permit_status, too_old.data_old) == (V.STALE, V.VALID, False)
    assert "8 days" not in too_old.message(Locale.EN)
    assert "192 hours old" in too_old.message(Locale.EN)
    limited = check(at=late, hard_data_age=timedelta(hours=24))
    assert (limited.status, limited.permit_status) == (V.STALE, V.VALID)
    # A worse verdict always wins, old data or not.
    assert check(tamper(TOKEN, -1), at=late).status is V.FORGED
    old_revoked = check(at=late, state=revocations(revocation(RevocationStatus.REVOKED)))
    assert (old_revoked.status, old_revoked.data_old) == (V.REVOKED, True)
    stale_revoked = check(
        at=late,
        state=revocations(revocation(RevocationStatus.REVOKED)),
        hard_data_age=timedelta(hours=24),
    )
    assert stale_revoked.status is V.REVOKED
    assert stale_revoked.findings == (V.REVOKED, V.STALE)
    assert stale_revoked.permit_status is V.REVOKED


def test_no_revocation_data_is_stale() -> None:
    verdict = check(state=None)
    assert verdict.status is V.STALE
    assert "revocation" in verdict.message(Locale.EN)
    assert check(state=RevocationState()).status is V.STALE


def test_malformed_text_is_its_own_verdict() -> None:
    verdict = check("TQ1:NOT A PERMIT")
    assert verdict.status is V.MALFORMED
    assert verdict.claims is None
    assert verdict.findings == (V.MALFORMED,)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(NaiveTime):
        check(at=NOW.replace(tzinfo=None))


def test_the_precedence_is_complete_and_ordered() -> None:
    assert set(PRECEDENCE) == set(VerdictStatus) == set(REASONS)
    assert PRECEDENCE[0] is V.MALFORMED
    assert PRECEDENCE[-1] is V.VALID


def test_findings_come_worst_first_in_the_documented_order() -> None:
    """Everything wrong at once: forged wins, the rest is still listed, in order."""
    decoded = decode(TOKEN)
    sigs = [(s.alg, s.kid, s.signature) for s in decoded.signatures]
    bad = (sigs[0][0], sigs[0][1], bytes(64))
    stranger = signer("stranger")
    required: list[Signer] = [*AUTHORITY_SIGNERS, stranger]
    made = claims(required)
    payload = claims_to_cbor(made)
    token = assemble(payload, [bad])
    verdict = check(
        token,
        at=made.exp + timedelta(days=9),
        checkpoint="CP-NOWHERE",
        state=revocations(revocation(RevocationStatus.REVOKED)),
    )
    assert verdict.findings == (
        V.FORGED,
        V.UNKNOWN_KEY,
        V.MISSING_SIGNATURE,
        V.REVOKED,
        V.EXPIRED,
        V.OFF_ROUTE,
        V.CONDITION_VIA,
        V.STALE,
    )
    assert verdict.status is V.FORGED
    suspended = check(
        token,
        at=made.nbf - timedelta(days=30),
        state=revocations(revocation(RevocationStatus.SUSPENDED)),
    )
    assert suspended.findings[-2:] == (V.SUSPENDED, V.NOT_YET_VALID)


TOKEN_ALPHABET = sorted(set(TOKEN))


@settings(max_examples=200)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=4, max_value=len(TOKEN) - 1), st.sampled_from(TOKEN_ALPHABET)
        ),
        min_size=1,
        max_size=3,
    )
)
def test_any_mutation_of_a_token_never_verifies_as_valid(edits: list[tuple[int, str]]) -> None:
    chars = list(TOKEN)
    for position, char in edits:
        chars[position] = char
    mutated = "".join(chars)
    if mutated == TOKEN:
        return
    assert check(mutated).status is not V.VALID


@settings(max_examples=200)
@given(st.integers(min_value=0), st.integers(min_value=0, max_value=7))
def test_any_flipped_bit_inside_the_cose_structure_never_verifies(index: int, bit: int) -> None:
    raw = bytearray(zlib.decompress(b45decode(TOKEN[4:])))
    raw[index % len(raw)] ^= 1 << bit
    with contextlib.suppress(PermitTokenMalformed):
        mutated = "TQ1:" + b45encode(zlib.compress(bytes(raw)))
        assert check(mutated).status is not V.VALID


def test_a_crafted_huge_route_integer_is_malformed_not_a_crash() -> None:
    """Found in review: a route integer beyond float range crashed verification."""
    import cbor2

    from tansiq.permits.claims import claims_to_cbor
    from tansiq.permits.cose import protected_header, sig_structure
    from tansiq.permits.token import assemble
    from tests.permits import builders

    body = dict(cbor2.loads(claims_to_cbor(builders.claims())))
    body[10] = [2**1100, 0]
    payload = cbor2.dumps(body)
    signatures = [
        (s.alg, s.kid, s.sign(sig_structure(b"", protected_header(s.alg), payload)))
        for s in builders.AUTHORITY_SIGNERS
    ]
    verdict = verify(
        assemble(payload, signatures),
        trust=builders.trust_list(),
        revocations=builders.revocations(),
        at=builders.ISSUED,
    )
    assert verdict.status is VerdictStatus.MALFORMED
