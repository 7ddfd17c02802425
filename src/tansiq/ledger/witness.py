"""A witness of the ledger, as any party runs it through the API (``tansiq ledger watch``).

It keeps the last tree head it accepted in a local file, with the hub's governance public
keys it was given by the hub's operator (pinned, never learnt from the hub it is checking).
Each check fetches the latest head and, if the tree grew, the consistency proof from the kept
head to it; both are checked here, by the RFC 9162 algorithm over hashes alone, before the new
head replaces the kept one. A hub that rewrote, removed or reordered anything the witness had
already seen cannot produce a proof that passes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tansiq.core.errors import ErrorCategory, InvalidInput, TansiqError
from tansiq.core.i18n import N_
from tansiq.ledger.domain import TreeHead, head_signature_valid
from tansiq.ledger.merkle import HASH_SIZE, verify_consistency

Fetch = Callable[[str], Any]
"""GET a path of the hub's API; the decoded JSON answer (raises a TansiqError if none)."""


class WitnessFailed(TansiqError):
    """A check the witness could not pass: the hub's history is not what it said before."""

    category = ErrorCategory.CONFLICT


class HeadNotSigned(WitnessFailed):
    code = "ledger.watch_bad_signature"
    message = N_(
        "The hub's tree head of {size} entries is not signed by a governance key you pinned."
    )


class HistoryRewritten(WitnessFailed):
    code = "ledger.watch_inconsistent"
    message = N_(
        "The hub's tree of {new} entries does not extend the tree of {old} entries you kept: "
        "its history was rewritten."
    )


class BadHeadAnswer(WitnessFailed):
    code = "ledger.watch_bad_answer"
    message = N_("The hub's answer is not a tree head or a proof: {problem}")


class HubNotAnswering(WitnessFailed):
    code = "ledger.watch_unreachable"
    message = N_("The hub cannot be reached ({problem}); the kept head is unchanged.")


WATCH_FIRST = N_("Kept the hub's tree head of {size} entries, signed by a pinned key.")
WATCH_SAME = N_("The hub's tree still has {size} entries, with the same root.")
WATCH_GREW = N_("The hub's tree grew from {old} to {new} entries and extends the one kept before.")


class NoPinnedKeys(InvalidInput):
    code = "ledger.watch_no_keys"
    message = N_(
        "No governance key is pinned: give the hub's governance public keys with "
        "--governance-key, from the hub's operator."
    )


class BadPinnedKey(InvalidInput):
    code = "ledger.watch_bad_key"
    message = N_("A governance key is 32 bytes, in hex or base64.")


@dataclass(frozen=True)
class KeptHead:
    size: int
    root: str
    signed_at: str
    kid: str
    signature: str

    def tree_head(self) -> TreeHead:
        return TreeHead(self.size, bytes.fromhex(self.root), datetime.fromisoformat(self.signed_at))


@dataclass(frozen=True)
class WatchResult:
    old_size: int | None
    new_size: int


class Witness:
    """The witness's state in ``path`` (JSON) and its checks against a hub."""

    def __init__(self, path: Path) -> None:
        self.path = path
        state = json.loads(path.read_text()) if path.exists() else {}
        self.keys: list[bytes] = [bytes.fromhex(k) for k in state.get("governance_keys", [])]
        head = state.get("head")
        self.head: KeptHead | None = None if head is None else KeptHead(**head)

    def pin(self, keys: list[bytes]) -> None:
        for key in keys:
            if len(key) != HASH_SIZE:
                raise BadPinnedKey
            if key not in self.keys:
                self.keys.append(key)
        self._save()

    def check(self, fetch: Fetch) -> WatchResult:
        """Fetch the latest head and check it; keep it if it passes."""
        if not self.keys:
            raise NoPinnedKeys
        new = _head(fetch("/api/v1/ledger/head"))
        if not any(
            head_signature_valid(new.tree_head(), bytes.fromhex(new.signature), key)
            for key in self.keys
        ):
            raise HeadNotSigned(size=new.size)
        old = self.head
        if old is not None and not self._extends(fetch, old, new):
            raise HistoryRewritten(old=old.size, new=new.size)
        if old is None or new.size >= old.size:
            self.head = new
            self._save()
        return WatchResult(None if old is None else old.size, new.size)

    @staticmethod
    def _extends(fetch: Fetch, old: KeptHead, new: KeptHead) -> bool:
        if new.size < old.size:
            return False
        if new.size == old.size:
            return new.root == old.root
        answer = fetch(f"/api/v1/ledger/proofs/consistency?old={old.size}&new={new.size}")
        try:
            path = [bytes.fromhex(node) for node in answer["path"]]
        except (KeyError, TypeError, ValueError):
            raise BadHeadAnswer(problem="consistency proof") from None
        return verify_consistency(
            old.size, new.size, bytes.fromhex(old.root), bytes.fromhex(new.root), path
        )

    def _save(self) -> None:
        state = {
            "governance_keys": [k.hex() for k in self.keys],
            "head": None if self.head is None else asdict(self.head),
        }
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(state, indent=1))
        os.replace(partial, self.path)


def _head(answer: Any) -> KeptHead:
    try:
        head = KeptHead(
            size=int(answer["size"]),
            root=str(answer["root"]),
            signed_at=str(answer["signed_at"]),
            kid=str(answer["kid"]),
            signature=str(answer["signature"]),
        )
        head.tree_head()
        bytes.fromhex(head.signature)
    except (KeyError, TypeError, ValueError):
        raise BadHeadAnswer(problem="tree head") from None
    if head.size < 0 or len(bytes.fromhex(head.root)) != HASH_SIZE:
        raise BadHeadAnswer(problem="tree head")
    return head
