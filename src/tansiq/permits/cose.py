"""Strict CBOR and COSE_Sign (RFC 9052): the exact bytes each signature signs, parsing a
message without verifying it, and checking every signature of one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import cbor2

from tansiq.permits.keys import ALG_EDDSA, ALG_ES256, SUPPORTED_ALGS, PublicKey, verify_signature
from tansiq.permits.token_errors import PermitTokenMalformed, SignatureInvalid, UnsupportedAlgorithm

COSE_SIGN_TAG: Final = 98
MAX_SIGNATURES: Final = 16


def strict_loads(data: bytes) -> Any:
    """Decode one CBOR item that must be exactly what this module would write for it."""
    try:
        value = cbor2.loads(data, max_depth=8, allow_indefinite=False, allow_duplicate_keys=False)
        same = cbor2.dumps(value) == data
    except (cbor2.CBORError, ValueError, TypeError, OverflowError, RecursionError) as error:
        raise PermitTokenMalformed(problem=f"CBOR: {str(error)[:80]}") from None
    if not same:
        raise PermitTokenMalformed(problem="CBOR not in shortest form, or trailing bytes")
    return value


def sig_structure(
    body_protected: bytes, sign_protected: bytes, payload: bytes, external_aad: bytes = b""
) -> bytes:
    """The exact bytes one COSE_Signature signs (RFC 9052 §4.4, context "Signature")."""
    return cbor2.dumps(["Signature", body_protected, sign_protected, external_aad, payload])


def protected_header(alg: int) -> bytes:
    """The protected header ``{1: alg}`` of a COSE_Signature."""
    return cbor2.dumps({1: alg})


PROTECTED_HEADERS: Final = {
    ALG_EDDSA: protected_header(ALG_EDDSA),
    ALG_ES256: protected_header(ALG_ES256),
}


@dataclass(frozen=True, slots=True)
class CoseSignature:
    """One COSE_Signature: its algorithm and kid (from its headers) and the raw parts."""

    alg: int | str | None
    kid: bytes | None
    protected: bytes
    unprotected: Mapping[Any, Any]
    signature: bytes


@dataclass(frozen=True, slots=True)
class CoseSign:
    """A parsed COSE_Sign message (any headers; :func:`decode` adds Tansiq's rules)."""

    body_protected: bytes
    body_unprotected: Mapping[Any, Any]
    payload: bytes
    signatures: tuple[CoseSignature, ...]


def _parse_signature(item: Any) -> CoseSignature:
    if not (isinstance(item, list | tuple) and len(item) == 3):
        raise PermitTokenMalformed(problem="COSE_Signature is not a 3-element array")
    protected, unprotected, signature = item
    if not (
        isinstance(protected, bytes)
        and isinstance(unprotected, Mapping)
        and isinstance(signature, bytes)
    ):
        raise PermitTokenMalformed(problem="COSE_Signature has wrong member types")
    headers = strict_loads(protected) if protected else {}
    if not isinstance(headers, Mapping):
        raise PermitTokenMalformed(problem="protected header is not a map")
    alg = headers.get(1)
    kid = unprotected.get(4, headers.get(4))
    if not (alg is None or isinstance(alg, int | str)) or not (
        kid is None or isinstance(kid, bytes)
    ):
        raise PermitTokenMalformed(problem="alg or kid of the wrong type")
    return CoseSignature(
        alg=alg, kid=kid, protected=protected, unprotected=unprotected, signature=signature
    )


def parse_cose_sign(data: bytes) -> CoseSign:
    """Parse COSE_Sign bytes (tag 98 optional; any other tag refused) without verifying."""
    value = strict_loads(data)
    if isinstance(value, cbor2.CBORTag):
        if value.tag != COSE_SIGN_TAG:
            raise PermitTokenMalformed(problem=f"CBOR tag {value.tag}, not COSE_Sign")
        value = value.value
    if not (isinstance(value, list | tuple) and len(value) == 4):
        raise PermitTokenMalformed(problem="COSE_Sign is not a 4-element array")
    body_protected, body_unprotected, payload, signatures = value
    if not (
        isinstance(body_protected, bytes)
        and isinstance(body_unprotected, Mapping)
        and isinstance(payload, bytes)
        and isinstance(signatures, list | tuple)
        and 1 <= len(signatures) <= MAX_SIGNATURES
    ):
        raise PermitTokenMalformed(problem="COSE_Sign has wrong member types")
    return CoseSign(
        body_protected=body_protected,
        body_unprotected=body_unprotected,
        payload=payload,
        signatures=tuple(_parse_signature(item) for item in signatures),
    )


def verify_cose_sign(
    data: bytes, keys: Mapping[bytes, PublicKey], external_aad: bytes = b""
) -> CoseSign:
    """Parse ``data`` and check that EVERY signature verifies with the key for its kid.

    The low-level check (used against the cose-wg vectors); the permit verifier adds the
    all-of-distinct-authorities rule on top. Raises :class:`PermitTokenMalformed`,
    :class:`UnsupportedAlgorithm` or :class:`SignatureInvalid`.
    """
    message = parse_cose_sign(data)
    for signature in message.signatures:
        if not isinstance(signature.alg, int) or signature.alg not in SUPPORTED_ALGS:
            raise UnsupportedAlgorithm(problem=f"alg {signature.alg!r}")
        key = keys.get(signature.kid or b"")
        to_be_signed = sig_structure(
            message.body_protected, signature.protected, message.payload, external_aad
        )
        if key is None or not verify_signature(
            key, signature.alg, to_be_signed, signature.signature
        ):
            raise SignatureInvalid
    return message
