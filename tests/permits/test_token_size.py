"""The worst case the token must carry: a permit of three signers whose driver's names (both
scripts) and cargo fill what the token takes of them, in the least compressible text, still
fits one QR code of version 25 at level Q, and reads back with both names."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import segno

from tansiq.permits.claims import Vehicle
from tansiq.permits.route_fit import QR_MAX_VERSION
from tansiq.permits.terms import (
    MAX_CARGO_SUMMARY,
    MAX_NAME_IN_TOKEN,
    CargoLine,
    Holder,
    PermitFacts,
    permit_claims,
)
from tansiq.permits.token import decode, sign_permit
from tests.permits.builders import AUTHORITY_SIGNERS, SALT

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى"
LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _noise(alphabet: str, length: int, seed: int) -> str:
    """Letters at random: text zlib cannot shrink (real names and cargo compress better)."""
    pick = random.Random(seed)
    return "".join(pick.choice(alphabet) for _ in range(length))


def test_three_signers_with_the_longest_names_and_cargo_fit_version_25_q() -> None:
    for seed in range(8):
        facts = PermitFacts(
            holder=Holder(
                name_ar=_noise(ARABIC, 200, seed),
                name_latin=_noise(LATIN, 200, seed + 100),
                id_hash=bytes(32),
                id_salt=SALT,
            ),
            vehicle=Vehicle(plate=_noise(ARABIC, 40, seed), kind="tanker"),
            cargo=(CargoLine(quantity=1, unit="t", description=_noise(ARABIC, 300, seed)),),
            origin="A",
            destination="B",
            route=((44.36611, 33.31522), (44.41234, 33.35678)),
            checkpoints=tuple(f"CP-{seed}-{i:02d}" for i in range(6)),
            corridor_m=500,
        )
        fitted = permit_claims(
            facts,
            issuer="tansiq-hub",
            reference=999_999,
            version=12,
            issued_at=AT,
            valid_from=AT,
            valid_until=AT + timedelta(days=30),
            conditions=(),
            signers=3,
        )
        assert len(fitted.driver.name) == MAX_NAME_IN_TOKEN
        assert len(fitted.driver.name_ar) == MAX_NAME_IN_TOKEN
        assert len(fitted.cargo) == MAX_CARGO_SUMMARY
        kids = tuple(signer.kid for signer in AUTHORITY_SIGNERS)
        token = sign_permit(replace(fitted, required_kids=kids), AUTHORITY_SIGNERS)
        code = segno.make_qr(token, error="q", mode="alphanumeric", boost_error=False)
        assert int(code.version) <= QR_MAX_VERSION, (seed, len(token))
        back = decode(token).claims.driver
        assert back.names == (fitted.driver.name_ar, fitted.driver.name)
