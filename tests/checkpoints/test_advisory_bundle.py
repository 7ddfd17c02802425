"""The advisories bundle a checkpoint device carries offline: signed under a governance key
like the trust list, bound to its checkpoint, refused when damaged, forged, of another kind
or another checkpoint's, and never replaced by an older one replayed to the device."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tansiq.checkpoints.advisory_bundle import (
    AdvisoryBundle,
    AdvisoryItem,
    load_advisory_bundle,
    sign_advisory_bundle,
)
from tansiq.checkpoints.device_advisories import held_bundle, kept_bundle
from tansiq.permits.keys import Ed25519Signer
from tansiq.permits.trust import (
    RevocationDelta,
    TrustDataInvalid,
    TrustSignatureInvalid,
    sign1,
    sign_revocation_delta,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
GOVERNANCE = Ed25519Signer(Ed25519PrivateKey.generate())
KEYS = [GOVERNANCE.private_key.public_key()]

CLOSURE = AdvisoryItem(
    reference="A-3",
    kind="advisory",
    type="road_closed",
    severity="severe",
    state="active",
    start=NOW - timedelta(hours=1),
    end=NOW + timedelta(hours=5),
    description="Bridge road closed for repairs",
    distance_m=1200,
    permits=("P-7", "P-2"),
    party=("قيادة الغرب", "West Command"),
)
SHOTS = AdvisoryItem(
    reference="I-9",
    kind="incident",
    type="armed_clash",
    severity="moderate",
    state="corroborated",
    start=NOW - timedelta(hours=3),
    distance_m=8000,
)
CLOSED_HERE = AdvisoryItem(
    reference="A-4",
    kind="advisory",
    type="checkpoint_closed",
    severity="extreme",
    state="active",
    start=NOW,
    end=NOW + timedelta(hours=1),
    checkpoints=("BRIDGE-E",),
)


def _bundle(issued: datetime = NOW, checkpoint: str = "BRIDGE-W") -> AdvisoryBundle:
    return AdvisoryBundle(issued, checkpoint, (CLOSURE, SHOTS, CLOSED_HERE))


def test_a_signed_bundle_reads_back_as_written() -> None:
    signed = sign_advisory_bundle(_bundle(), GOVERNANCE)
    back = load_advisory_bundle(signed, KEYS, checkpoint="BRIDGE-W")
    assert back.issued_at == NOW
    assert back.checkpoint == "BRIDGE-W"
    assert back.items[0] == AdvisoryItem(**{**CLOSURE.__dict__, "permits": ("P-2", "P-7")})
    assert back.items[1] == SHOTS


def test_what_affects_a_permit_and_what_is_current() -> None:
    bundle = load_advisory_bundle(sign_advisory_bundle(_bundle(), GOVERNANCE), KEYS)
    # The hub found P-7's route affected; A-4 closes a checkpoint on P-1's route.
    assert [i.reference for i in bundle.affecting("P-7", ["W-GATE"], NOW)] == ["A-3"]
    assert [i.reference for i in bundle.affecting("P-1", ["BRIDGE-E"], NOW)] == ["A-4"]
    assert bundle.affecting("P-1", ["W-GATE"], NOW) == []
    # An advisory past its window no longer counts; an incident has no window.
    later = NOW + timedelta(hours=6)
    assert [i.reference for i in bundle.current(later)] == ["I-9"]
    assert bundle.affecting("P-7", [], later) == []


def test_another_checkpoints_bundle_is_refused() -> None:
    signed = sign_advisory_bundle(_bundle(checkpoint="E-GATE"), GOVERNANCE)
    with pytest.raises(TrustDataInvalid):
        load_advisory_bundle(signed, KEYS, checkpoint="BRIDGE-W")


def test_a_forged_or_damaged_bundle_is_refused() -> None:
    stranger = Ed25519Signer(Ed25519PrivateKey.generate())
    with pytest.raises(TrustSignatureInvalid):
        load_advisory_bundle(sign_advisory_bundle(_bundle(), stranger), KEYS)
    signed = bytearray(sign_advisory_bundle(_bundle(), GOVERNANCE))
    signed[-70] ^= 1  # inside the payload or the signature: either way refused
    with pytest.raises((TrustDataInvalid, TrustSignatureInvalid)):
        load_advisory_bundle(bytes(signed), KEYS)


def test_signed_data_of_another_kind_is_not_a_bundle() -> None:
    delta = sign_revocation_delta(RevocationDelta(seq=1, issued_at=NOW), GOVERNANCE)
    with pytest.raises(TrustDataInvalid):
        load_advisory_bundle(delta, KEYS)
    # The right type but an item out of shape (a kind that is not one).
    item = CLOSURE.to_cbor() | {2: "rumour"}
    body = cbor2.dumps({0: "tq-advisories", 1: 1, 2: "BRIDGE-W", 3: [item]})
    with pytest.raises(TrustDataInvalid):
        load_advisory_bundle(sign1(body, GOVERNANCE), KEYS)


def test_the_device_keeps_the_newest_bundle_and_ignores_a_replayed_older_one() -> None:
    old = sign_advisory_bundle(_bundle(NOW - timedelta(hours=2)), GOVERNANCE)
    new = sign_advisory_bundle(_bundle(NOW), GOVERNANCE)

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    assert kept_bundle(b64(new), KEYS, None) == new
    assert kept_bundle(b64(new), KEYS, old) == new
    assert kept_bundle(b64(old), KEYS, new) == new  # replayed: the newer one stays
    assert kept_bundle(None, KEYS, new) == new  # the hub sent none: keep what is held
    forged = sign_advisory_bundle(_bundle(), Ed25519Signer(Ed25519PrivateKey.generate()))
    with pytest.raises(TrustSignatureInvalid):
        kept_bundle(b64(forged), KEYS, new)
    # A held bundle whose key is no longer trusted is no bundle.
    assert held_bundle(new, [Ed25519PrivateKey.generate().public_key()]) is None
