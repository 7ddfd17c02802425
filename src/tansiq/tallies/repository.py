"""Every query about tallies: add to them (an upsert, atomic on both databases) and sum them
over a period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from typing import cast

from sqlalchemy import Table, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tansiq.tallies.models import TallyRecord

Key = tuple[date, str, int, int, str, int]  # day, figure, party, checkpoint, reason, bucket
KEY = ("day", "figure", "party_id", "checkpoint_id", "reason", "bucket")
DAY, MONTH = "day", "month"
Sum = tuple[str, int, int, str, int]  # figure, party, checkpoint, reason, bucket


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


COLUMNS = ("span", *KEY, "count")
# Every tally row of a transaction (a group of scans adds to a dozen) in one statement, in the
# order given (WITH ORDINALITY), so that two transactions still lock shared rows in the same
# order. Executed many times (psycopg's pipeline), each row cost the server a statement.
_UPSERT_POSTGRESQL = text(
    "INSERT INTO figure_tallies "
    "(span, day, figure, party_id, checkpoint_id, reason, bucket, count) "
    "SELECT span, day, figure, party_id, checkpoint_id, reason, bucket, count "
    "FROM unnest(CAST(:span AS VARCHAR[]), CAST(:day AS DATE[]), CAST(:figure AS VARCHAR[]), "
    "CAST(:party_id AS INTEGER[]), CAST(:checkpoint_id AS INTEGER[]), "
    "CAST(:reason AS VARCHAR[]), CAST(:bucket AS INTEGER[]), CAST(:count AS INTEGER[])) "
    "WITH ORDINALITY "
    "AS given (span, day, figure, party_id, checkpoint_id, reason, bucket, count, n) "
    "ORDER BY n "
    "ON CONFLICT (span, day, figure, party_id, checkpoint_id, reason, bucket) "
    "DO UPDATE SET count = figure_tallies.count + excluded.count"
)


class TallyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, counts: Iterable[tuple[Key, int]]) -> None:
        """Add each count to its row, making the row if need be. In key order, so that two
        transactions adding to the same rows lock them in the same order."""
        by_span: Counter[tuple[str, Key]] = Counter()
        for key, n in counts:
            if n:
                day, figure, party, checkpoint, reason, bucket = key
                by_span[(DAY, key)] += n
                by_span[(MONTH, (month_of(day), figure, party, checkpoint, reason, bucket))] += n
        rows = [
            dict(zip(KEY, key, strict=True), span=span, count=n)
            for (span, key), n in sorted(by_span.items())
            if n
        ]
        if not rows:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            # One statement, not one per row: the rows go as one array per column, in order.
            self.session.execute(
                _UPSERT_POSTGRESQL, {name: [r[name] for r in rows] for name in COLUMNS}
            )
            return
        table = cast(Table, TallyRecord.__table__)
        statement = sqlite_insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=["span", *KEY],
            set_={"count": table.c.count + statement.excluded["count"]},
        )
        # One executemany, still in key order.
        self.session.execute(statement, rows)

    def sums(self, first: date, last: date) -> list[tuple[str, int, int, str, int, int]]:
        """(figure, party, checkpoint, reason, bucket, count) summed over the days from
        ``first`` to ``last``, both included: the whole months between from their month rows,
        the days before and after them from their day rows."""
        start = first if first.day == 1 else next_month(first)
        end = month_of(last + timedelta(days=1))  # the first day after the whole months
        total: Counter[Sum] = Counter()
        if start < end:
            self._add(total, MONTH, start, end - timedelta(days=1))
            if first < start:
                self._add(total, DAY, first, start - timedelta(days=1))
            if end <= last:
                self._add(total, DAY, end, last)
        else:
            self._add(total, DAY, first, last)
        return [(*key, n) for key, n in total.items()]

    def _add(self, total: Counter[Sum], span: str, first: date, last: date) -> None:
        rows = self.session.execute(
            select(
                TallyRecord.figure,
                TallyRecord.party_id,
                TallyRecord.checkpoint_id,
                TallyRecord.reason,
                TallyRecord.bucket,
                func.sum(TallyRecord.count),
            )
            .where(TallyRecord.span == span, TallyRecord.day >= first, TallyRecord.day <= last)
            .group_by(
                TallyRecord.figure,
                TallyRecord.party_id,
                TallyRecord.checkpoint_id,
                TallyRecord.reason,
                TallyRecord.bucket,
            )
        )
        for figure, party, checkpoint, reason, bucket, n in rows:
            total[(figure, party, checkpoint, reason, bucket)] += int(n)
