"""The device as a witness of the hub's ledger (pure: no database, no network): a signed tree
head is checked against the governance keys the device follows, and a new head against the one
held before by its RFC 9162 consistency proof. A head that fails is a :class:`WitnessAlarm`,
which the device refuses and reports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_
from tansiq.ledger.domain import TreeHead, head_signature_valid
from tansiq.ledger.merkle import HASH_SIZE, verify_consistency
from tansiq.permits.keys import key_id


class WitnessAlarm(TansiqError):
    """The hub's ledger head does not follow from the one this device held: refused."""

    category = ErrorCategory.CONFLICT


class HeadSignatureInvalid(WitnessAlarm):
    code = "witness.head_signature_invalid"
    message = N_(
        "The hub's ledger head is not signed by a governance key this device trusts. It was "
        "refused and reported; the device keeps the head it had."
    )


class HistoryInconsistent(WitnessAlarm):
    code = "witness.inconsistent"
    message = N_(
        "The hub's ledger (size {seen}) does not continue the one this device saw before "
        "(size {held}): its history may have been rewritten. The new head was refused and "
        "reported."
    )


class HistoryShrunk(WitnessAlarm):
    code = "witness.history_shrunk"
    message = N_(
        "The hub's ledger (size {seen}) is smaller than the one this device saw before (size "
        "{held}): part of its history is gone. The new head was refused and reported."
    )


def seen_head(ledger: Any) -> dict[str, Any]:
    head = ledger["head"]
    size, root = int(head["size"]), bytes.fromhex(head["root"])
    if len(root) != HASH_SIZE or size < 0:
        raise ValueError("not a tree head")
    return {
        "size": size,
        "root": root.hex(),
        "signed_at": datetime.fromisoformat(head["signed_at"]).isoformat(),
        "kid": str(head["kid"]),
        "signature": bytes.fromhex(head["signature"]).hex(),
        "proof": [bytes.fromhex(p).hex() for p in (ledger.get("consistency") or [])],
    }


def witness(
    held: dict[str, Any] | None, seen: dict[str, Any], keys: tuple[bytes, ...]
) -> WitnessAlarm | None:
    """Check the hub's head: signed by a trusted governance key, and (when the device held
    one) an extension of the head held, by the RFC 9162 consistency proof."""
    head = TreeHead(
        size=seen["size"],
        root=bytes.fromhex(seen["root"]),
        signed_at=datetime.fromisoformat(seen["signed_at"]),
    )
    signers = [key for key in keys if key_id(key).hex() == seen["kid"]]
    if not any(head_signature_valid(head, bytes.fromhex(seen["signature"]), k) for k in signers):
        return HeadSignatureInvalid()
    if held is None:
        return None
    if head.size < held["size"]:
        return HistoryShrunk(held=held["size"], seen=head.size)
    if not verify_consistency(
        held["size"],
        head.size,
        bytes.fromhex(held["root"]),
        head.root,
        [bytes.fromhex(p) for p in seen["proof"]],
    ):
        return HistoryInconsistent(held=held["size"], seen=head.size)
    return None
