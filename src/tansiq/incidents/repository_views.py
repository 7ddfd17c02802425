"""The read queries of the incidents' pages and of the checkpoint devices' feed: what lies in a
box and counts now, and the impacts on many permits at once (one query, not one per permit)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.incidents.domain import AdvisoryStatus, IncidentStatus, Verification
from tansiq.incidents.models import AdvisoryRecord, ImpactRecord, IncidentRecord

Box = tuple[float, float, float, float]


class IncidentViewsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def current_incidents_in(self, box: Box, at: datetime, limit: int) -> Sequence[IncidentRecord]:
        """Incidents still counting at ``at`` whose box meets ``box``, refuted ones left out,
        the latest first."""
        return self.session.scalars(
            select(IncidentRecord)
            .where(
                IncidentRecord.status == IncidentStatus.ACTIVE,
                IncidentRecord.occurred_at <= at,
                IncidentRecord.relevant_until > at,
                IncidentRecord.verification != Verification.REFUTED,
                IncidentRecord.max_lon >= box[0],
                IncidentRecord.max_lat >= box[1],
                IncidentRecord.min_lon <= box[2],
                IncidentRecord.min_lat <= box[3],
            )
            .order_by(IncidentRecord.occurred_at.desc(), IncidentRecord.id.desc())
            .limit(limit)
        ).all()

    def current_advisories_in(self, box: Box, at: datetime, limit: int) -> Sequence[AdvisoryRecord]:
        """Advisories in force at ``at`` (or due within the window a device holds them for)
        whose box meets ``box``."""
        return self.session.scalars(
            select(AdvisoryRecord)
            .where(
                AdvisoryRecord.status == AdvisoryStatus.ACTIVE,
                AdvisoryRecord.valid_until > at,
                AdvisoryRecord.max_lon >= box[0],
                AdvisoryRecord.max_lat >= box[1],
                AdvisoryRecord.min_lon <= box[2],
                AdvisoryRecord.min_lat <= box[3],
            )
            .order_by(AdvisoryRecord.valid_from.desc(), AdvisoryRecord.id.desc())
            .limit(limit)
        ).all()

    def open_impacts_on(
        self,
        target_kind: str,
        *,
        target_ids: Collection[int] = (),
        subject_ids: Collection[int] = (),
    ) -> Sequence[ImpactRecord]:
        """The impacts still holding on any of ``target_ids`` or of ``subject_ids``."""
        if not target_ids and not subject_ids:
            return []
        which = (
            ImpactRecord.target_id.in_(sorted(target_ids))
            if target_ids
            else ImpactRecord.subject_id.in_(sorted(subject_ids))
        )
        return self.session.scalars(
            select(ImpactRecord)
            .where(
                ImpactRecord.target_kind == target_kind, which, ImpactRecord.cleared_at.is_(None)
            )
            .order_by(ImpactRecord.found_at.desc(), ImpactRecord.id.desc())
        ).all()

    def incidents_by_ids(self, ids: Collection[int]) -> dict[int, IncidentRecord]:
        if not ids:
            return {}
        rows = self.session.scalars(
            select(IncidentRecord).where(IncidentRecord.id.in_(sorted(ids)))
        )
        return {row.id: row for row in rows}

    def advisories_by_ids(self, ids: Collection[int]) -> dict[int, AdvisoryRecord]:
        if not ids:
            return {}
        rows = self.session.scalars(
            select(AdvisoryRecord).where(AdvisoryRecord.id.in_(sorted(ids)))
        )
        return {row.id: row for row in rows}
