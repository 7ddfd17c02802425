"""indexes for the accountability figures: each figure's event time

Revision ID: 0011_figures
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0011_figures"
down_revision = "0010"
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
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
