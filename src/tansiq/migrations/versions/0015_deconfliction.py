"""deconfliction: notifications of movements and sites, versions, occurrences, affected
parties, acknowledgements, escalations, conflicts and reads of sites' locations

Revision ID: 0015_deconfliction
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tansiq.db.base import UTCDateTime

revision = "0015_deconfliction"
down_revision = "0014_base_layers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deconfliction_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notifier_party_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("emergency", sa.Boolean(), nullable=False),
        sa.Column("active_from", UTCDateTime(timezone=True), nullable=False),
        sa.Column("active_until", UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("reconfirm_days", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("end_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_deconfliction_notifications_created_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["users.id"], name=op.f("fk_deconfliction_notifications_ended_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["notifier_party_id"],
            ["parties.id"],
            name=op.f("fk_deconfliction_notifications_notifier_party_id_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_notifications")),
    )
    op.create_index(
        op.f("ix_deconfliction_notifications_active_until"),
        "deconfliction_notifications",
        ["active_until"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_notifications_notifier_party_id"),
        "deconfliction_notifications",
        ["notifier_party_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_notifications_status"),
        "deconfliction_notifications",
        ["status"],
        unique=False,
    )
    op.create_table(
        "deconfliction_site_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f("fk_deconfliction_site_reads_notification_id_deconfliction_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_deconfliction_site_reads_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_deconfliction_site_reads_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_site_reads")),
    )
    op.create_index(
        op.f("ix_deconfliction_site_reads_notification_id"),
        "deconfliction_site_reads",
        ["notification_id"],
        unique=False,
    )
    op.create_table(
        "deconfliction_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("shape_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("width_m", sa.Float(), nullable=False),
        sa.Column("window_start", UTCDateTime(timezone=True), nullable=True),
        sa.Column("window_end", UTCDateTime(timezone=True), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("shift_s", sa.Float(), nullable=True),
        sa.Column("shift_exists", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_deconfliction_versions_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f("fk_deconfliction_versions_notification_id_deconfliction_notifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_versions")),
        sa.UniqueConstraint(
            "notification_id", "number", name=op.f("uq_deconfliction_versions_notification_id")
        ),
    )
    op.create_index(
        op.f("ix_deconfliction_versions_notification_id"),
        "deconfliction_versions",
        ["notification_id"],
        unique=False,
    )
    op.create_table(
        "deconfliction_acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("deadline", UTCDateTime(timezone=True), nullable=False),
        sa.Column("reminder_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("delivered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_read_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("first_read_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("concern", sa.String(length=30), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reminded_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalated_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["users.id"],
            name=op.f("fk_deconfliction_acknowledgements_answered_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["notify_events.id"],
            name=op.f("fk_deconfliction_acknowledgements_event_id_notify_events"),
        ),
        sa.ForeignKeyConstraint(
            ["first_read_by"],
            ["users.id"],
            name=op.f("fk_deconfliction_acknowledgements_first_read_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f(
                "fk_deconfliction_acknowledgements_notification_id_deconfliction_notifications"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["parties.id"],
            name=op.f("fk_deconfliction_acknowledgements_party_id_parties"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["deconfliction_versions.id"],
            name=op.f("fk_deconfliction_acknowledgements_version_id_deconfliction_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_acknowledgements")),
        sa.UniqueConstraint(
            "version_id", "party_id", name=op.f("uq_deconfliction_acknowledgements_version_id")
        ),
    )
    op.create_index(
        op.f("ix_deconfliction_acknowledgements_deadline"),
        "deconfliction_acknowledgements",
        ["deadline"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_acknowledgements_notification_id"),
        "deconfliction_acknowledgements",
        ["notification_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_acknowledgements_party_id"),
        "deconfliction_acknowledgements",
        ["party_id"],
        unique=False,
    )
    op.create_table(
        "deconfliction_affected_parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f(
                "fk_deconfliction_affected_parties_notification_id_deconfliction_notifications"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["parties.id"],
            name=op.f("fk_deconfliction_affected_parties_party_id_parties"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["deconfliction_versions.id"],
            name=op.f("fk_deconfliction_affected_parties_version_id_deconfliction_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_affected_parties")),
        sa.UniqueConstraint(
            "version_id", "party_id", name=op.f("uq_deconfliction_affected_parties_version_id")
        ),
    )
    op.create_index(
        op.f("ix_deconfliction_affected_parties_notification_id"),
        "deconfliction_affected_parties",
        ["notification_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_affected_parties_party_id"),
        "deconfliction_affected_parties",
        ["party_id"],
        unique=False,
    )
    op.create_table(
        "deconfliction_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("other_notification_id", sa.Integer(), nullable=False),
        sa.Column("place", sa.JSON(), nullable=False),
        sa.Column("overlaps", sa.JSON(), nullable=False),
        sa.Column("found_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f("fk_deconfliction_conflicts_notification_id_deconfliction_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["other_notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f(
                "fk_deconfliction_conflicts_other_notification_id_deconfliction_notifications"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["deconfliction_versions.id"],
            name=op.f("fk_deconfliction_conflicts_version_id_deconfliction_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_conflicts")),
    )
    op.create_index(
        op.f("ix_deconfliction_conflicts_notification_id"),
        "deconfliction_conflicts",
        ["notification_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_conflicts_other_notification_id"),
        "deconfliction_conflicts",
        ["other_notification_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_conflicts_version_id"),
        "deconfliction_conflicts",
        ["version_id"],
        unique=False,
    )
    op.create_table(
        "deconfliction_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f("fk_deconfliction_occurrences_notification_id_deconfliction_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["deconfliction_versions.id"],
            name=op.f("fk_deconfliction_occurrences_version_id_deconfliction_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_occurrences")),
    )
    op.create_index(
        op.f("ix_deconfliction_occurrences_notification_id"),
        "deconfliction_occurrences",
        ["notification_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_occurrences_starts_at"),
        "deconfliction_occurrences",
        ["starts_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_deconfliction_occurrences_version_id"),
        "deconfliction_occurrences",
        ["version_id"],
        unique=False,
    )
    op.create_table(
        "deconfliction_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acknowledgement_id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("escalated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("liaison_user_ids", sa.JSON(), nullable=False),
        sa.Column("flagged_party_ids", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acknowledgement_id"],
            ["deconfliction_acknowledgements.id"],
            name=op.f(
                "fk_deconfliction_escalations_acknowledgement_id_deconfliction_acknowledgements"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f("fk_deconfliction_escalations_notification_id_deconfliction_notifications"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_deconfliction_escalations_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_escalations")),
        sa.UniqueConstraint(
            "acknowledgement_id", name=op.f("uq_deconfliction_escalations_acknowledgement_id")
        ),
    )
    op.create_index(
        op.f("ix_deconfliction_escalations_notification_id"),
        "deconfliction_escalations",
        ["notification_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_deconfliction_escalations_notification_id"), table_name="deconfliction_escalations"
    )
    op.drop_table("deconfliction_escalations")
    op.drop_index(
        op.f("ix_deconfliction_occurrences_version_id"), table_name="deconfliction_occurrences"
    )
    op.drop_index(
        op.f("ix_deconfliction_occurrences_starts_at"), table_name="deconfliction_occurrences"
    )
    op.drop_index(
        op.f("ix_deconfliction_occurrences_notification_id"), table_name="deconfliction_occurrences"
    )
    op.drop_table("deconfliction_occurrences")
    op.drop_index(
        op.f("ix_deconfliction_conflicts_version_id"), table_name="deconfliction_conflicts"
    )
    op.drop_index(
        op.f("ix_deconfliction_conflicts_other_notification_id"),
        table_name="deconfliction_conflicts",
    )
    op.drop_index(
        op.f("ix_deconfliction_conflicts_notification_id"), table_name="deconfliction_conflicts"
    )
    op.drop_table("deconfliction_conflicts")
    op.drop_index(
        op.f("ix_deconfliction_affected_parties_party_id"),
        table_name="deconfliction_affected_parties",
    )
    op.drop_index(
        op.f("ix_deconfliction_affected_parties_notification_id"),
        table_name="deconfliction_affected_parties",
    )
    op.drop_table("deconfliction_affected_parties")
    op.drop_index(
        op.f("ix_deconfliction_acknowledgements_party_id"),
        table_name="deconfliction_acknowledgements",
    )
    op.drop_index(
        op.f("ix_deconfliction_acknowledgements_notification_id"),
        table_name="deconfliction_acknowledgements",
    )
    op.drop_index(
        op.f("ix_deconfliction_acknowledgements_deadline"),
        table_name="deconfliction_acknowledgements",
    )
    op.drop_table("deconfliction_acknowledgements")
    op.drop_index(
        op.f("ix_deconfliction_versions_notification_id"), table_name="deconfliction_versions"
    )
    op.drop_table("deconfliction_versions")
    op.drop_index(
        op.f("ix_deconfliction_site_reads_notification_id"), table_name="deconfliction_site_reads"
    )
    op.drop_table("deconfliction_site_reads")
    op.drop_index(
        op.f("ix_deconfliction_notifications_status"), table_name="deconfliction_notifications"
    )
    op.drop_index(
        op.f("ix_deconfliction_notifications_notifier_party_id"),
        table_name="deconfliction_notifications",
    )
    op.drop_index(
        op.f("ix_deconfliction_notifications_active_until"),
        table_name="deconfliction_notifications",
    )
    op.drop_table("deconfliction_notifications")
