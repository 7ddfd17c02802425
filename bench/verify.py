"""Offline verify of a 3-signature permit, against the three bare Ed25519 checks it contains.

The permit is the realistic one a checkpoint sees (Arabic plate and driver name, 3-point route,
2 checkpoints, 2 conditions, 3 required authorities). Measured in one run, interleaved so CPU
frequency drift hits both alike:

* full: ``verify(text, ...)`` from the token text (Base45, inflate, CBOR, claims, trust lookups,
  three signature checks, revocation and time checks) with a loaded trust list and revocations;
* bare: three ``Ed25519PublicKey.verify`` calls on the same signatures and signed bytes, with the
  key objects already built.

Prints a table, then ``result: verify_ratio = <full median / bare median>`` (target <= 2), and
the QR version and size of that token.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import report
from tansiq.permits.claims import Condition, Driver, PermitClaims, Vehicle
from tansiq.permits.keys import ALG_EDDSA, Ed25519Signer, raw_public_key
from tansiq.permits.qr import make_qr
from tansiq.permits.token import decode, sign_permit
from tansiq.permits.trust import RevocationDelta, RevocationState, TrustEntry, TrustList
from tansiq.verifier.verify import VerdictStatus, verify

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ROUNDS = 5_000
AUTHORITIES = ("army", "umbrella-force", "coalition")


def signer(label: str) -> Ed25519Signer:
    return Ed25519Signer(
        Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())
    )


def permit(signers: list[Ed25519Signer]) -> str:
    claims = PermitClaims(
        issuer="tansiq-hub",
        cti="P-2026-000123",
        version=1,
        iat=NOW - timedelta(hours=2),
        nbf=NOW - timedelta(hours=1),
        exp=NOW + timedelta(days=2),
        vehicle=Vehicle(plate="دمشق 123456", kind="truck"),
        driver=Driver.with_id("أحمد الخطيب", "123456789", bytes(range(16))),
        cargo="flour, 20 t",
        required_kids=tuple(s.kid for s in signers),
        route=((37.15412, 36.20213), (37.17801, 36.21555), (37.21033, 36.23017)),
        checkpoints=("CP-EAST-1", "CP-BRIDGE"),
        conditions=(Condition("daylight_only"), Condition("via_checkpoints", "CP-BRIDGE")),
    )
    return sign_permit(claims, signers)


def trust_list(signers: list[Ed25519Signer]) -> TrustList:
    """The authorities' keys as a checkpoint holds them."""
    return TrustList(
        7,
        NOW - timedelta(hours=2),
        [
            TrustEntry(
                authority=name,
                alg=ALG_EDDSA,
                public_key=raw_public_key(s.private_key.public_key()),
                valid_from=NOW - timedelta(days=365),
            )
            for s, name in zip(signers, AUTHORITIES, strict=True)
        ],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = report.start()
    out = report.Tee()  # prints, and keeps the lines for docs/performance.md
    signers = [signer(name) for name in AUTHORITIES]
    text = permit(signers)
    trust = trust_list(signers)
    revocations = RevocationState()
    revocations.apply(RevocationDelta(seq=1, issued_at=NOW - timedelta(hours=1)))
    verdict = verify(text, trust=trust, revocations=revocations, at=NOW)
    if verdict.status is not VerdictStatus.VALID:
        raise SystemExit(f"the benchmark permit does not verify: {verdict.status}")

    decoded = decode(text)
    keys = [s.private_key.public_key() for s in signers]
    checks = [
        (key, sig.signature, decoded.to_be_signed(sig))
        for key, sig in zip(keys, decoded.signatures, strict=True)
    ]

    full: list[float] = []
    bare: list[float] = []
    clock = time.perf_counter
    for _ in range(args.rounds):
        start = clock()
        verify(text, trust=trust, revocations=revocations, at=NOW)
        full.append(clock() - start)
        start = clock()
        for key, signature, data in checks:
            key.verify(signature, data)
        bare.append(clock() - start)

    rows = [("full verify from text", full), ("3 bare Ed25519 verifies", bare)]
    out(f"{'what':<26}{'median µs':>12}{'p90 µs':>10}{'p99 µs':>10}")
    for name, samples in rows:
        cuts = statistics.quantiles(samples, n=100)
        out(
            f"{name:<26}{statistics.median(samples) * 1e6:>12.1f}"
            f"{cuts[89] * 1e6:>10.1f}{cuts[98] * 1e6:>10.1f}"
        )
    qr3 = make_qr(text)
    qr2 = make_qr(permit(signers[:2]))
    out(f"token: {len(text)} characters; rounds: {args.rounds}")
    out(f"QR 2 signatures: version {qr2.version}, {qr2.modules}x{qr2.modules} modules")
    machine.finish()
    out(f"result: verify_ratio = {statistics.median(full) / statistics.median(bare):.2f}")
    out(f"result: qr_version = {qr3.version}")
    out(f"result: qr_modules = {qr3.modules}")
    if not args.no_write:
        report.write_section("verify", "Offline verify (Python)", machine, out.lines)


if __name__ == "__main__":
    main()
