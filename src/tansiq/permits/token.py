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
* payload: a CBOR map with integer keys, see :func:`claims_to_cbor`:

  ====  ============  ===========================================================================
  key   claim         CBOR
  ====  ============  ===========================================================================
  1     issuer        text
  2     cti           text: the permit's number as printed on paper (not CWT's bstr), so an
                      officer can read it out and revocation lists can name it
  3     version       unsigned integer (a permit is re-issued with a higher version)
  4     iat           unsigned integer, seconds since 1970-01-01T00:00:00Z
  5     nbf           unsigned integer, seconds (valid from)
  6     exp           unsigned integer, seconds (valid until, exclusive)
  7     vehicle       map {1: plate (text), 2: kind (text)}
  8     driver        map {1: name (text), 2: id hash (bstr 32), 3: salt (bstr 16)}, where
                      hash = scrypt(normalised ID number as UTF-8, salt, N=2^14, r=8, p=1),
                      see :func:`normalise_id_number` and :func:`hash_id_number`
  9     cargo         text, a short summary
  10    route         array of integers at 1e-5 degree: lon0, lat0 absolute, then per point the
                      differences from the previous point (optional)
  11    checkpoints   array of checkpoint codes in route order (optional)
  12    conditions    array of maps {1: kind (text), 2: detail (text, optional)} (optional)
  13    required      array of the kids (bstr 8) whose signatures are all required
  ====  ============  ===========================================================================

Decoding is strict: every malformed input raises :class:`PermitTokenMalformed` (or a subclass),
never another exception. CBOR must be in the shortest form this module writes (decoded data is
re-encoded and compared), which also rules out trailing bytes and unexpected semantic tags.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import struct
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Protocol

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, NP_
from tansiq.core.text import normalise_text

PREFIX: Final = "TQ1:"
MAX_INFLATED: Final = 16 * 1024
MAX_TEXT: Final = 200
MAX_ITEMS: Final = 64
MAX_ROUTE_POINTS: Final = 1000
MAX_SIGNATURES: Final = 16
KID_LENGTH: Final = 8
SALT_LENGTH: Final = 16
COSE_SIGN_TAG: Final = 98
ALG_EDDSA: Final = -8
ALG_ES256: Final = -7
SUPPORTED_ALGS: Final = frozenset({ALG_EDDSA, ALG_ES256})
_E5: Final = 100_000
_MAX_SECONDS: Final = 253_402_300_799  # 9999-12-31T23:59:59Z

PublicKey = Ed25519PublicKey | ec.EllipticCurvePublicKey


class PermitTokenMalformed(TansiqError):
    """Anything wrong with a token's text, compression, CBOR or structure.

    ``params["problem"]`` names the problem in English for logs; the message stays general."""

    code = "permit.token_malformed"
    message = N_("This is not a readable Tansiq permit: the code is damaged or not a permit.")


class Base45Invalid(PermitTokenMalformed):
    code = "permit.base45_invalid"
    message = N_("The text is not valid Base45.")


class PermitTokenTooLarge(PermitTokenMalformed):
    code = "permit.token_too_large"
    message = NP_(
        "The permit token inflates to more than {count} byte.",
        "The permit token inflates to more than {count} bytes.",
    )


class UnsupportedAlgorithm(PermitTokenMalformed):
    code = "permit.alg_unsupported"
    message = N_("The signature algorithm is not supported (EdDSA and ES256 are).")


class SignatureInvalid(TansiqError):
    code = "permit.signature_invalid"
    message = N_("A signature does not match the signed content.")


class PermitClaimsInvalid(TansiqError):
    code = "permit.claims_invalid"
    message = N_("The permit contents are not valid.")


class PublicKeyInvalid(TansiqError):
    code = "permit.public_key_invalid"
    message = N_("The public key is not a valid key for its algorithm.")


# --- Base45 (RFC 9285) --------------------------------------------------------------------

BASE45_ALPHABET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES: Final = bytes(
    BASE45_ALPHABET.index(chr(c)) if chr(c) in BASE45_ALPHABET else 0xFF for c in range(256)
)


