"""liaison threads: threads between parties, their members, messages and per-party receipts;
and, on SQLite, an R*Tree over every movement occurrence's box and time (the conflict check's
prefilter), filled from the occurrences already stored

Revision ID: 0017_liaison_threads
Revises: 0016_incidents
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tansiq.db.base import UTCDateTime

revision = "0017_liaison_threads"
down_revision = "0016_incidents"
branch_labels = None
depends_on = None
BOXES = "deconfliction_occurrence_boxes"


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    table = "deconfliction_threads"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("started_by_party", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_message_at", UTCDateTime(timezone=True), nullable=False),
        _fk(table, "notification_id", "deconfliction_notifications"),
        _fk(table, "started_by_party", "parties"),
        _fk(table, "started_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    _index(table, "notification_id")
    _index(table, "last_message_at")

    table = "deconfliction_thread_members"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("added_at", UTCDateTime(timezone=True), nullable=False),
        _fk(table, "thread_id", "deconfliction_threads"),
        _fk(table, "party_id", "parties"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("thread_id", "party_id", name=op.f(f"uq_{table}_thread_id")),
    )
    _index(table, "thread_id")
    _index(table, "party_id")

    table = "deconfliction_thread_messages"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        _fk(table, "thread_id", "deconfliction_threads"),
        _fk(table, "party_id", "parties"),
        _fk(table, "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    _index(table, "thread_id")

    table = "deconfliction_thread_receipts"
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("read_by", sa.Integer(), nullable=True),
        _fk(table, "message_id", "deconfliction_thread_messages"),
        _fk(table, "thread_id", "deconfliction_threads"),
        _fk(table, "party_id", "parties"),
        _fk(table, "event_id", "notify_events"),
        _fk(table, "read_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("message_id", "party_id", name=op.f(f"uq_{table}_message_id")),
    )
    _index(table, "message_id")
    _index(table, "thread_id")
    _index(table, "party_id")

    op.create_index(
        "ix_deconfliction_notifications_active",
        "deconfliction_notifications",
        ["kind", "status", "active_until"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        # Boxes in degrees (the version's box grown by its reach), times in seconds since 1970.
        op.execute(
            f"CREATE VIRTUAL TABLE {BOXES} USING rtree("
            "id, min_lon, max_lon, min_lat, max_lat, min_t, max_t)"
        )
        op.execute(
            "INSERT INTO deconfliction_occurrence_boxes "
            "(id, min_lon, max_lon, min_lat, max_lat, min_t, max_t) "
            "SELECT o.id, v.min_lon, v.max_lon, v.min_lat, v.max_lat, "
            "(julianday(o.starts_at) - 2440587.5) * 86400.0, "
            "(julianday(o.ends_at) - 2440587.5) * 86400.0 "
            "FROM deconfliction_occurrences o JOIN deconfliction_versions v ON v.id = o.version_id"
        )


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {BOXES}")
    op.drop_index("ix_deconfliction_notifications_active", table_name="deconfliction_notifications")
    for table, columns in (
        ("deconfliction_thread_receipts", ("message_id", "thread_id", "party_id")),
        ("deconfliction_thread_messages", ("thread_id",)),
        ("deconfliction_thread_members", ("thread_id", "party_id")),
        ("deconfliction_threads", ("notification_id", "last_message_at")),
    ):
        for column in columns:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)
