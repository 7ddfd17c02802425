"""Every ledger entry checked against the live row it records.

The ledger knows no feature's tables (every feature sits above it), so each feature describes
its recorded rows as :class:`LedgerSource` objects: which entry kinds they cover and, for every
subject, the contents its entries must hold, re-derived from the rows as they are now, with the
same function the feature used when it recorded them. The entry point (CLI, API) hands the
sources of every feature to :func:`check_rows`.

Two shapes of record:

* a **history** (``latest_only=False``): the entries of those kinds about the subject, in
  tree order, hold exactly the listed contents — one per stored row (a scan, each decision of
  a review, each version of an application). A changed, removed or added row shows.
* a **state** (``latest_only=True``): the subject's *last* entry of those kinds holds the
  row's current content (a permit, a device, a key); earlier entries are past states the row
  no longer shows, proved by the tree alone.

An entry matches a row when it has the kind and the content digest the row calls for (two
kinds may hold the same content). A subject with entries but no row (the row was deleted) or
with a row but no entry (a row was inserted behind the hub's back) is reported too. The first
problem is the one with the lowest ``seq``; rows with no entry at all come after every bad
entry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_
from tansiq.ledger.domain import content_digest, normalised
from tansiq.ledger.models import LedgerEntryRecord


class RowMismatch(TansiqError):
    """An entry no longer matches the row it records, or a row has no entry."""

    category = ErrorCategory.CONFLICT


class EntryRowChanged(RowMismatch):
    code = "ledger.row_changed"
    message = N_(
        "Entry {seq} ({kind}, {subject}): the record it describes was changed after it was "
        "recorded."
    )


class EntryRowMissing(RowMismatch):
    code = "ledger.row_missing"
    message = N_(
        "Entry {seq} ({kind}, {subject}): the record it describes is no longer in the database."
    )


class RowUnrecorded(RowMismatch):
    code = "ledger.row_unrecorded"
    message = N_("{subject}: a record in the database that the ledger never recorded.")


@dataclass(frozen=True)
class ExpectedEntry:
    """An entry a row calls for: its kind and time (for the back-fill) and its content."""

    kind: str
    at: datetime
    content: Any
    private: bool = True
    digest: bytes | None = None
    """The digest the entry holds, when the row keeps it instead of the content (a change
    recorded before its row was kept, whose content the database no longer shows): the entry
    is then proved by the tree, and the row only says it is there."""


@dataclass(frozen=True)
class LedgerSource:
    """One kind of recorded row, as the ledger can check it.

    ``kinds`` are the entry kinds it covers (exact names, or prefixes ending in ``.``);
    ``expected`` returns, by subject, the contents the entries must hold, derived from the
    rows now in the database."""

    name: str
    kinds: tuple[str, ...]
    expected: Callable[[Session], Mapping[str, Sequence[ExpectedEntry]]]
    latest_only: bool = False

    def covers(self, kind: str) -> bool:
        return any(kind == k or (k.endswith(".") and kind.startswith(k)) for k in self.kinds)


def digest_of(content: Any) -> bytes:
    """The digest an entry holds for ``content``, exactly as :func:`record_entry` makes it."""
    return content_digest(normalised(content))


@dataclass(frozen=True)
class _Found:
    position: int
    problem: RowMismatch


def check_rows(
    session: Session, entries: Sequence[LedgerEntryRecord], sources: Iterable[LedgerSource]
) -> RowMismatch | None:
    """The first entry that disagrees with its row, else the first row with no entry, else
    None. ``entries`` are in ledger order: numbered ones by seq, then those still waiting."""
    position = {id(entry): index for index, entry in enumerate(entries)}
    found: list[_Found] = []
    unrecorded: list[str] = []
    for source in sources:
        by_subject = _by_subject(entries, source)
        expected = source.expected(session)
        for subject, recorded in by_subject.items():
            problem = _compare(recorded, expected.get(subject), latest_only=source.latest_only)
            if problem is not None:
                found.append(_Found(position[id(problem[0])], problem[1]))
        unrecorded += [
            subject
            for subject, rows in expected.items()
            if _unrecorded(by_subject.get(subject, []), rows, source.latest_only)
        ]
    if found:
        return min(found, key=lambda f: f.position).problem
    if unrecorded:
        return RowUnrecorded(subject=sorted(unrecorded)[0])
    return None


def _compare(
    recorded: list[LedgerEntryRecord],
    expected: Sequence[ExpectedEntry] | None,
    *,
    latest_only: bool,
) -> tuple[LedgerEntryRecord, RowMismatch] | None:
    def named(
        entry: LedgerEntryRecord, error: type[RowMismatch]
    ) -> tuple[LedgerEntryRecord, RowMismatch]:
        seq = entry.seq if entry.seq is not None else f"id {entry.id}"
        return entry, error(seq=seq, kind=entry.kind, subject=entry.subject)

    if not expected:
        return named(recorded[0], EntryRowMissing)
    if latest_only:
        last = recorded[-1]
        return None if _said(last) == _calls_for(expected[-1]) else named(last, EntryRowChanged)
    # Each entry must account for one row; a history back-filled after later rows were
    # recorded is in another order than the rows, so they are matched as a multiset.
    waiting = Counter(_calls_for(e) for e in expected)
    for entry in recorded:
        if waiting[_said(entry)] > 0:
            waiting[_said(entry)] -= 1
        elif waiting.total() == 0:
            return named(entry, EntryRowMissing)
        else:
            return named(entry, EntryRowChanged)
    return None


def _said(entry: LedgerEntryRecord) -> tuple[str, bytes]:
    """What an entry says: its kind and its content's digest (two kinds may hold the same
    content, e.g. an advisory published or taken off by the same user)."""
    return entry.kind, entry.digest


def _calls_for(item: ExpectedEntry) -> tuple[str, bytes]:
    return item.kind, digest_of(item.content) if item.digest is None else item.digest


def _unrecorded(
    recorded: Sequence[LedgerEntryRecord], expected: Sequence[ExpectedEntry], latest_only: bool
) -> list[ExpectedEntry]:
    """The entries the rows call for that the ledger lacks."""
    if not expected:
        return []
    if latest_only:
        return [] if recorded else [expected[-1]]
    have = Counter(_said(entry) for entry in recorded)
    missing = []
    for item in expected:
        said = _calls_for(item)
        if have[said] > 0:
            have[said] -= 1
        else:
            missing.append(item)
    return missing


def _by_subject(
    entries: Sequence[LedgerEntryRecord], source: LedgerSource
) -> dict[str, list[LedgerEntryRecord]]:
    by_subject: dict[str, list[LedgerEntryRecord]] = {}
    for entry in entries:
        if source.covers(entry.kind):
            by_subject.setdefault(entry.subject, []).append(entry)
    return by_subject


def backfill(
    session: Session, entries: Sequence[LedgerEntryRecord], sources: Iterable[LedgerSource]
) -> list[tuple[str, ExpectedEntry]]:
    """The entries the rows call for that the ledger lacks (rows older than the ledger, or
    of a kind recorded since), as (subject, entry), in the back-fill's order: by time, then
    kind, then subject. Recording them makes :func:`check_rows` pass; running it again then
    finds nothing."""
    missing: list[tuple[str, ExpectedEntry]] = []
    for source in sources:
        by_subject = _by_subject(entries, source)
        for subject, expected in source.expected(session).items():
            for item in _unrecorded(by_subject.get(subject, []), expected, source.latest_only):
                missing.append((subject, item))
    missing.sort(key=lambda pair: (ensure_utc(pair[1].at), pair[1].kind, pair[0]))
    return missing
