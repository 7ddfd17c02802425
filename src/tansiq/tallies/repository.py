"""Every query about tallies: add to them (an upsert, atomic on both databases) and sum them
over a period."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tansiq.tallies.models import TallyRecord

Key = tuple[date, str, int, int, str, int]  # day, figure, party, checkpoint, reason, bucket
KEY = ("day", "figure", "party_id", "checkpoint_id", "reason", "bucket")


class TallyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, counts: Iterable[tuple[Key, int]]) -> None:
        """Add each count to its row, making the row if need be. In key order, so that two
        transactions adding to the same rows lock them in the same order."""
        rows = [dict(zip(KEY, key, strict=True), count=n) for key, n in sorted(counts) if n]
        if not rows:
            return
        postgresql = self.session.get_bind().dialect.name == "postgresql"
        insert: Any = pg_insert if postgresql else sqlite_insert
        statement = insert(TallyRecord)
        statement = statement.on_conflict_do_update(
            index_elements=list(KEY),
            set_={"count": TallyRecord.count + statement.excluded["count"]},
        )
        for row in rows:
            self.session.execute(statement, row)

    def sums(self, first: date, last: date) -> list[tuple[str, int, int, str, int, int]]:
        """(figure, party, checkpoint, reason, bucket, count) summed over the days from
        ``first`` to ``last``, both included."""
        rows = self.session.execute(
            select(
                TallyRecord.figure,
                TallyRecord.party_id,
                TallyRecord.checkpoint_id,
                TallyRecord.reason,
                TallyRecord.bucket,
                func.sum(TallyRecord.count),
            )
            .where(TallyRecord.day >= first, TallyRecord.day <= last)
            .group_by(
                TallyRecord.figure,
                TallyRecord.party_id,
                TallyRecord.checkpoint_id,
                TallyRecord.reason,
                TallyRecord.bucket,
            )
        )
        return [(f, p, c, r, b, int(n)) for f, p, c, r, b, n in rows]