def b45encode(data: bytes) -> str:
    """Base45-encode ``data``: every 2 bytes become 3 characters, a last odd byte 2."""
    out: list[str] = []
    alphabet = BASE45_ALPHABET
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        n, c = divmod(n, 45)
        e, d = divmod(n, 45)
        out += (alphabet[c], alphabet[d], alphabet[e])
    if len(data) % 2:
        e, c = divmod(data[-1], 45)
        out += (alphabet[c], alphabet[e])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Decode Base45 ``text``; anything outside RFC 9285 raises :class:`Base45Invalid`."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError:
        raise Base45Invalid(problem="non-ASCII character") from None
    values = raw.translate(_B45_VALUES)
    if b"\xff" in values:
        raise Base45Invalid(problem="character outside the Base45 alphabet")
    full, rest = divmod(len(values), 3)
    if rest == 1:
        raise Base45Invalid(problem="dangling character")
    numbers = [
        c + 45 * d + 2025 * e
        for c, d, e in zip(values[0::3], values[1::3], values[2::3], strict=False)
    ][:full]
    if numbers and max(numbers) > 0xFFFF:
        raise Base45Invalid(problem="triplet out of range")
    out = struct.pack(f">{full}H", *numbers)
    if rest == 2:
        last = values[-2] + 45 * values[-1]
        if last > 0xFF:
            raise Base45Invalid(problem="final pair out of range")
        out += bytes((last,))
    return out


# --- strict CBOR ---------------------------------------------------------------------------


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


# --- keys and signatures ---------------------------------------------------------------------


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


# --- COSE_Sign -------------------------------------------------------------------------------


def sig_structure(
    body_protected: bytes, sign_protected: bytes, payload: bytes, external_aad: bytes = b""
) -> bytes:
    """The exact bytes one COSE_Signature signs (RFC 9052 §4.4, context "Signature")."""
    return cbor2.dumps(["Signature", body_protected, sign_protected, external_aad, payload])


def protected_header(alg: int) -> bytes:
    """The protected header ``{1: alg}`` of a COSE_Signature."""
    return cbor2.dumps({1: alg})


_PROTECTED: Final = {ALG_EDDSA: protected_header(ALG_EDDSA), ALG_ES256: protected_header(ALG_ES256)}


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


# --- claims ----------------------------------------------------------------------------------

_DASHES: Final = frozenset("\u2212\u2010\u2011\u2012\u2013\u2014\u2015\ufe63\uff0d-")


def normalise_id_number(value: str) -> str:
    """An ID number as hashed: digits of any script as ASCII, no spaces or dashes, upper case."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", value):
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            out.append(str(digit))
        elif not (char.isspace() or char in _DASHES or unicodedata.category(char) == "Pd"):
            out.append(char.upper())
    return "".join(out)


# scrypt, not a plain hash: ID numbers have little entropy, and salt and hash travel together
# in every QR code. At these costs one guess takes tens of milliseconds and 16 MiB, so trying
# every 10-digit number is out of reach, while one check at a checkpoint stays instant.
ID_HASH_COST: Final = {"n": 2**14, "r": 8, "p": 1, "dklen": 32, "maxmem": 64 * 1024 * 1024}


def hash_id_number(id_number: str, salt: bytes) -> bytes:
    """scrypt(normalised ID number, salt): what the token carries instead of the number."""
    return hashlib.scrypt(normalise_id_number(id_number).encode(), salt=salt, **ID_HASH_COST)


def _text(value: object, name: str, *, limit: int = MAX_TEXT, required: bool = True) -> str:
    if not isinstance(value, str):
        raise PermitClaimsInvalid(problem=f"{name} is not text")
    text = normalise_text(value)
    if (required and not text) or len(text) > limit:
        raise PermitClaimsInvalid(problem=f"{name} is empty or longer than {limit}")
    return text


def _instant(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise PermitClaimsInvalid(problem=f"{name} is not a UTC time")
    value = value.astimezone(UTC).replace(microsecond=0)
    if not 0 <= value.timestamp() <= _MAX_SECONDS:
        raise PermitClaimsInvalid(problem=f"{name} is out of range")
    return value


@dataclass(frozen=True)
class Vehicle:
    plate: str
    kind: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "plate", _text(self.plate, "plate", limit=40))
        object.__setattr__(self, "kind", _text(self.kind, "vehicle kind", limit=40))


@dataclass(frozen=True)
class Driver:
    """The driver's name and a salted hash of the ID number (the number itself never travels)."""

    name: str
    id_hash: bytes
    id_salt: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _text(self.name, "driver name"))
        if not (
            isinstance(self.id_hash, bytes)
            and len(self.id_hash) == 32
            and isinstance(self.id_salt, bytes)
            and len(self.id_salt) == SALT_LENGTH
        ):
            raise PermitClaimsInvalid(problem="driver ID hash or salt has the wrong length")

    @classmethod
    def with_id(cls, name: str, id_number: str, salt: bytes) -> Driver:
        return cls(name=name, id_hash=hash_id_number(id_number, salt), id_salt=salt)

    def matches_id(self, presented: str) -> bool:
        """Whether the ID number an officer is shown is the one the permit was issued for."""
        return hmac.compare_digest(hash_id_number(presented, self.id_salt), self.id_hash)


