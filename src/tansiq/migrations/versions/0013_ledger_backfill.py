"""back-fill the ledger with the history that predates it

Every row the ledger now records (parties, users and roles, signing keys, trust lists,
revocation deltas, permits, application versions, review decisions, checkpoint devices,
scans, contradictions and suspected clones) that has no entry yet gets one, derived from the
row exactly as the hub derives it when it records the change. The entries are appended in a
stated order: by the row's time, then the entry's kind, then its subject. Idempotent: what is
already recorded is not recorded again, so a second run adds nothing.

The sources read only the columns they name, so this keeps working when later migrations add
columns to those tables; the application transitions' source, which reads a column that
0021 adds, is left to that migration. Nothing to undo on downgrade: an entry once on the ledger
stays there.

Revision ID: 0013_ledger_backfill
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.orm import Session

from tansiq.clearances.ledger_facts import TRANSITIONS
from tansiq.ledger.service import backfill_ledger
from tansiq.ledger_check.sources import ledger_sources

revision = "0013_ledger_backfill"
down_revision = "0012_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    session = Session(bind=op.get_bind())
    backfill_ledger(session, [s for s in ledger_sources() if s.name != TRANSITIONS])
    session.flush()


def downgrade() -> None:
    """The back-filled entries stay: a ledger is only ever appended to."""
