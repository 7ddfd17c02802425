"""incidents: incidents and their verdicts, advisories and their co-signatures, standing
watches, and the impact rows of each on permits, movements and watches

Revision ID: 0016_incidents
Revises: 0015_deconfliction
Create Date: 2026-12-01 12:02:50.832717
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tansiq.db.base import UTCDateTime

revision = "0016_incidents"
down_revision = "0015_deconfliction"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_impacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_kind", sa.String(length=10), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("distance_m", sa.Float(), nullable=False),
        sa.Column("route_affected", sa.Boolean(), nullable=False),
        sa.Column("party_ids", sa.JSON(), nullable=False),
        sa.Column("found_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_impacts")),
        sa.UniqueConstraint(
            "hazard_kind",
            "hazard_id",
            "target_kind",
            "target_id",
            name=op.f("uq_incident_impacts_hazard_kind"),
        ),
    )
    with op.batch_alter_table("incident_impacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_impacts_cleared_at"), ["cleared_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_impacts_subject_id"), ["subject_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_impacts_target_id"), ["target_id"], unique=False
        )

    op.create_table(
        "incident_watches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("shape_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("reach_m", sa.Float(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_incident_watches_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_incident_watches_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_watches")),
    )
    with op.batch_alter_table("incident_watches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_watches_active"), ["active"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_watches_party_id"), ["party_id"], unique=False
        )

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_party_id", sa.Integer(), nullable=False),
        sa.Column("reported_by", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=30), nullable=False),
        sa.Column("sub_type", sa.String(length=30), nullable=False),
        sa.Column("occurred_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("time_precision", sa.String(length=10), nullable=False),
        sa.Column("relevant_until", UTCDateTime(timezone=True), nullable=False),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("shape_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("location_precision", sa.String(length=15), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("confidence", sa.String(length=15), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("verification", sa.String(length=15), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reported_by"], ["users.id"], name=op.f("fk_incidents_reported_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_party_id"],
            ["parties.id"],
            name=op.f("fk_incidents_reporter_party_id_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_event_type"), ["event_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incidents_relevant_until"), ["relevant_until"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incidents_reporter_party_id"), ["reporter_party_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_severity"), ["severity"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incidents_verification"), ["verification"], unique=False
        )

    op.create_table(
        "advisories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issuer_party_id", sa.Integer(), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("geometry", sa.JSON(), nullable=False),
        sa.Column("shape_wkb", sa.LargeBinary(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("valid_from", UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", UTCDateTime(timezone=True), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("cap_identifier", sa.String(length=300), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        sa.Column("end_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["checkpoints.id"],
            name=op.f("fk_advisories_checkpoint_id_checkpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["users.id"], name=op.f("fk_advisories_ended_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_advisories_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["users.id"], name=op.f("fk_advisories_issued_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_party_id"], ["parties.id"], name=op.f("fk_advisories_issuer_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisories")),
        sa.UniqueConstraint("cap_identifier", name=op.f("uq_advisories_cap_identifier")),
    )
    with op.batch_alter_table("advisories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_advisories_checkpoint_id"), ["checkpoint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_advisories_issuer_party_id"), ["issuer_party_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_advisories_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_advisories_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_advisories_valid_until"), ["valid_until"], unique=False
        )

    op.create_table(
        "incident_verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=15), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_verdicts_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_incident_verdicts_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_incident_verdicts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_verdicts")),
        sa.UniqueConstraint(
            "incident_id", "party_id", name=op.f("uq_incident_verdicts_incident_id")
        ),
    )
    with op.batch_alter_table("incident_verdicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_verdicts_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "advisory_cosigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advisory_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["advisory_id"],
            ["advisories.id"],
            name=op.f("fk_advisory_cosigns_advisory_id_advisories"),
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_advisory_cosigns_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_advisory_cosigns_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisory_cosigns")),
        sa.UniqueConstraint(
            "advisory_id", "party_id", name=op.f("uq_advisory_cosigns_advisory_id")
        ),
    )
    with op.batch_alter_table("advisory_cosigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_advisory_cosigns_advisory_id"), ["advisory_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("advisory_cosigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advisory_cosigns_advisory_id"))

    op.drop_table("advisory_cosigns")
    with op.batch_alter_table("incident_verdicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_verdicts_incident_id"))

    op.drop_table("incident_verdicts")
    with op.batch_alter_table("advisories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advisories_valid_until"))
        batch_op.drop_index(batch_op.f("ix_advisories_status"))
        batch_op.drop_index(batch_op.f("ix_advisories_kind"))
        batch_op.drop_index(batch_op.f("ix_advisories_issuer_party_id"))
        batch_op.drop_index(batch_op.f("ix_advisories_checkpoint_id"))

    op.drop_table("advisories")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_verification"))
        batch_op.drop_index(batch_op.f("ix_incidents_status"))
        batch_op.drop_index(batch_op.f("ix_incidents_severity"))
        batch_op.drop_index(batch_op.f("ix_incidents_reporter_party_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_relevant_until"))
        batch_op.drop_index(batch_op.f("ix_incidents_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_incidents_event_type"))

    op.drop_table("incidents")
    with op.batch_alter_table("incident_watches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_watches_party_id"))
        batch_op.drop_index(batch_op.f("ix_incident_watches_active"))

    op.drop_table("incident_watches")
    with op.batch_alter_table("incident_impacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_impacts_target_id"))
        batch_op.drop_index(batch_op.f("ix_incident_impacts_subject_id"))
        batch_op.drop_index(batch_op.f("ix_incident_impacts_cleared_at"))

    op.drop_table("incident_impacts")
