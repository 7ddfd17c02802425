"""Every query about the ledger."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text

from tansiq.core.clock import ensure_utc
from tansiq.db.repository import Repository, hold_lock
from tansiq.ledger.models import LedgerEntryRecord, LedgerHeadRecord

# Any constant both backends agree on: the PostgreSQL advisory lock that lets one sequencer
# at a time number entries (SQLite's single writer already does).
_SEQUENCER_LOCK = 0x7A6E_5173
# On PostgreSQL, many entries (a group of scans records one per device) in one statement whose
# text never changes: the rows go as one JSON array, made into rows on the server in the order
# given (the ids, and so the sequencer's order, follow it). An executemany (psycopg's pipeline)
# cost the server a statement per entry and the hub twice the time.
_INSERT_POSTGRESQL = text(
    "INSERT INTO ledger_entries (kind, subject, recorded_at, content, digest, leaf) "
    # A None content is JSON's null, as the JSON column writes it, not SQL's NULL.
    "SELECT kind, subject, recorded_at, COALESCE(content, CAST('null' AS JSON)), digest, leaf "
    "FROM json_populate_recordset(CAST(NULL AS ledger_entries), CAST(:rows AS JSON)) "
    "WITH ORDINALITY AS given "
    "ORDER BY given.ordinality"
)


class LedgerRepository(Repository[LedgerEntryRecord | LedgerHeadRecord]):
    def lock_sequencer(self) -> None:
        """Hold the sequencer until the transaction ends, across every hub process."""
        hold_lock(self.session, _SEQUENCER_LOCK)

    def insert_entries(self, rows: list[dict[str, Any]]) -> None:
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(_INSERT_POSTGRESQL, {"rows": json.dumps(_as_json(rows))})
            return
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


def _as_json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ledger rows as ``json_populate_recordset`` reads them: the time in ISO 8601 with its
    offset, the hashes in bytea's hex form, the content as it is (written out by
    ``json.dumps`` with its default separators, as the JSON column writes it)."""
    return [
        {
            "kind": row["kind"],
            "subject": row["subject"],
            "recorded_at": ensure_utc(row["recorded_at"]).isoformat(),
            "content": row["content"],
            "digest": "\\x" + row["digest"].hex(),
            "leaf": "\\x" + row["leaf"].hex(),
        }
        for row in rows
    ]
