"""The ledger's use cases: record a state change, number the entries, sign a tree head, prove,
and check the whole ledger against itself.

:func:`record_entry` is the one function every feature calls, in the transaction of the change
it records; it only adds a row (the tree is built later, by whoever signs a head), so the
recorded write stays cheap.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tansiq.core.clock import Clock, ensure_utc
from tansiq.core.errors import ErrorCategory, InvalidInput, NotFound, TansiqError
from tansiq.core.i18n import N_
from tansiq.ledger.audit import LedgerSource, backfill, check_rows
from tansiq.ledger.domain import (
    EntryFacts,
    TreeHead,
    content_digest,
    head_signature_valid,
    normalised,
)
from tansiq.ledger.merkle import MerkleTree, ProofError
from tansiq.ledger.models import LedgerEntryRecord, LedgerHeadRecord
from tansiq.ledger.repository import LedgerRepository


class EntryNotInLedger(NotFound):
    code = "ledger.entry_not_found"
    message = N_("The ledger has no entry {seq} in a tree of {size} entries.")


class NoSuchTree(InvalidInput):
    code = "ledger.bad_tree_size"
    message = N_("The ledger cannot prove anything between trees of {old} and {new} entries.")


class HeadSigner(Protocol):
    """The hub's governance key, as the ledger needs it."""

    @property
    def kid(self) -> bytes: ...

    def sign(self, data: bytes) -> bytes: ...


def record_entry(
    session: Session,
    *,
    kind: str,
    subject: str,
    content: Any,
    at: datetime,
    private: bool = True,
) -> LedgerEntryRecord:
    """Append that ``kind`` happened to ``subject`` at ``at``, with ``content`` (JSON-shaped).

    Only the content's digest is kept unless ``private`` is False: an entry can be proved and
    checked against the record it describes without the ledger showing what is need-to-know.
    The content is hashed as it reads back from JSON, so what is stored is what was hashed.
    """
    record = LedgerEntryRecord(**_entry_row(kind, subject, content, at, private))
    LedgerRepository(session).add(record)
    return record


@dataclass(frozen=True)
class NewEntry:
    kind: str
    subject: str
    content: Any
    at: datetime
    private: bool = True
    plain: bool = False
    """The content is JSON values already (strings, numbers, None, lists, string-keyed
    dicts): it is hashed as it is, without the JSON round trip."""


def record_entries(session: Session, entries: Sequence[NewEntry]) -> None:
    """:func:`record_entry` for many entries in one statement (a sync's scans, a back-fill):
    the same rows, without building an object for each."""
    if entries:
        LedgerRepository(session).insert_entries(
            [_entry_row(e.kind, e.subject, e.content, e.at, e.private, e.plain) for e in entries]
        )


def _entry_row(
    kind: str, subject: str, content: Any, at: datetime, private: bool, plain: bool = False
) -> dict[str, Any]:
    content = content if plain else normalised(content)
    digest = content_digest(content)
    facts = EntryFacts(kind=kind, subject=subject, recorded_at=ensure_utc(at), digest=digest)
    return {
        "kind": kind,
        "subject": subject,
        "recorded_at": facts.recorded_at,
        "content": None if private else content,
        "digest": digest,
        "leaf": facts.leaf(),
    }


def backfill_ledger(session: Session, sources: Iterable[LedgerSource]) -> int:
    """Record every entry the rows call for that the ledger lacks, oldest first (by time,
    then kind, then subject); returns how many. Idempotent: a second run records nothing."""
    missing = backfill(session, LedgerRepository(session).entries(), sources)
    record_entries(
        session,
        [
            NewEntry(kind=e.kind, subject=subject, content=e.content, at=e.at, private=e.private)
            for subject, e in missing
        ],
    )
    return len(missing)


def sequence_entries(session: Session) -> int:
    """Give every committed, unnumbered entry the next place in the tree; returns how many."""
    repo = LedgerRepository(session)
    repo.lock_sequencer()
    start = repo.sequenced_count()
    waiting = repo.unsequenced()
    for offset, entry in enumerate(waiting):
        entry.seq = start + offset
    repo.flush()
    return len(waiting)


# The tree each database's ledger had when last asked, per engine (in this process): rebuilding
# it reads and hashes every entry, which a device pull that is behind the latest head would do
# each time. A cached tree is reused only up to the latest signed head whose root it agrees
# with; the entries after that head are always read again, so a rolled-back or edited tail is
# never served from memory. A head is always signed over a tree read afresh, so a history
# rewritten in the database is what the next head signs, and witnesses see the break.
_TREES: weakref.WeakKeyDictionary[Engine, MerkleTree] = weakref.WeakKeyDictionary()
_TREES_LOCK = threading.Lock()


def tree_of(session: Session, *, afresh: bool = False) -> MerkleTree:
    """The tree over every numbered entry, as the database holds them now; ``afresh``: read
    and hash every entry again (a head is signed over nothing else)."""
    repo = LedgerRepository(session)
    engine = session.get_bind().engine
    head = repo.latest_head()
    with _TREES_LOCK:
        cached = None if afresh else _TREES.get(engine)
    if (
        cached is not None
        and head is not None
        and head.size <= len(cached)
        and cached.root(head.size) == head.root
    ):
        tree = cached.prefix(head.size)
    else:
        tree = MerkleTree()
    for leaf in repo.leaves(len(tree)):
        tree.append(leaf)
    with _TREES_LOCK:
        _TREES[engine] = tree
    return tree


