"""Alembic environment: runs on the engine the caller hands over (SQLite or PostgreSQL)."""

from __future__ import annotations

from alembic import context

import tansiq.checkpoints.models
import tansiq.clearances.models
import tansiq.geo.models
import tansiq.jobs.models
import tansiq.ledger.models
import tansiq.notify.models
import tansiq.parties.models
import tansiq.permits.models  # noqa: F401 - registers the tables on the metadata
from tansiq.db.base import Base

config = context.config
engine = config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
