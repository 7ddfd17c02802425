"""The trust list (which keys sign for which authority) and revocations, as checkpoints hold them.

Both travel as **COSE_Sign1** (RFC 9052, tag 18) signed by one of the hub's governance keys
(Ed25519): ``[h'A10127', {4: kid}, payload, signature]`` over
``["Signature1", h'A10127', h'', payload]``. One signer is all a governance signature needs.
The payload's key 0 names what it is, so a signed revocation delta is never taken for a trust
list or the other way round.

Governance keys roll over by announcement: see :mod:`tansiq.permits.device_trust`.

Trust list payload: ``{0: "tq-trust", 1: seq, 2: issued_at, 3: [entry, ...]}`` with each entry
``{1: kid, 2: authority, 3: alg, 4: public key, 5: valid_from, 6: valid_to (optional),
7: status, 8: [role, ...]}`` (times in whole seconds since the epoch, UTC). A list whose ``seq``
is lower than the last one accepted (``min_seq``) is refused: :class:`TrustListReplayed`.

Revocation delta payload: ``{0: "tq-revocations", 1: seq, 2: issued_at, 3: [entry, ...]}`` with
each entry ``{1: cti, 2: version or null (all versions), 3: status, 4: reason code, 5: at}``.
Deltas are numbered 1, 2, 3, …; :class:`RevocationState` applies them in order.
A **snapshot** ``{0: "tq-revocation-snapshot", 1: seq, 2: as_of, 3: [entry, ...]}`` is every
delta up to ``seq`` folded into one signed list (the latest entry per permit and version, in
the order they were applied; ``as_of`` is the time of delta ``seq``): a device that holds it
needs only the deltas after ``seq``, not years of them. A delta with a
number already applied is **ignored** (applying deltas in order is idempotent, so a replay
changes nothing); a gap is refused (:class:`RevocationGap`), since a missing delta may hold a
revocation. The hub publishes a delta even when nothing changed, so a device can tell fresh data
from stale. The ``--revocations`` file is a CBOR array of signed deltas, optionally led by a signed
snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

import cbor2

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_
from tansiq.permits.cose import protected_header, strict_loads
from tansiq.permits.keys import (
    ALG_EDDSA,
    SUPPORTED_ALGS,
    PublicKey,
    Signer,
    key_id,
    load_public_key,
    verify_signature,
)
from tansiq.permits.token_errors import PermitTokenMalformed, PublicKeyInvalid, UnsupportedAlgorithm

COSE_SIGN1_TAG: Final = 18
TRUST_TYPE: Final = "tq-trust"
REVOCATIONS_TYPE: Final = "tq-revocations"
SNAPSHOT_TYPE: Final = "tq-revocation-snapshot"
ROLE_PERMITS: Final = "permits"
ROLE_GOVERNANCE: Final = "governance"
_MAX_SECONDS: Final = 253_402_300_799


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"  # signs nothing new; what it signed in its validity window still holds
    COMPROMISED = "compromised"  # nothing it signed is trusted


class RevocationStatus(StrEnum):
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"


_KEY_STATUSES: Final = frozenset(KeyStatus)
_REVOCATION_STATUSES: Final = frozenset(RevocationStatus)


class TrustDataInvalid(TansiqError):
    code = "trust.invalid"
    message = N_("The trust or revocation file is damaged or is not one.")


class TrustSignatureInvalid(TansiqError):
    code = "trust.signature_invalid"
    message = N_("The trust or revocation file is not signed by a hub governance key.")


class TrustListReplayed(TansiqError):
    code = "trust.replayed"
    message = N_(
        "This trust list (number {seq}) is older than the one already accepted (number {min_seq})."
    )


class RevocationGap(TansiqError):
    code = "revocations.gap"
    message = N_("Revocation update {seq} cannot be applied: update {expected} is missing.")


# --- COSE_Sign1 under a governance key ----------------------------------------------------------


def _sign1_structure(protected: bytes, payload: bytes) -> bytes:
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign1(payload: bytes, signer: Signer) -> bytes:
    """``payload`` as a COSE_Sign1 (tag 18) signed by ``signer``."""
    protected = protected_header(signer.alg)
    signature = signer.sign(_sign1_structure(protected, payload))
    return cbor2.dumps(
        cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {4: signer.kid}, payload, signature])
    )


def open_sign1(data: bytes, governance_keys: Sequence[PublicKey]) -> bytes:
    """The payload of a COSE_Sign1 signed (EdDSA) by one of ``governance_keys``."""
    try:
        value = strict_loads(data)
    except PermitTokenMalformed:
        raise TrustDataInvalid from None
    if isinstance(value, cbor2.CBORTag) and value.tag == COSE_SIGN1_TAG:
        value = value.value
    if not (isinstance(value, list | tuple) and len(value) == 4):
        raise TrustDataInvalid
    protected, unprotected, payload, signature = value
    if not (
        protected == protected_header(ALG_EDDSA)
        and isinstance(unprotected, Mapping)
        and isinstance(payload, bytes)
        and isinstance(signature, bytes)
    ):
        raise TrustDataInvalid
    kid = unprotected.get(4)
    for key in governance_keys:
        if key_id(key) == kid and verify_signature(
            key, ALG_EDDSA, _sign1_structure(protected, payload), signature
        ):
            return payload
    raise TrustSignatureInvalid


# --- field parsing ----------------------------------------------------------------------------


def _seconds(value: datetime) -> int:
    return int(value.timestamp())


def _time(value: object) -> datetime:
    if not (type(value) is int and 0 <= value <= _MAX_SECONDS):
        raise TrustDataInvalid
    return datetime.fromtimestamp(value, UTC)


def _utc(value: datetime) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise TrustDataInvalid
    return value.astimezone(UTC).replace(microsecond=0)


def _str(value: object) -> str:
    if not (isinstance(value, str) and 0 < len(value) <= 64):
        raise TrustDataInvalid
    return value


def _typed_payload(payload: bytes, kind: str) -> Mapping[Any, Any]:
    try:
        body = strict_loads(payload)
    except PermitTokenMalformed:
        raise TrustDataInvalid from None
    if not (
        isinstance(body, Mapping)
        and body.keys() == {0, 1, 2, 3}
        and body[0] == kind
        and type(body[1]) is int
        and body[1] >= 0
        and isinstance(body[3], list | tuple)
    ):
        raise TrustDataInvalid
    return body


def _entry_map(value: object, keys: set[int], required: set[int]) -> Mapping[Any, Any]:
    if not (isinstance(value, Mapping) and required <= value.keys() <= keys):
        raise TrustDataInvalid
    return value


# --- trust list -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustEntry:
    """One authority key. ``kid`` is derived from the public key."""

    authority: str
    alg: int
    public_key: bytes
    valid_from: datetime
    valid_to: datetime | None = None
    status: KeyStatus = KeyStatus.ACTIVE
    roles: tuple[str, ...] = (ROLE_PERMITS,)
    kid: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kid", key_id(self.public_key))
        object.__setattr__(self, "valid_from", _utc(self.valid_from))
        if self.valid_to is not None:
            object.__setattr__(self, "valid_to", _utc(self.valid_to))
        object.__setattr__(self, "status", KeyStatus(self.status))
        object.__setattr__(self, "roles", tuple(self.roles))

    def trusted_at(self, when: datetime) -> bool:
        """Whether a signature made at ``when`` by this key can be trusted."""
        return (
            self.status is not KeyStatus.COMPROMISED
            and self.valid_from <= when
            and (self.valid_to is None or when < self.valid_to)
        )

    def to_cbor(self) -> Mapping[Any, Any]:
        body: dict[int, Any] = {
            1: self.kid,
            2: self.authority,
            3: self.alg,
            4: self.public_key,
            5: _seconds(self.valid_from),
        }
        if self.valid_to is not None:
            body[6] = _seconds(self.valid_to)
        body[7] = self.status.value
        body[8] = list(self.roles)
        return body

    @classmethod
    def from_cbor(cls, value: object) -> TrustEntry:
        body = _entry_map(value, set(range(1, 9)), {1, 2, 3, 4, 5, 7, 8})
        roles = body[8]
        if not (
            type(body[3]) is int
            and isinstance(body[4], bytes)
            and isinstance(body[7], str)
            and body[7] in _KEY_STATUSES
            and isinstance(roles, list | tuple)
        ):
            raise TrustDataInvalid
        entry = cls(
            authority=_str(body[2]),
            alg=body[3],
            public_key=body[4],
            valid_from=_time(body[5]),
            valid_to=_time(body[6]) if 6 in body else None,
            status=KeyStatus(body[7]),
            roles=tuple(_str(role) for role in roles),
        )
        if entry.kid != body[1]:
            raise TrustDataInvalid
        return entry


class TrustList:
    """A verified trust list, with every public key parsed once (verification looks keys up
    by kid for every scan, so parsing them per scan would cost more than the check itself)."""

    def __init__(self, seq: int, issued_at: datetime, entries: Iterable[TrustEntry]) -> None:
        self.seq = seq
        self.issued_at = _utc(issued_at)
        self.entries = tuple(entries)
        self._keys: dict[bytes, tuple[TrustEntry, PublicKey]] = {}
        for entry in self.entries:
            if entry.kid in self._keys or entry.alg not in SUPPORTED_ALGS:
                raise TrustDataInvalid
            self._keys[entry.kid] = (entry, load_public_key(entry.alg, entry.public_key))

    def lookup(self, kid: bytes) -> tuple[TrustEntry, PublicKey] | None:
        """The entry and the parsed public key for ``kid``, if the list has it."""
        return self._keys.get(kid)

    def to_cbor(self) -> bytes:
        return cbor2.dumps(
            {
                0: TRUST_TYPE,
                1: self.seq,
                2: _seconds(self.issued_at),
                3: [entry.to_cbor() for entry in self.entries],
            }
        )


def sign_trust_list(trust: TrustList, governance: Signer) -> bytes:
    """The signed trust list file (COSE_Sign1 bytes)."""
    return sign1(trust.to_cbor(), governance)


def load_trust_list(
    data: bytes, governance_keys: Sequence[PublicKey], *, min_seq: int = 0
) -> TrustList:
    """Verify and parse a signed trust list; refuse one older than ``min_seq``."""
    body = _typed_payload(open_sign1(data, governance_keys), TRUST_TYPE)
    if body[1] < min_seq:
        raise TrustListReplayed(seq=body[1], min_seq=min_seq)
    try:
        return TrustList(body[1], _time(body[2]), [TrustEntry.from_cbor(e) for e in body[3]])
    except (PublicKeyInvalid, UnsupportedAlgorithm):
        raise TrustDataInvalid from None


# --- revocations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RevocationEntry:
    """A change of a permit's standing; ``version`` None means every version of ``cti``."""

    cti: str
    version: int | None
    status: RevocationStatus
    reason: str
    at: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", RevocationStatus(self.status))
        object.__setattr__(self, "at", _utc(self.at))

    def to_cbor(self) -> Mapping[Any, Any]:
        return {
            1: self.cti,
            2: self.version,
            3: self.status.value,
            4: self.reason,
            5: _seconds(self.at),
        }

    @classmethod
    def from_cbor(cls, value: object) -> RevocationEntry:
        body = _entry_map(value, {1, 2, 3, 4, 5}, {1, 2, 3, 4, 5})
        version = body[2]
        if not (
            (version is None or type(version) is int)
            and isinstance(body[3], str)
            and body[3] in _REVOCATION_STATUSES
        ):
            raise TrustDataInvalid
        return cls(
            cti=_str(body[1]),
            version=version,
            status=RevocationStatus(body[3]),
            reason=_str(body[4]),
            at=_time(body[5]),
        )


