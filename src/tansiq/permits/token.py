"""The permit token: ``TQ1:`` + Base45(zlib(COSE_Sign)), small enough for an alphanumeric QR.

Layers, outermost first:

* text: ``TQ1:`` then Base45 (RFC 9285). Both are in the QR alphanumeric character set.
* zlib (RFC 1950) of the COSE bytes; inflating is bounded to :data:`MAX_INFLATED` (16 KiB).
* COSE_Sign (RFC 9052, CBOR tag 98, always written, optional on input):
  ``[h'', {}, payload, [COSE_Signature, ...]]`` with one COSE_Signature per authority,
  ``[h'A10127' or h'A10126', {4: kid}, signature]``: the protected header is ``{1: alg}``
  (EdDSA = -8, ES256 = -7), the unprotected header ``{4: kid}``; the body's protected header is
  always the empty byte string. ``kid`` is the first 8 bytes of SHA-256 of the raw public key
  (Ed25519: its 32 bytes; ES256: the X9.62 uncompressed point). An ES256 signature is ``r || s``
  (64 bytes), as COSE says, not DER.
* payload: a CBOR map with integer keys, see :mod:`tansiq.permits.claims`.

Decoding is strict: every malformed input raises :class:`PermitTokenMalformed` (or a subclass),
never another exception. CBOR must be in the shortest form this module writes (decoded data is
re-encoded and compared: :func:`tansiq.permits.cose.strict_loads`), which also rules out
trailing bytes and unexpected semantic tags.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import cbor2

from tansiq.permits.base45 import b45decode, b45encode
from tansiq.permits.claims import PermitClaims, claims_from_cbor, claims_to_cbor
from tansiq.permits.cose import COSE_SIGN_TAG, PROTECTED_HEADERS, parse_cose_sign, sig_structure
from tansiq.permits.keys import KID_LENGTH, SUPPORTED_ALGS, Signer
from tansiq.permits.token_errors import (
    PermitTokenMalformed,
    PermitTokenTooLarge,
    UnsupportedAlgorithm,
)

PREFIX: Final = "TQ1:"
MAX_INFLATED: Final = 16 * 1024


def assemble(payload: bytes, signatures: Sequence[tuple[int, bytes, bytes]]) -> str:
    """The token text for ``payload`` and its ``(alg, kid, signature)`` triples, in order.

    Outside signers (a hardware key store, another authority's system) sign
    ``sig_structure(b"", protected_header(alg), payload)`` and hand back the signature."""
    cose = cbor2.CBORTag(
        COSE_SIGN_TAG,
        [
            b"",
            {},
            payload,
            [[PROTECTED_HEADERS[alg], {4: kid}, sig] for alg, kid, sig in signatures],
        ],
    )
    return PREFIX + b45encode(zlib.compress(cbor2.dumps(cose), 9))


def sign_permit(claims: PermitClaims, signers: Sequence[Signer]) -> str:
    """Sign ``claims`` with every signer (one COSE_Signature each) and return the token text."""
    payload = claims_to_cbor(claims)
    return assemble(
        payload,
        [
            (s.alg, s.kid, s.sign(sig_structure(b"", PROTECTED_HEADERS[s.alg], payload)))
            for s in signers
        ],
    )


@dataclass(frozen=True, slots=True)
class TokenSignature:
    alg: int
    kid: bytes
    protected: bytes
    signature: bytes


@dataclass(frozen=True, slots=True)
class DecodedToken:
    claims: PermitClaims
    payload: bytes
    signatures: tuple[TokenSignature, ...]

    def to_be_signed(self, signature: TokenSignature) -> bytes:
        return sig_structure(b"", signature.protected, self.payload)


def inflate(data: bytes) -> bytes:
    """zlib-inflate ``data`` to at most :data:`MAX_INFLATED` bytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_INFLATED)
    except zlib.error:
        raise PermitTokenMalformed(problem="not zlib data") from None
    if inflater.unconsumed_tail:
        raise PermitTokenTooLarge(count=MAX_INFLATED, problem="too large")
    if not inflater.eof or inflater.unused_data:
        raise PermitTokenMalformed(problem="truncated zlib data or trailing bytes")
    return out


def decode(text: str) -> DecodedToken:
    """Parse token text strictly (no signature is checked here: see tansiq.verifier)."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise PermitTokenMalformed(problem="missing TQ1: prefix")
    message = parse_cose_sign(inflate(b45decode(text[len(PREFIX) :])))
    if message.body_protected != b"" or message.body_unprotected:
        raise PermitTokenMalformed(problem="body headers must be empty")
    signatures: list[TokenSignature] = []
    for item in message.signatures:
        alg = item.alg
        if not (isinstance(alg, int) and alg in SUPPORTED_ALGS):
            raise UnsupportedAlgorithm(problem=f"alg {alg!r}")
        if (
            item.protected != PROTECTED_HEADERS[alg]
            or len(item.unprotected) != 1
            or item.kid is None
            or len(item.kid) != KID_LENGTH
            or len(item.signature) != 64
        ):
            raise PermitTokenMalformed(problem="signature headers or length")
        signatures.append(TokenSignature(alg, item.kid, item.protected, item.signature))
    return DecodedToken(
        claims=claims_from_cbor(message.payload),
        payload=message.payload,
        signatures=tuple(signatures),
    )
