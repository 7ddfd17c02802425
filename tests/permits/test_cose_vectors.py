"""The COSE_Sign layer against the cose-wg/Examples vectors (public domain, see data/cose-wg)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tansiq.core.errors import TansiqError
from tansiq.permits.cose import parse_cose_sign, sig_structure, verify_cose_sign
from tansiq.permits.keys import ALG_EDDSA, ALG_ES256, PublicKey, verify_signature

DATA = Path(__file__).parent / "data" / "cose-wg"
PASSING = [
    "Appendix_C_1_2.json",
    "eddsa-01.json",
    "ecdsa-01.json",
    "sign-pass-02.json",
    "sign-pass-03.json",
]
# Each sign-fail vector and why it must fail.
FAILING = {
    "sign-fail-01.json": "permit.token_malformed",  # CBOR tag 998 instead of 98
    "sign-fail-02.json": "permit.signature_invalid",  # signature changed
    "sign-fail-03.json": "permit.alg_unsupported",  # alg -999
    "sign-fail-04.json": "permit.alg_unsupported",  # alg "unknown"
    "sign-fail-06.json": "permit.signature_invalid",  # protected attribute added
    "sign-fail-07.json": "permit.signature_invalid",  # protected attribute removed
}


def vector(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return loaded


def b64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def public_key(jwk: dict[str, str]) -> PublicKey | ec.EllipticCurvePublicKey:
    if jwk["kty"] == "OKP":
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(jwk["x_hex"]))
    curve: ec.EllipticCurve = {"P-256": ec.SECP256R1(), "P-521": ec.SECP521R1()}[jwk["crv"]]
    return ec.EllipticCurvePublicKey.from_encoded_point(
        curve, b"\x04" + b64(jwk["x"]) + b64(jwk["y"])
    )


def keys_of(case: dict[str, Any]) -> dict[bytes, PublicKey]:
    keys: dict[bytes, PublicKey] = {}
    for signer in case["input"]["sign"]["signers"]:
        key = public_key(signer["key"])
        if isinstance(key, Ed25519PublicKey) or isinstance(key.curve, ec.SECP256R1):
            keys[signer["unprotected"]["kid"].encode()] = key
    return keys


def external_aad(case: dict[str, Any]) -> bytes:
    signer = case["input"]["sign"]["signers"][0]
    return bytes.fromhex(signer.get("external", ""))


def test_the_license_travels_with_the_vectors() -> None:
    assert "public domain" in (DATA / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", PASSING)
def test_sig_structure_matches_the_intermediate_to_be_signed(name: str) -> None:
    case = vector(name)
    message = parse_cose_sign(bytes.fromhex(case["output"]["cbor"]))
    expected = [bytes.fromhex(s["ToBeSign_hex"]) for s in case["intermediates"]["signers"]]
    made = [
        sig_structure(message.body_protected, s.protected, message.payload, external_aad(case))
        for s in message.signatures
    ]
    assert made == expected
    assert message.payload == case["input"]["plaintext"].encode()


def test_two_signers_es256_and_es512() -> None:
    """RFC 8152 C.1.2: the ES256 signature verifies with our code; ES512 (not an algorithm a
    permit may use) is parsed and then checked here with cryptography directly."""
    case = vector("Appendix_C_1_2.json")
    message = parse_cose_sign(bytes.fromhex(case["output"]["cbor"]))
    assert [(s.alg, s.kid) for s in message.signatures] == [
        (ALG_ES256, b"11"),
        (-36, b"bilbo.baggins@hobbiton.example"),
    ]
    es256, es512 = message.signatures
    signers = case["input"]["sign"]["signers"]
    tbs = sig_structure(b"", es256.protected, message.payload)
    assert verify_signature(public_key(signers[0]["key"]), ALG_ES256, tbs, es256.signature)
    p521 = public_key(signers[1]["key"])
    assert isinstance(p521, ec.EllipticCurvePublicKey)
    half = len(es512.signature) // 2
    der = encode_dss_signature(
        int.from_bytes(es512.signature[:half], "big"), int.from_bytes(es512.signature[half:], "big")
    )
    p521.verify(
        der, sig_structure(b"", es512.protected, message.payload), ec.ECDSA(hashes.SHA512())
    )
    # The low-level check wants every signature to verify: ES512 is not ours to accept.
    with pytest.raises(TansiqError):
        verify_cose_sign(bytes.fromhex(case["output"]["cbor"]), keys_of(case))


@pytest.mark.parametrize(
    ("name", "alg"),
    [
        ("eddsa-01.json", ALG_EDDSA),
        ("ecdsa-01.json", ALG_ES256),
        ("sign-pass-02.json", ALG_ES256),
        ("sign-pass-03.json", ALG_ES256),
    ],
)
def test_passing_vectors_verify(name: str, alg: int) -> None:
    case = vector(name)
    message = verify_cose_sign(
        bytes.fromhex(case["output"]["cbor"]), keys_of(case), external_aad(case)
    )
    assert message.signatures[0].alg == alg


def test_eddsa_vector_signature_is_the_deterministic_one() -> None:
    case = vector("eddsa-01.json")
    message = parse_cose_sign(bytes.fromhex(case["output"]["cbor"]))
    assert message.body_protected == bytes.fromhex("a10300")
    assert message.signatures[0].kid == b"11"
    assert message.signatures[0].signature.hex().upper().startswith("77F3EACD")


def test_every_failing_vector_is_listed() -> None:
    assert set(FAILING) == {path.name for path in DATA.glob("sign-fail-*.json")}


@pytest.mark.parametrize(("name", "code"), sorted(FAILING.items()))
def test_failing_vectors_are_rejected(name: str, code: str) -> None:
    case = vector(name)
    assert case["fail"] is True
    with pytest.raises(TansiqError) as raised:
        verify_cose_sign(bytes.fromhex(case["output"]["cbor"]), keys_of(case), external_aad(case))
    assert raised.value.code == code


def test_external_aad_is_signed() -> None:
    case = vector("sign-pass-02.json")
    with pytest.raises(TansiqError):
        verify_cose_sign(bytes.fromhex(case["output"]["cbor"]), keys_of(case))


def test_a_signature_without_a_known_key_fails() -> None:
    case = vector("eddsa-01.json")
    with pytest.raises(TansiqError):
        verify_cose_sign(bytes.fromhex(case["output"]["cbor"]), {})
    assert cbor2.loads(bytes.fromhex(case["output"]["cbor"])).tag == 98
