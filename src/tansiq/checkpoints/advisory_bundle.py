"""The advisories and incidents a checkpoint device carries offline, as one signed bundle.

The bundle travels in the device pull beside the trust list and the revocation deltas, and is
trusted the same way: a **COSE_Sign1** under one of the hub's governance keys (see
:mod:`tansiq.permits.trust`), whose payload names what it is, so it is never taken for a trust
list or a revocation delta, nor they for it. Pure: no database, no network.

Payload: ``{0: "tq-advisories", 1: issued_at, 2: checkpoint code, 3: [item, ...]}`` (times in
whole seconds since the epoch, UTC). The checkpoint code binds the bundle to the device it was
made for; ``issued_at`` lets a device keep the newest it has seen and ignore an older one
replayed to it (which could hide a closure announced since).

Each item: ``{1: reference, 2: kind ("incident" or "advisory"), 3: type code, 4: severity,
5: state, 6: from, 7: until (optional), 8: description (optional), 9: distance from the
checkpoint in metres, 10: [permit cti whose route it affects, ...], 11: [checkpoint code it
closes, ...], 12: [reporting or issuing party's name in Arabic, in English]}``. No item names
or describes a person: only the safety of movement travels here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

import cbor2

from tansiq.permits.cose import strict_loads
from tansiq.permits.keys import PublicKey, Signer
from tansiq.permits.token_errors import PermitTokenMalformed
from tansiq.permits.trust import TrustDataInvalid, open_sign1, sign1

ADVISORIES_TYPE: Final = "tq-advisories"
KINDS: Final = frozenset({"incident", "advisory"})
MAX_ITEMS: Final = 200
MAX_TEXT: Final = 1000
_MAX_SECONDS: Final = 253_402_300_799
_KEYS: Final = frozenset(range(1, 13))
_REQUIRED: Final = frozenset({1, 2, 3, 4, 5, 6, 9, 10, 11, 12})


@dataclass(frozen=True)
class AdvisoryItem:
    """One incident or advisory as the officer's device shows it."""

    reference: str
    kind: str
    type: str
    severity: str
    state: str
    start: datetime
    end: datetime | None = None
    description: str = ""
    distance_m: int = 0
    permits: tuple[str, ...] = ()
    checkpoints: tuple[str, ...] = ()
    party: tuple[str, str] = ("", "")

    def to_cbor(self) -> dict[int, Any]:
        value: dict[int, Any] = {
            1: self.reference,
            2: self.kind,
            3: self.type,
            4: self.severity,
            5: self.state,
            6: _seconds(self.start),
        }
        if self.end is not None:
            value[7] = _seconds(self.end)
        if self.description:
            value[8] = self.description[:MAX_TEXT]
        value |= {
            9: max(0, int(self.distance_m)),
            10: sorted(set(self.permits)),
            11: sorted(set(self.checkpoints)),
            12: list(self.party),
        }
        return value

    @classmethod
    def from_cbor(cls, value: object) -> AdvisoryItem:
        if not (isinstance(value, Mapping) and _REQUIRED <= value.keys() <= _KEYS):
            raise TrustDataInvalid
        kind = _text(value[2], 20)
        party = value[12]
        if not (
            kind in KINDS
            and isinstance(party, list | tuple)
            and len(party) == 2
            and type(value[9]) is int
            and value[9] >= 0
        ):
            raise TrustDataInvalid
        return cls(
            reference=_text(value[1], 40),
            kind=kind,
            type=_text(value[3], 40),
            severity=_text(value[4], 20, empty=True),
            state=_text(value[5], 20),
            start=_time(value[6]),
            end=_time(value[7]) if 7 in value else None,
            description=_text(value[8], MAX_TEXT) if 8 in value else "",
            distance_m=value[9],
            permits=tuple(_text(v, 64) for v in _list(value[10])),
            checkpoints=tuple(_text(v, 40) for v in _list(value[11])),
            party=(_text(party[0], 200, empty=True), _text(party[1], 200, empty=True)),
        )

    def current(self, at: datetime) -> bool:
        """Still in force at ``at`` (an advisory past its window no longer is)."""
        return self.end is None or at < self.end

    def affects(self, cti: str, checkpoints: Sequence[str]) -> bool:
        """Whether a permit (its id and the checkpoints its route passes) is concerned: the hub
        found its route affected, or the item closes a checkpoint on it."""
        return cti in self.permits or any(code in self.checkpoints for code in checkpoints)


@dataclass(frozen=True)
class AdvisoryBundle:
    issued_at: datetime
    checkpoint: str
    items: tuple[AdvisoryItem, ...] = field(default_factory=tuple)

    def to_cbor(self) -> bytes:
        return cbor2.dumps(
            {
                0: ADVISORIES_TYPE,
                1: _seconds(self.issued_at),
                2: self.checkpoint,
                3: [item.to_cbor() for item in self.items[:MAX_ITEMS]],
            }
        )

    def current(self, at: datetime) -> list[AdvisoryItem]:
        return [item for item in self.items if item.current(at)]

    def affecting(self, cti: str, checkpoints: Sequence[str], at: datetime) -> list[AdvisoryItem]:
        return [item for item in self.current(at) if item.affects(cti, checkpoints)]


def sign_advisory_bundle(bundle: AdvisoryBundle, governance: Signer) -> bytes:
    return sign1(bundle.to_cbor(), governance)


def load_advisory_bundle(
    data: bytes, governance_keys: Sequence[PublicKey], *, checkpoint: str | None = None
) -> AdvisoryBundle:
    """A signed bundle, verified; one made for another checkpoint than ``checkpoint`` (when
    given) is refused as damaged: it is not this device's."""
    payload = open_sign1(data, governance_keys)
    try:
        body = strict_loads(payload)
    except PermitTokenMalformed:
        raise TrustDataInvalid from None
    if not (
        isinstance(body, Mapping)
        and body.keys() == {0, 1, 2, 3}
        and body[0] == ADVISORIES_TYPE
        and isinstance(body[3], list | tuple)
        and len(body[3]) <= MAX_ITEMS
    ):
        raise TrustDataInvalid
    code = _text(body[2], 40)
    if checkpoint is not None and code != checkpoint:
        raise TrustDataInvalid
    return AdvisoryBundle(
        issued_at=_time(body[1]),
        checkpoint=code,
        items=tuple(AdvisoryItem.from_cbor(item) for item in body[3]),
    )


def _seconds(value: datetime) -> int:
    if value.utcoffset() is None:
        raise ValueError("naive datetime")  # the clock is always UTC-aware
    return int(value.timestamp())


def _time(value: object) -> datetime:
    if not (type(value) is int and 0 <= value <= _MAX_SECONDS):
        raise TrustDataInvalid
    return datetime.fromtimestamp(value, UTC)


def _text(value: object, longest: int, *, empty: bool = False) -> str:
    if not (isinstance(value, str) and (empty or value) and len(value) <= longest):
        raise TrustDataInvalid
    return value


def _list(value: object) -> list[Any]:
    if not (isinstance(value, list | tuple) and len(value) <= 10_000):
        raise TrustDataInvalid
    return list(value)