def _revocation_payload(
    kind: str, seq: int, at: datetime, entries: Iterable[RevocationEntry]
) -> bytes:
    return cbor2.dumps({0: kind, 1: seq, 2: _seconds(at), 3: [e.to_cbor() for e in entries]})


@dataclass(frozen=True)
class RevocationDelta:
    seq: int
    issued_at: datetime
    entries: tuple[RevocationEntry, ...] = ()

    def to_cbor(self) -> bytes:
        return _revocation_payload(REVOCATIONS_TYPE, self.seq, self.issued_at, self.entries)


def sign_revocation_delta(delta: RevocationDelta, governance: Signer) -> bytes:
    return sign1(delta.to_cbor(), governance)


def load_revocation_delta(data: bytes, governance_keys: Sequence[PublicKey]) -> RevocationDelta:
    item = _revocation_item(data, governance_keys)
    if not isinstance(item, RevocationDelta):
        raise TrustDataInvalid
    return item


@dataclass(frozen=True)
class RevocationSnapshot:
    """Every delta up to ``seq`` folded into one list; ``as_of`` is when delta ``seq`` was
    issued (the data age a device counts from it)."""

    seq: int
    as_of: datetime
    entries: tuple[RevocationEntry, ...] = ()

    def to_cbor(self) -> bytes:
        return _revocation_payload(SNAPSHOT_TYPE, self.seq, self.as_of, self.entries)


