"""The queries CAP import and export and the public Atom feed need."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from tansiq.incidents.domain import AdvisoryStatus
from tansiq.incidents.models import AdvisoryRecord


class CapRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_cap_identifier(self, identifiers: Sequence[str]) -> Sequence[AdvisoryRecord]:
        """Advisories imported from the CAP messages ``identifiers`` ("sender,identifier")."""
        if not identifiers:
            return []
        return self.session.scalars(
            select(AdvisoryRecord)
            .where(AdvisoryRecord.cap_identifier.in_(identifiers))
            .order_by(AdvisoryRecord.id)
        ).all()

    def public_current(self, at: datetime, limit: int) -> Sequence[AdvisoryRecord]:
        """Public advisories still in force at ``at`` or to come, newest change first."""
        return self.session.scalars(
            _public_current(at)
            .order_by(AdvisoryRecord.updated_at.desc(), AdvisoryRecord.id.desc())
            .limit(limit)
        ).all()

    def public_current_one(self, advisory_id: int, at: datetime) -> AdvisoryRecord | None:
        return self.session.scalars(
            _public_current(at).where(AdvisoryRecord.id == advisory_id)
        ).first()


def _public_current(at: datetime) -> Select[AdvisoryRecord]:
    return select(AdvisoryRecord).where(
        AdvisoryRecord.public.is_(True),
        AdvisoryRecord.status == AdvisoryStatus.ACTIVE,
        AdvisoryRecord.valid_until > at,
    )