@dataclass(frozen=True)
class Condition:
    kind: str
    detail: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", _text(self.kind, "condition kind", limit=40))
        object.__setattr__(self, "detail", _text(self.detail, "condition detail", required=False))


def _quantise(value: float, bound: float) -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and abs(value) <= bound):
        raise PermitClaimsInvalid(problem="route point out of range")
    return round(value * _E5) / _E5


@dataclass(frozen=True)
class PermitClaims:
    """What a permit says. Text is NFC-normalised and trimmed, times are whole UTC seconds,
    route points (longitude, latitude) are rounded to 1e-5 degree, as the token carries them."""

    issuer: str
    cti: str
    version: int
    iat: datetime
    nbf: datetime
    exp: datetime
    vehicle: Vehicle
    driver: Driver
    cargo: str
    required_kids: tuple[bytes, ...]
    route: tuple[tuple[float, float], ...] = ()
    checkpoints: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "issuer", _text(self.issuer, "issuer", limit=64))
        set_(self, "cti", _text(self.cti, "permit id", limit=64))
        set_(self, "cargo", _text(self.cargo, "cargo", required=False))
        for name in ("iat", "nbf", "exp"):
            set_(self, name, _instant(getattr(self, name), name))
        if not (type(self.version) is int and 1 <= self.version < 2**31):
            raise PermitClaimsInvalid(problem="version must be a positive integer")
        if self.nbf >= self.exp:
            raise PermitClaimsInvalid(problem="the permit must start before it ends")
        kids = tuple(self.required_kids)
        if not (
            1 <= len(kids) <= MAX_SIGNATURES
            and all(isinstance(kid, bytes) and len(kid) == KID_LENGTH for kid in kids)
            and len(set(kids)) == len(kids)
        ):
            raise PermitClaimsInvalid(problem="required key ids must be 1-16 distinct 8-byte ids")
        set_(self, "required_kids", kids)
        if len(self.route) > MAX_ROUTE_POINTS or len(self.checkpoints) > MAX_ITEMS:
            raise PermitClaimsInvalid(problem="route or checkpoint list too long")
        set_(self, "route", tuple((_quantise(x, 180), _quantise(y, 90)) for x, y in self.route))
        set_(self, "checkpoints", tuple(_text(c, "checkpoint", limit=40) for c in self.checkpoints))
        if len(self.conditions) > MAX_ITEMS:
            raise PermitClaimsInvalid(problem="too many conditions")
        set_(self, "conditions", tuple(self.conditions))


def claims_to_cbor(claims: PermitClaims) -> bytes:
    """The payload bytes for ``claims`` (integer keys, see the module docstring)."""
    body: dict[int, Any] = {
        1: claims.issuer,
        2: claims.cti,
        3: claims.version,
        4: int(claims.iat.timestamp()),
        5: int(claims.nbf.timestamp()),
        6: int(claims.exp.timestamp()),
        7: {1: claims.vehicle.plate, 2: claims.vehicle.kind},
        8: {1: claims.driver.name, 2: claims.driver.id_hash, 3: claims.driver.id_salt},
        9: claims.cargo,
    }
    if claims.route:
        flat: list[int] = []
        last = (0, 0)
        for lon, lat in claims.route:
            point = (round(lon * _E5), round(lat * _E5))
            flat += (point[0] - last[0], point[1] - last[1])
            last = point
        body[10] = flat
    if claims.checkpoints:
        body[11] = list(claims.checkpoints)
    if claims.conditions:
        body[12] = [
            {1: c.kind, 2: c.detail} if c.detail else {1: c.kind} for c in claims.conditions
        ]
    body[13] = list(claims.required_kids)
    return cbor2.dumps(body)


