"""deconfliction figures: how each party answered the notifications that reached it, tallied
from the acknowledgements already recorded; indexes on the moments the figures count

Revision ID: 0020_liaison_figures
Revises: 0018_field
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from tansiq.tallies.domain import RECEIVED_PLAIN, decision_bucket

revision = "0020_liaison_figures"
down_revision = "0018_field"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_deconfliction_acks_delivered_at", "delivered_at"),
    ("ix_deconfliction_acks_answered_at", "answered_at"),
    ("ix_deconfliction_acks_escalated_at", "escalated_at"),
)


def upgrade() -> None:
    for name, column in INDEXES:
        op.create_index(name, "deconfliction_acknowledgements", [column])
    _back_fill(op.get_bind())


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "DELETE FROM figure_tallies WHERE figure IN "
            "('notified', 'acknowledged', 'ack_time', 'unacknowledged')"
        )
    )
    for name, _column in reversed(INDEXES):
        op.drop_index(name, table_name="deconfliction_acknowledgements")


def _moment(value: Any) -> datetime:
    """A stored time as UTC (SQLite gives text without an offset, PostgreSQL a datetime)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _back_fill(connection: sa.Connection) -> None:
    """Tally every acknowledgement already recorded, as the services tally new ones: delivered
    on its delivery day, answered (by its concern) on its answer day with the time it took,
    unanswered at the deadline on the day it was escalated."""
    counts: Counter[tuple[date, str, int, str, int]] = Counter()
    for party, delivered, answered, concern, escalated in connection.execute(
        sa.text(
            "SELECT party_id, delivered_at, answered_at, concern, escalated_at "
            "FROM deconfliction_acknowledgements"
        )
    ):
        counts[(_moment(delivered).date(), "notified", party, "", 0)] += 1
        if answered is not None:
            day = _moment(answered).date()
            counts[(day, "acknowledged", party, concern or RECEIVED_PLAIN, 0)] += 1
            waited = (_moment(answered) - _moment(delivered)).total_seconds()
            counts[(day, "ack_time", party, "", decision_bucket(waited))] += 1
        if escalated is not None:
            counts[(_moment(escalated).date(), "unacknowledged", party, "", 0)] += 1
    # Each count by its day and by its month, as tallies.repository adds them.
    spans: Counter[tuple[str, date, str, int, str, int]] = Counter()
    for (day, figure, party, reason, bucket), n in counts.items():
        spans[("day", day, figure, party, reason, bucket)] += n
        spans[("month", day.replace(day=1), figure, party, reason, bucket)] += n
    rows = [
        {"span": span, "day": first, "figure": figure, "party_id": party, "checkpoint_id": 0,
         "reason": reason, "bucket": bucket, "count": n}
        for (span, first, figure, party, reason, bucket), n in spans.items()
    ]  # fmt: skip
    if rows:
        names = ("span", "day", "figure", "party_id", "checkpoint_id", "reason", "bucket", "count")
        table = sa.table("figure_tallies", *(sa.column(name) for name in names))
        connection.execute(table.insert(), rows)
