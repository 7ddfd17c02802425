"""signing keys, permit tokens, trust lists, revocations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tansiq.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revocation_deltas",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_revocation_deltas")),
    )
    op.create_table(
        "trust_lists",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("issued_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_trust_lists")),
    )
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("alg", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("private_key_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("valid_from", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_to", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_signing_keys_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_keys")),
        sa.UniqueConstraint("kid", name=op.f("uq_signing_keys_kid")),
    )
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signing_keys_party_id"), ["party_id"], unique=False)

    op.create_table(
        "permit_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("permit_id", sa.Integer(), nullable=False),
        sa.Column("cti", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("required_kids", sa.JSON(), nullable=False),
        sa.Column("signatures", sa.JSON(), nullable=False),
        sa.Column("token", sa.Text(), nullable=True),
        sa.Column("created_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", tansiq.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["permit_id"], ["permits.id"], name=op.f("fk_permit_tokens_permit_id_permits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_tokens")),
        sa.UniqueConstraint("permit_id", name=op.f("uq_permit_tokens_permit_id")),
    )
    with op.batch_alter_table("permit_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_tokens_cti"), ["cti"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("permit_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_tokens_cti"))

    op.drop_table("permit_tokens")
    with op.batch_alter_table("signing_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signing_keys_party_id"))

    op.drop_table("signing_keys")
    op.drop_table("trust_lists")
    op.drop_table("revocation_deltas")