def _map(value: object, keys: set[int], required: set[int], name: str) -> Mapping[Any, Any]:
    # Keys are integers, never booleans: in Python True == 1, so a map keyed by CBOR true
    # would otherwise pass for one keyed by 1 (and re-encode unchanged).
    if not (
        isinstance(value, Mapping)
        and all(type(key) is int for key in value)
        and required <= value.keys() <= keys
    ):
        raise PermitTokenMalformed(problem=f"{name} has missing or unknown keys")
    return value


def _seconds(value: object, name: str) -> datetime:
    if not (type(value) is int and 0 <= value <= _MAX_SECONDS):
        raise PermitTokenMalformed(problem=f"{name} is not a time in seconds")
    return datetime.fromtimestamp(value, UTC)


def _list(value: object, name: str, limit: int) -> Sequence[Any]:
    if not (isinstance(value, list | tuple) and len(value) <= limit):
        raise PermitTokenMalformed(problem=f"{name} is not a list of at most {limit}")
    return value


def _route(value: object) -> tuple[tuple[float, float], ...]:
    flat = _list(value, "route", 2 * MAX_ROUTE_POINTS)
    if len(flat) % 2 or not all(type(n) is int for n in flat):
        raise PermitTokenMalformed(problem="route is not pairs of integers")
    points: list[tuple[float, float]] = []
    x = y = 0
    for i in range(0, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        # Bounded before dividing: a crafted huge integer must be "malformed", not a crash.
        if abs(x) > 180 * _E5 or abs(y) > 90 * _E5:
            raise PermitTokenMalformed(problem="route point out of range")
        points.append((x / _E5, y / _E5))
    return tuple(points)


def claims_from_cbor(payload: bytes) -> PermitClaims:
    """Parse payload bytes into claims; anything unexpected raises PermitTokenMalformed."""
    body = _map(strict_loads(payload), set(range(1, 14)), {1, 2, 3, 4, 5, 6, 7, 8, 9, 13}, "claims")
    vehicle = _map(body[7], {1, 2}, {1, 2}, "vehicle")
    driver = _map(body[8], {1, 2, 3}, {1, 2, 3}, "driver")
    conditions = [
        _map(item, {1, 2}, {1}, "condition") for item in _list(body.get(12, []), "conditions", 64)
    ]
    if type(body[3]) is not int:
        raise PermitTokenMalformed(problem="version is not an integer")
    try:
        return PermitClaims(
            issuer=body[1],
            cti=body[2],
            version=body[3],
            iat=_seconds(body[4], "iat"),
            nbf=_seconds(body[5], "nbf"),
            exp=_seconds(body[6], "exp"),
            vehicle=Vehicle(plate=vehicle[1], kind=vehicle[2]),
            driver=Driver(name=driver[1], id_hash=driver[2], id_salt=driver[3]),
            cargo=body[9],
            required_kids=tuple(_list(body[13], "required", MAX_SIGNATURES)),
            route=_route(body.get(10, [])),
            checkpoints=tuple(_list(body.get(11, []), "checkpoints", MAX_ITEMS)),
            conditions=tuple(Condition(kind=c[1], detail=c.get(2, "")) for c in conditions),
        )
    except PermitClaimsInvalid as error:
        raise PermitTokenMalformed(problem=str(error.params.get("problem", ""))) from None


# --- the token -------------------------------------------------------------------------------


def assemble(payload: bytes, signatures: Sequence[tuple[int, bytes, bytes]]) -> str:
    """The token text for ``payload`` and its ``(alg, kid, signature)`` triples, in order.

    Outside signers (a hardware key store, another authority's system) sign
    ``sig_structure(b"", protected_header(alg), payload)`` and hand back the signature."""
    cose = cbor2.CBORTag(
        COSE_SIGN_TAG,
        [b"", {}, payload, [[_PROTECTED[alg], {4: kid}, sig] for alg, kid, sig in signatures]],
    )
    return PREFIX + b45encode(zlib.compress(cbor2.dumps(cose), 9))


def sign_permit(claims: PermitClaims, signers: Sequence[Signer]) -> str:
    """Sign ``claims`` with every signer (one COSE_Signature each) and return the token text."""
    payload = claims_to_cbor(claims)
    return assemble(
        payload,
        [(s.alg, s.kid, s.sign(sig_structure(b"", _PROTECTED[s.alg], payload))) for s in signers],
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
            item.protected != _PROTECTED[alg]
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
