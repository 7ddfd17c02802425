"""transition reasons rendered per reader

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("application_transitions", schema=None) as batch_op:
        # Existing rows get no parameters; their reason text shows as it was written.
        batch_op.add_column(
            sa.Column("reason_params", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("application_transitions", schema=None) as batch_op:
        batch_op.drop_column("reason_params")