def sign_revocation_snapshot(snapshot: RevocationSnapshot, governance: Signer) -> bytes:
    return sign1(snapshot.to_cbor(), governance)


def _revocation_item(
    data: bytes, governance_keys: Sequence[PublicKey]
) -> RevocationDelta | RevocationSnapshot:
    """A signed delta or snapshot, told apart by its signed type."""
    payload = open_sign1(data, governance_keys)
    try:
        kind = strict_loads(payload).get(0)
    except (PermitTokenMalformed, AttributeError):
        raise TrustDataInvalid from None
    body = _typed_payload(payload, SNAPSHOT_TYPE if kind == SNAPSHOT_TYPE else REVOCATIONS_TYPE)
    entries = tuple(RevocationEntry.from_cbor(entry) for entry in body[3])
    if kind == SNAPSHOT_TYPE:
        return RevocationSnapshot(seq=body[1], as_of=_time(body[2]), entries=entries)
    return RevocationDelta(seq=body[1], issued_at=_time(body[2]), entries=entries)


class RevocationState:
    """Revocation deltas folded in order; answers what stands against a permit now.

    The latest change wins: between an entry for the exact version and one for all versions of
    the permit, the one applied later decides, and "reinstated" lifts what came before it."""

    def __init__(self) -> None:
        self.seq = 0
        self.as_of: datetime | None = None
        self._latest: dict[tuple[str, int | None], tuple[int, RevocationEntry]] = {}
        self._applied = 0

    def restore(self, snapshot: RevocationSnapshot) -> bool:
        """Start again from ``snapshot`` when it reaches further than what was applied;
        False (ignored) when it does not."""
        if snapshot.seq <= self.seq:
            return False
        self._latest = {}
        self._applied = 0
        for entry in snapshot.entries:
            self._applied += 1
            self._latest[(entry.cti, entry.version)] = (self._applied, entry)
        self.seq = snapshot.seq
        self.as_of = _utc(snapshot.as_of)
        return True

    def snapshot(self) -> RevocationSnapshot:
        """What was applied, folded: the latest entry per permit and version, in the order
        they were applied (so restoring it answers every :meth:`status_of` the same)."""
        if self.as_of is None:
            raise ValueError("nothing to fold yet")
        entries = [entry for _, entry in sorted(self._latest.values(), key=lambda r: r[0])]
        return RevocationSnapshot(seq=self.seq, as_of=self.as_of, entries=tuple(entries))

    def apply(self, delta: RevocationDelta) -> bool:
        """Apply ``delta``; False when it was already applied (ignored), True otherwise."""
        if delta.seq <= self.seq:
            return False
        if delta.seq != self.seq + 1:
            raise RevocationGap(seq=delta.seq, expected=self.seq + 1)
        for entry in delta.entries:
            self._applied += 1
            self._latest[(entry.cti, entry.version)] = (self._applied, entry)
        self.seq = delta.seq
        self.as_of = _utc(delta.issued_at)
        return True

    def status_of(self, cti: str, version: int) -> RevocationEntry | None:
        """The revocation or suspension standing against ``cti`` version ``version``, if any."""
        found = [
            record
            for record in (self._latest.get((cti, version)), self._latest.get((cti, None)))
            if record is not None
        ]
        if not found:
            return None
        _, entry = max(found, key=lambda record: record[0])
        return None if entry.status is RevocationStatus.REINSTATED else entry


def revocations_file(signed_deltas: Sequence[bytes]) -> bytes:
    """The ``--revocations`` file: a CBOR array of signed deltas, oldest first."""
    return cbor2.dumps(list(signed_deltas))


def load_revocations(
    data: bytes, governance_keys: Sequence[PublicKey], state: RevocationState | None = None
) -> RevocationState:
    """Verify every delta (and snapshot) in a revocations file and fold it into ``state`` (or
    a new one): the furthest snapshot first, then the deltas after it, in order."""
    try:
        items = strict_loads(data)
    except PermitTokenMalformed:
        raise TrustDataInvalid from None
    if not (isinstance(items, list | tuple) and all(isinstance(item, bytes) for item in items)):
        raise TrustDataInvalid
    state = state or RevocationState()
    parsed = [_revocation_item(item, governance_keys) for item in items]
    snapshots = [p for p in parsed if isinstance(p, RevocationSnapshot)]
    if snapshots:
        state.restore(max(snapshots, key=lambda snapshot: snapshot.seq))
    deltas = sorted((p for p in parsed if isinstance(p, RevocationDelta)), key=lambda d: d.seq)
    for delta in deltas:
        state.apply(delta)
    return state
