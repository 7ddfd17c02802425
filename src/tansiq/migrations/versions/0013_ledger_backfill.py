"""back-fill the ledger with the history that predates it

Every row the ledger now records (parties, users and roles, signing keys, trust lists,
revocation deltas, permits, application versions, review decisions, checkpoint devices,
scans, contradictions and suspected clones) that has no entry yet gets one, derived from the
row exactly as the hub derives it when it records the change. The entries are appended in a
stated order: by the row's time, then the entry's kind, then its subject. Idempotent: what is
already recorded is not recorded again, so a second run adds nothing.

The sources read only the columns they name, so this keeps working when later migrations add
columns to those tables; the sources added later (application transitions, which read a
column that 0021 adds, and deconfliction's, whose tables 0015 makes) are left out. Nothing to
undo on downgrade: an entry once on the ledger stays there.

Revision ID: 0013_ledger_backfill
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op
from sqlalchemy.orm import Session

from tansiq.ledger.service import backfill_ledger
from tansiq.ledger_check.sources import ledger_sources

revision = "0013_ledger_backfill"
down_revision = "0012_figures"
branch_labels = None
depends_on = None

# The sources whose rows existed when this ran first: later ones read tables or columns that
# later migrations add, and back-fill (or never needed back-filling) there.
SOURCES = frozenset({
    "parties", "users and roles", "permits", "signing keys", "trust lists", "revocations",
    "application versions", "review decisions", "devices", "scans", "contradictions",
    "suspected clones",
})  # fmt: skip


def upgrade() -> None:
    session = Session(bind=op.get_bind())
    backfill_ledger(session, [s for s in ledger_sources() if s.name in SOURCES])
    session.flush()


def downgrade() -> None:
    """The back-filled entries stay: a ledger is only ever appended to."""
