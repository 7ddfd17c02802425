"""Deterministic keys, claims, trust lists and revocation data for permit and verifier tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tansiq.permits.claims import Condition, Driver, PermitClaims, Vehicle
from tansiq.permits.keys import Ed25519Signer, ES256Signer, Signer, raw_public_key
from tansiq.permits.trust import (
    KeyStatus,
    RevocationDelta,
    RevocationEntry,
    RevocationState,
    RevocationStatus,
    TrustEntry,
    TrustList,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ISSUED = NOW - timedelta(hours=2)
AUTHORITIES = ("army", "umbrella-force", "coalition")
SALT = bytes(range(16))
DRIVER_ID = "١٢٣-٤٥٦ ٧٨٩"


def ed25519_key(label: str) -> Ed25519PrivateKey:
    """The same private key for the same label, every run."""
    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def signer(label: str) -> Ed25519Signer:
    return Ed25519Signer(ed25519_key(label))


GOVERNANCE = signer("governance")
AUTHORITY_SIGNERS = tuple(signer(f"{name}-1") for name in AUTHORITIES)


def claims(required: Sequence[Signer] = AUTHORITY_SIGNERS, **changes: Any) -> PermitClaims:
    base = PermitClaims(
        issuer="tansiq-hub",
        cti="P-2026-000123",
        version=1,
        iat=ISSUED,
        nbf=NOW - timedelta(hours=1),
        exp=NOW + timedelta(days=2),
        vehicle=Vehicle(plate="دمشق 123456", kind="truck"),
        driver=Driver.with_id("أحمد الخطيب", DRIVER_ID, SALT),
        cargo="flour, 20 t",
        required_kids=tuple(s.kid for s in required),
        route=((37.15412, 36.20213), (37.17801, 36.21555), (37.21033, 36.23017)),
        checkpoints=("CP-EAST-1", "CP-BRIDGE"),
        conditions=(Condition("daylight_only"), Condition("via_checkpoints", "CP-BRIDGE")),
    )
    return replace(base, **changes)


def entry(
    key: Ed25519Signer | ES256Signer,
    authority: str,
    *,
    status: KeyStatus = KeyStatus.ACTIVE,
    valid_from: datetime = NOW - timedelta(days=365),
    valid_to: datetime | None = None,
    roles: tuple[str, ...] = ("permits",),
) -> TrustEntry:
    return TrustEntry(
        authority=authority,
        alg=key.alg,
        public_key=raw_public_key(key.private_key.public_key()),
        valid_from=valid_from,
        valid_to=valid_to,
        status=status,
        roles=roles,
    )


def trust_list(
    entries: Sequence[TrustEntry] | None = None, *, seq: int = 7, issued_at: datetime = ISSUED
) -> TrustList:
    if entries is None:
        entries = [entry(s, a) for s, a in zip(AUTHORITY_SIGNERS, AUTHORITIES, strict=True)]
    return TrustList(seq, issued_at, entries)


def revocations(*entries: RevocationEntry, issued_at: datetime = ISSUED) -> RevocationState:
    state = RevocationState()
    state.apply(RevocationDelta(seq=1, issued_at=issued_at, entries=entries))
    return state


def revocation(
    status: RevocationStatus, version: int | None = 1, cti: str = "P-2026-000123"
) -> RevocationEntry:
    return RevocationEntry(
        cti=cti, version=version, status=status, reason="driver_mismatch", at=ISSUED
    )
