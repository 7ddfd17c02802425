"""What a device does with the hub's signed data over time: follow the governance key from
the keys it was enrolled with through the hub's announcements, and keep its revocations short
(the furthest snapshot it holds and only the deltas after it). Pure: no database, no network.

**Governance keys roll over by announcement.** Every trust list also lists the hub's governance
keys, as entries with the ``governance`` role (which signs no permit). When the key rolls over,
the hub publishes a trust list signed by the *old* key that names the new one: an
*announcement*. A device starts from the keys it was enrolled with and follows the
announcements in order (:func:`follow_governance`), each verified by a key it already trusts;
anything signed by a key no such chain announced is refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cbor2

from tansiq.permits.cose import strict_loads
from tansiq.permits.keys import ALG_EDDSA, load_public_key
from tansiq.permits.token_errors import PermitTokenMalformed
from tansiq.permits.trust import (
    COSE_SIGN1_TAG,
    REVOCATIONS_TYPE,
    ROLE_GOVERNANCE,
    SNAPSHOT_TYPE,
    KeyStatus,
    RevocationState,
    TrustDataInvalid,
    TrustEntry,
    TrustList,
    TrustSignatureInvalid,
    load_trust_list,
    revocations_file,
)


def signer_kid(data: bytes) -> bytes | None:
    """The kid a COSE_Sign1 says it is signed by (unverified: only to say which key it was)."""
    try:
        value = strict_loads(data)
    except PermitTokenMalformed:
        return None
    if isinstance(value, cbor2.CBORTag) and value.tag == COSE_SIGN1_TAG:
        value = value.value
    if isinstance(value, list | tuple) and len(value) == 4 and isinstance(value[1], Mapping):
        kid = value[1].get(4)
        return kid if isinstance(kid, bytes) else None
    return None


def revocation_items(data: bytes) -> list[bytes]:
    """The signed items of a revocations file (unverified)."""
    try:
        items = strict_loads(data)
    except PermitTokenMalformed:
        raise TrustDataInvalid from None
    if not (isinstance(items, list | tuple) and all(isinstance(item, bytes) for item in items)):
        raise TrustDataInvalid
    return list(items)


def compacted_revocations(items: Sequence[bytes], state: RevocationState) -> bytes:
    """A device's revocations file kept short: the furthest snapshot it holds and only the
    deltas after what that snapshot covers (``state`` is what ``items`` fold into)."""
    kinds = [(item, _kind_and_seq(item)) for item in items]
    snapshots = [(seq, item) for item, (kind, seq) in kinds if kind == SNAPSHOT_TYPE]
    if not snapshots:
        return revocations_file(list(dict.fromkeys(items)))
    floor, snapshot = max(snapshots)
    deltas = {
        seq: item
        for item, (kind, seq) in kinds
        if kind == REVOCATIONS_TYPE and floor < seq <= state.seq
    }
    return revocations_file([snapshot, *(deltas[seq] for seq in sorted(deltas))])


def _kind_and_seq(item: bytes) -> tuple[str, int]:
    value = strict_loads(item)
    if isinstance(value, cbor2.CBORTag):
        value = value.value
    body = strict_loads(value[2])
    return str(body[0]), int(body[1])


# --- governance key rollover -----------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    """The governance keys a device trusts after following announcements, and the sequence
    number of the last trust list it followed."""

    keys: tuple[bytes, ...]
    seq: int


def governance_entries(trust: TrustList) -> list[TrustEntry]:
    return [entry for entry in trust.entries if ROLE_GOVERNANCE in entry.roles]


def follow_governance(
    trusted: Sequence[bytes], announcements: Sequence[bytes], *, after: int = 0
) -> Followed:
    """Follow signed trust lists that announce governance keys, oldest first, from the raw
    Ed25519 keys ``trusted``. Each one after sequence ``after`` that a key already trusted
    signs adds the governance keys it names (a compromised one is dropped). One that no
    trusted key signs announces nothing to this device: it was made before the device was
    enrolled, or it is forged — either way it changes nothing."""
    keys = list(dict.fromkeys(trusted))
    seq = after
    for data in announcements:
        public = [load_public_key(ALG_EDDSA, key) for key in keys]
        try:
            trust = load_trust_list(data, public)
        except TrustSignatureInvalid:
            continue
        if trust.seq <= seq:
            continue
        seq = trust.seq
        for entry in governance_entries(trust):
            if entry.alg != ALG_EDDSA:
                continue
            if entry.status is KeyStatus.COMPROMISED:
                keys = [key for key in keys if key != entry.public_key]
            elif entry.public_key not in keys:
                keys.append(entry.public_key)
    return Followed(tuple(keys), seq)
