"""Permit signing keys: the algorithms (EdDSA, ES256), key ids, loading raw public keys,
checking a COSE-form signature, and the signers that make one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from tansiq.permits.token_errors import PublicKeyInvalid, UnsupportedAlgorithm

KID_LENGTH: Final = 8
ALG_EDDSA: Final = -8
ALG_ES256: Final = -7
SUPPORTED_ALGS: Final = frozenset({ALG_EDDSA, ALG_ES256})
PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


_HEX = re.compile(r"\A(?:[0-9a-fA-F]{2})+\Z")
# Raw public keys: Ed25519; a P-256 point compressed or not.
_KEY_SIZES: Final = frozenset({32, 33, 65})


def encode_key(raw: bytes) -> str:
    """The one encoding the hub gives keys in, in the API and the CLI alike: standard base64."""
    return base64.b64encode(raw).decode()


def decode_key(text: str) -> bytes:
    """A key given in base64 (standard or URL-safe, padding optional) or in hex; ValueError
    if neither. Text is read as hex when it is hex digits as long as a key's hex: a key's
    base64 never has that length (32 bytes: 43 or 44 characters, not 64; 33: 44, not 66;
    65: 87 or 88, not 130), though it may be all hex digits ("AAAA…" is zeros)."""
    text = text.strip()
    if _HEX.match(text) and len(text) // 2 in _KEY_SIZES:
        return bytes.fromhex(text)
    padded = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(padded, validate=True)
    except binascii.Error as error:
        raise ValueError(str(error)) from None


def raw_public_key(key: PublicKey) -> bytes:
    """The bytes a kid is computed from: Ed25519 raw 32 bytes, or an uncompressed EC point."""
    if isinstance(key, Ed25519PublicKey):
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def key_id(key: PublicKey | bytes) -> bytes:
    """The 8-byte kid of ``key`` (a key object, or its raw bytes as :func:`raw_public_key`)."""
    raw = key if isinstance(key, bytes) else raw_public_key(key)
    return hashlib.sha256(raw).digest()[:KID_LENGTH]


def load_public_key(alg: int, raw: bytes) -> PublicKey:
    """The key object for ``raw`` bytes of an ``alg`` key (as :func:`raw_public_key` writes)."""
    try:
        if alg == ALG_EDDSA:
            return Ed25519PublicKey.from_public_bytes(raw)
        if alg == ALG_ES256:
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        raise PublicKeyInvalid from None
    raise UnsupportedAlgorithm(problem=f"alg {alg}")


def verify_signature(key: PublicKey, alg: int, data: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (COSE form) by ``key`` is valid for ``data`` under ``alg``."""
    try:
        if alg == ALG_EDDSA and isinstance(key, Ed25519PublicKey):
            key.verify(signature, data)
            return True
        if (
            alg == ALG_ES256
            and isinstance(key, ec.EllipticCurvePublicKey)
            and isinstance(key.curve, ec.SECP256R1)
            and len(signature) == 64
        ):
            der = encode_dss_signature(
                int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            )
            key.verify(der, data, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False


class Signer(Protocol):
    """Anything that signs for one key: a private key here, a hardware token elsewhere."""

    @property
    def kid(self) -> bytes: ...

    @property
    def alg(self) -> int: ...

    def sign(self, data: bytes) -> bytes:
        """The COSE signature of ``data`` (Ed25519: 64 bytes; ES256: ``r || s``)."""
        ...


@dataclass(frozen=True)
class Ed25519Signer:
    private_key: Ed25519PrivateKey
    alg: int = ALG_EDDSA
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kid", key_id(self.private_key.public_key()))

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


@dataclass(frozen=True)
class ES256Signer:
    private_key: ec.EllipticCurvePrivateKey
    alg: int = ALG_ES256
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kid", key_id(self.private_key.public_key()))

    def sign(self, data: bytes) -> bytes:
        r, s = decode_dss_signature(self.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
