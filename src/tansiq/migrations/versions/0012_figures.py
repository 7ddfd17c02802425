"""accountability figures: tallies by day, back-filled from the records; indexes on each
figure's event time for the cases behind a figure

Revision ID: 0012_figures
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from tansiq.tallies.domain import OPEN_APPEAL, decision_bucket

revision = "0012_figures"
down_revision = "0011_device_trust"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_applications_created_at", "applications", ["created_at"]),
    ("ix_review_decisions_decided_at", "review_decisions", ["decided_at", "review_id"]),
    ("ix_reviews_overdue_at", "reviews", ["overdue_at"]),
    ("ix_appeals_opened_at", "appeals", ["opened_at"]),
    ("ix_permits_status_changed_at", "permits", ["status_changed_at"]),
    (
        "ix_scan_events_figures",
        "scan_events",
        [
            "scanned_at",
            "checkpoint_id",
            "action",
            "reason_code",
            "contradiction",
            "clone_suspected",
        ],
    ),
)


def upgrade() -> None:
    op.create_table(
        "figure_tallies",
        sa.Column("span", sa.String(5), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("figure", sa.String(20), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "span", "day", "figure", "party_id", "checkpoint_id", "reason", "bucket",
            name="pk_figure_tallies",
        ),
    )  # fmt: skip
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    _back_fill(op.get_bind())


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_table("figure_tallies")


def _moment(value: Any) -> datetime:
    """A stored time as UTC (SQLite gives text without an offset, PostgreSQL a datetime)."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _day(value: Any) -> date:
    return _moment(value).date()


def _back_fill(connection: sa.Connection) -> None:
    """Tally every event already recorded, as the services tally new ones. A decision taken in
    an earlier round of its review has no time to decision: that round's opening is not kept."""
    counts: Counter[tuple[date, str, int, int, str, int]] = Counter()

    def rows(sql: str) -> Any:
        return connection.execute(sa.text(sql))

    for authority, created in rows(
        "SELECT r.authority_id, a.created_at FROM reviews r "
        "JOIN applications a ON a.id = r.application_id"
    ):
        counts[(_day(created), "received", authority, 0, "", 0)] += 1
    for authority, decision, reason, at, turn, current, opened in rows(
        "SELECT r.authority_id, d.decision, d.reason_code, d.decided_at, d.round, r.round, "
        "r.opened_at FROM review_decisions d JOIN reviews r ON r.id = d.review_id"
    ):
        day = _day(at)
        counts[(day, "decided", authority, 0, "", 0)] += 1
        if decision == "reject":
            counts[(day, "refused", authority, 0, reason or "", 0)] += 1
        else:
            counts[(day, "approved", authority, 0, "", 0)] += 1
        if turn == current:
            waited = (_moment(at) - _moment(opened)).total_seconds()
            counts[(day, "decision_time", authority, 0, "", decision_bucket(waited))] += 1
    for authority, at in rows(
        "SELECT authority_id, overdue_at FROM reviews WHERE overdue_at IS NOT NULL"
    ):
        counts[(_day(at), "overdue", authority, 0, "", 0)] += 1
    for authority, opened, outcome in rows(
        "SELECT r.authority_id, p.opened_at, p.outcome FROM appeals p "
        "JOIN reviews r ON r.id = p.review_id"
    ):
        counts[(_day(opened), "appealed", authority, 0, outcome or OPEN_APPEAL, 0)] += 1
    for party, at, reason in rows(
        "SELECT u.party_id, p.status_changed_at, p.status_reason_code FROM permits p "
        "JOIN users u ON u.id = p.status_changed_by WHERE p.status = 'revoked'"
    ):
        counts[(_day(at), "revoked", party, 0, reason or "", 0)] += 1
    actions = {"passage": "passages", "refusal": "refusals", "override": "overrides"}
    for checkpoint, at, action, reason, contradiction, clone in rows(
        "SELECT checkpoint_id, scanned_at, action, reason_code, contradiction, "
        "clone_suspected FROM scan_events"
    ):
        day = _day(at)
        if action in actions:
            counts[(day, actions[action], 0, checkpoint, reason or "", 0)] += 1
        if contradiction:
            counts[(day, "contradictions", 0, checkpoint, "", 0)] += 1
        if clone:
            counts[(day, "clones", 0, checkpoint, "", 0)] += 1
    # Each count by its day and by its month, as tallies.repository adds them.
    spans: Counter[tuple[str, date, str, int, int, str, int]] = Counter()
    for (day, figure, party, checkpoint, reason, bucket), n in counts.items():
        spans[("day", day, figure, party, checkpoint, reason, bucket)] += n
        spans[("month", day.replace(day=1), figure, party, checkpoint, reason, bucket)] += n
    if spans:
        names = ("span", "day", "figure", "party_id", "checkpoint_id", "reason", "bucket")
        table = sa.table("figure_tallies", *(sa.column(name) for name in (*names, "count")))
        connection.execute(
            table.insert(),
            [dict(zip(names, key, strict=True), count=n) for key, n in spans.items()],
        )
