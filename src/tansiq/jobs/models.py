"""Jobs as stored: background work that must happen survives a restart in this table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base
from tansiq.db.types import StrEnumType
from tansiq.jobs.domain import JobStatus


class JobRecord(Base):
    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_run_at", "status", "run_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_at: Mapped[datetime]
    status: Mapped[JobStatus] = mapped_column(StrEnumType(JobStatus, 10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # While a worker runs the job, nobody else may claim it before this time; a worker that
    # died leaves it behind, and the job becomes claimable again once it has passed.
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
