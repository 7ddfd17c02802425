"""What a permit says, and its payload: a CBOR map with integer keys.

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
8     driver        map {1: name (text), 2: id hash (bstr 32), 3: salt (bstr 16), 4: the name
                    in Arabic script (text, optional: only when key 1 is the Latin spelling)},
                    where hash = scrypt(normalised ID number as UTF-8, salt, N=2^14, r=8,
                    p=1), see :mod:`tansiq.permits.id_hash`
9     cargo         text, a short summary
10    route         array of integers at 1e-5 degree: lon0, lat0 absolute, then per point the
                    differences from the previous point (optional)
11    checkpoints   array of checkpoint codes in route order (optional)
12    conditions    array of maps {1: kind (text), 2: detail (text, optional)} (optional)
13    required      array of the kids (bstr 8) whose signatures are all required
====  ============  ===========================================================================

Parsing is strict: anything unexpected raises :class:`PermitTokenMalformed`.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import cbor2

from tansiq.core.text import normalise_text
from tansiq.permits.cose import MAX_SIGNATURES, strict_loads
from tansiq.permits.id_hash import SALT_LENGTH, hash_id_number
from tansiq.permits.keys import KID_LENGTH
from tansiq.permits.token_errors import PermitClaimsInvalid, PermitTokenMalformed

MAX_TEXT: Final = 200
MAX_ITEMS: Final = 64
MAX_ROUTE_POINTS: Final = 1000
_E5: Final = 100_000
_MAX_SECONDS: Final = 253_402_300_799  # 9999-12-31T23:59:59Z


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
    """The driver's name and a salted hash of the ID number (the number itself never travels).
    ``name`` is the Latin spelling when there is one, else the only one; ``name_ar`` the Arabic
    spelling beside a Latin one (an officer reads the name in either script)."""

    name: str
    id_hash: bytes
    id_salt: bytes
    name_ar: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _text(self.name, "driver name"))
        object.__setattr__(self, "name_ar", _text(self.name_ar, "driver name", required=False))
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

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling the token carries, Arabic first."""
        return tuple(name for name in (self.name_ar, self.name) if name)


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
        8: {1: claims.driver.name, 2: claims.driver.id_hash, 3: claims.driver.id_salt}
        | ({4: claims.driver.name_ar} if claims.driver.name_ar else {}),
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
    driver = _map(body[8], {1, 2, 3, 4}, {1, 2, 3}, "driver")
    conditions = [
        _map(item, {1, 2}, {1}, "condition") for item in _list(body.get(12, []), "conditions", 64)
    ]
    if 4 in driver and not (isinstance(driver[4], str) and normalise_text(driver[4])):
        raise PermitTokenMalformed(problem="driver's Arabic name is empty")
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
            driver=Driver(
                name=driver[1], id_hash=driver[2], id_salt=driver[3], name_ar=driver.get(4, "")
            ),
            cargo=body[9],
            required_kids=tuple(_list(body[13], "required", MAX_SIGNATURES)),
            route=_route(body.get(10, [])),
            checkpoints=tuple(_list(body.get(11, []), "checkpoints", MAX_ITEMS)),
            conditions=tuple(Condition(kind=c[1], detail=c.get(2, "")) for c in conditions),
        )
    except PermitClaimsInvalid as error:
        raise PermitTokenMalformed(problem=str(error.params.get("problem", ""))) from None