def sign_tree_head(session: Session, signer: HeadSigner, clock: Clock) -> LedgerHeadRecord:
    """Number what is waiting and sign the head of the whole tree."""
    sequence_entries(session)
    tree = tree_of(session, afresh=True)
    head = TreeHead(size=len(tree), root=tree.root(len(tree)), signed_at=clock.now())
    record = LedgerHeadRecord(
        size=head.size,
        root=head.root,
        signed_at=head.signed_at,
        kid=signer.kid.hex(),
        signature=signer.sign(head.encoded()),
    )
    repo = LedgerRepository(session)
    repo.add(record)
    repo.flush()
    return record


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    size: int
    leaf: bytes
    path: list[bytes]


def prove_inclusion(session: Session, seq: int, size: int) -> InclusionProof:
    tree = tree_of(session)
    entry = LedgerRepository(session).entry(seq)
    try:
        path = tree.inclusion_proof(seq, size)
    except ProofError:
        raise EntryNotInLedger(seq=seq, size=size) from None
    assert entry is not None  # noqa: S101 - the tree holds exactly the numbered entries
    return InclusionProof(seq=seq, size=size, leaf=entry.leaf, path=path)


def prove_consistency(session: Session, old_size: int, new_size: int) -> list[bytes]:
    try:
        return tree_of(session).consistency_proof(old_size, new_size)
    except ProofError:
        raise NoSuchTree(old=old_size, new=new_size) from None


class LedgerBroken(TansiqError):
    """Something in the stored ledger is not what was recorded: the first one found."""

    category = ErrorCategory.CONFLICT


class EntryMissing(LedgerBroken):
    code = "ledger.entry_missing"
    message = N_("Entry {seq} is missing: the ledger has a gap, or entries were reordered.")


class EntryContentChanged(LedgerBroken):
    code = "ledger.entry_content_changed"
    message = N_("Entry {seq} ({kind}, {subject}): its content was changed after it was recorded.")


class EntryChanged(LedgerBroken):
    code = "ledger.entry_changed"
    message = N_("Entry {seq} ({kind}, {subject}): what it says no longer matches its leaf hash.")


class HeadBeyondEntries(LedgerBroken):
    code = "ledger.head_beyond_entries"
    message = N_(
        "The tree head of {size} entries signed at {signed_at} covers entries that are no "
        "longer in the ledger."
    )


class HeadMismatch(LedgerBroken):
    code = "ledger.head_mismatch"
    message = N_(
        "The tree head of {size} entries signed at {signed_at} does not match the entries: "
        "an entry it covers was changed, removed or moved."
    )


class HeadSignatureBad(LedgerBroken):
    code = "ledger.head_signature_bad"
    message = N_(
        "The tree head of {size} entries signed at {signed_at} does not verify with the "
        "hub's governance key."
    )


@dataclass(frozen=True)
class LedgerCheck:
    entries: int
    heads: int
    problem: TansiqError | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def check_ledger(
    session: Session,
    public_keys: Mapping[str, bytes],
    sources: Iterable[LedgerSource] = (),
) -> LedgerCheck:
    """Recompute every leaf from its entry and the tree from the leaves, check every stored
    head's root and signature against ``public_keys`` (governance keys by kid), then every
    entry against the live row it records (``sources``, from the features)."""
    repo = LedgerRepository(session)
    entries = repo.entries()
    heads = repo.heads()
    tree = MerkleTree()
    problem: TansiqError | None = (
        _check_entries(entries, tree)
        or _check_heads(heads, tree, public_keys)
        or check_rows(session, entries, sources)
    )
    return LedgerCheck(entries=len(entries), heads=len(heads), problem=problem)


def _check_entries(entries: Sequence[LedgerEntryRecord], tree: MerkleTree) -> LedgerBroken | None:
    for position, entry in enumerate(entries):
        seq = entry.seq if entry.seq is not None else f"id {entry.id}"
        if entry.seq is not None and entry.seq != position:
            return EntryMissing(seq=position)
        if entry.content is not None and content_digest(entry.content) != entry.digest:
            return EntryContentChanged(seq=seq, kind=entry.kind, subject=entry.subject)
        try:
            facts = EntryFacts(
                kind=entry.kind,
                subject=entry.subject,
                recorded_at=ensure_utc(entry.recorded_at),
                digest=entry.digest,
            )
        except ValueError:
            return EntryChanged(seq=seq, kind=entry.kind, subject=entry.subject)
        if facts.leaf() != entry.leaf:
            return EntryChanged(seq=seq, kind=entry.kind, subject=entry.subject)
        if entry.seq is not None:
            tree.append(entry.leaf)
    return None


def _check_heads(
    heads: Sequence[LedgerHeadRecord], tree: MerkleTree, public_keys: Mapping[str, bytes]
) -> LedgerBroken | None:
    for head in heads:
        facts = TreeHead(size=head.size, root=head.root, signed_at=ensure_utc(head.signed_at))
        signed_at = facts.signed_at.isoformat()
        if head.size > len(tree):
            return HeadBeyondEntries(size=head.size, signed_at=signed_at)
        if tree.root(head.size) != head.root:
            return HeadMismatch(size=head.size, signed_at=signed_at)
        key = public_keys.get(head.kid)
        if key is None or not head_signature_valid(facts, head.signature, key):
            return HeadSignatureBad(size=head.size, signed_at=signed_at)
    return None
