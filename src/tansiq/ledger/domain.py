"""What a ledger entry and a signed tree head are, byte for byte (pure rules, no database).

An entry says that *something* (``kind``, e.g. ``permit.revoked``) happened to *some record*
(``subject``, e.g. ``permit:17``) at a time, with a content. The content is hashed in its
canonical form (deterministic CBOR, RFC 8949 §4.2.1) and the leaf commits to that digest, so an
entry whose content is need-to-know can keep only the digest and still be proved and checked.

A tree head is signed over its canonical form: a label naming the format, the tree size, the
root hash and the time in whole milliseconds. Anyone holding the hub's governance public key
can check it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tansiq.ledger.merkle import HASH_SIZE, leaf_hash

ENTRY_LABEL: Final = "tansiq-ledger-entry-v1"
HEAD_LABEL: Final = "tansiq-tree-head-v1"
MAX_KIND: Final = 60
MAX_SUBJECT: Final = 120


def canonical(value: Any) -> bytes:
    """``value`` as deterministic CBOR: the same data gives the same bytes everywhere."""
    return cbor2.dumps(value, canonical=True, datetime_as_timestamp=True, timezone=UTC)


def normalised(content: Any) -> Any:
    """``content`` as it reads back from JSON: what is stored is what was hashed."""
    return json.loads(json.dumps(content, ensure_ascii=False, default=str))


def content_digest(content: Any) -> bytes:
    return hashlib.sha256(canonical(content)).digest()


def signed_millis(moment: datetime) -> int:
    """A time as entries and heads sign it: whole milliseconds since the epoch."""
    if moment.tzinfo is None:
        raise ValueError("ledger times are UTC-aware")
    return round(moment.timestamp() * 1000)


_millis = signed_millis


@dataclass(frozen=True)
class EntryFacts:
    """What one leaf commits to."""

    kind: str
    subject: str
    recorded_at: datetime
    digest: bytes

    def __post_init__(self) -> None:
        if not 0 < len(self.kind) <= MAX_KIND or not 0 < len(self.subject) <= MAX_SUBJECT:
            raise ValueError("a ledger entry names its kind and subject")
        if len(self.digest) != HASH_SIZE:
            raise ValueError("a content digest is 32 bytes")

    def encoded(self) -> bytes:
        return canonical(
            [ENTRY_LABEL, self.kind, self.subject, _millis(self.recorded_at), self.digest]
        )

    def leaf(self) -> bytes:
        return leaf_hash(self.encoded())


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: bytes
    signed_at: datetime

    def encoded(self) -> bytes:
        """The bytes the governance key signs."""
        return canonical([HEAD_LABEL, self.size, self.root, _millis(self.signed_at)])


def head_signature_valid(head: TreeHead, signature: bytes, public_key: bytes) -> bool:
    """Whether ``signature`` is the Ed25519 signature of ``head`` by ``public_key``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, head.encoded())
    except (InvalidSignature, ValueError):
        return False
    return True
