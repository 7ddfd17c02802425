"""Every query about the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, insert, select

from tansiq.db.repository import Repository, hold_lock
from tansiq.ledger.models import LedgerEntryRecord, LedgerHeadRecord

# Any constant both backends agree on: the PostgreSQL advisory lock that lets one sequencer
# at a time number entries (SQLite's single writer already does).
_SEQUENCER_LOCK = 0x7A6E_5173


class LedgerRepository(Repository[LedgerEntryRecord | LedgerHeadRecord]):
    def lock_sequencer(self) -> None:
        """Hold the sequencer until the transaction ends, across every hub process."""
        hold_lock(self.session, _SEQUENCER_LOCK)

    def insert_entries(self, rows: list[dict[str, Any]]) -> None:
        # Core: the ORM's bulk insert would read each new primary key back.
        self.session.execute(insert(cast(Table, LedgerEntryRecord.__table__)), rows)

    def sequenced_count(self) -> int:
        return (
            self.session.scalar(
                select(func.count())
                .where(LedgerEntryRecord.seq.is_not(None))
                .select_from(LedgerEntryRecord)
            )
            or 0
        )

    def unsequenced(self) -> Sequence[LedgerEntryRecord]:
        return self.session.scalars(
            select(LedgerEntryRecord)
            .where(LedgerEntryRecord.seq.is_(None))
            .order_by(LedgerEntryRecord.id)
        ).all()

    def leaves(self, start: int = 0) -> Sequence[bytes]:
        """The leaf hashes from ``start`` on, in tree order."""
        return self.session.scalars(
            select(LedgerEntryRecord.leaf)
            .where(LedgerEntryRecord.seq >= start)
            .order_by(LedgerEntryRecord.seq)
        ).all()

    def entries(self) -> Sequence[LedgerEntryRecord]:
        """Every entry, sequenced ones first in tree order, then those still waiting."""
        return self.session.scalars(
            select(LedgerEntryRecord).order_by(
                LedgerEntryRecord.seq.is_(None), LedgerEntryRecord.seq, LedgerEntryRecord.id
            )
        ).all()

    def entry(self, seq: int) -> LedgerEntryRecord | None:
        return self.session.scalars(
            select(LedgerEntryRecord).where(LedgerEntryRecord.seq == seq)
        ).first()

    def entries_about(self, subject: str) -> Sequence[LedgerEntryRecord]:
        return self.session.scalars(
            select(LedgerEntryRecord)
            .where(LedgerEntryRecord.subject == subject)
            .order_by(LedgerEntryRecord.id)
        ).all()

    def latest_head(self) -> LedgerHeadRecord | None:
        return self.session.scalars(
            select(LedgerHeadRecord).order_by(
                LedgerHeadRecord.size.desc(), LedgerHeadRecord.id.desc()
            )
        ).first()

    def head_of_size(self, size: int) -> LedgerHeadRecord | None:
        return self.session.scalars(
            select(LedgerHeadRecord)
            .where(LedgerHeadRecord.size == size)
            .order_by(LedgerHeadRecord.id.desc())
        ).first()

    def heads(self) -> Sequence[LedgerHeadRecord]:
        return self.session.scalars(select(LedgerHeadRecord).order_by(LedgerHeadRecord.id)).all()
