"""Alembic environment: runs on the engine the caller hands over (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

import tansiq.accountability.models
import tansiq.checkpoints.models
import tansiq.clearances.models
import tansiq.deconfliction.models
import tansiq.geo.models
import tansiq.incidents.models
import tansiq.jobs.models
import tansiq.ledger.models
import tansiq.notify.models
import tansiq.parties.models
import tansiq.permits.models
import tansiq.tallies.models  # noqa: F401 - registers the tables on the metadata
from tansiq.db.base import Base
from tansiq.db.engine import WRITE_OPTION

config = context.config
engine = config.attributes["engine"]

# Several hub processes may start at once, each bringing the database up to date: one
# migrates while the others wait, then find it current. On SQLite the write lock is taken
# at BEGIN; on PostgreSQL a transaction-level advisory lock does it, released at commit.
MIGRATION_LOCK = 0x7A15_0001

with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        # One transaction for the whole run, on SQLite too (it has transactional DDL): if each
        # migration committed on its own, a second process could take the write lock between
        # two of them and run, from its stale view, a migration the first one already ran.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
    connection.commit()
