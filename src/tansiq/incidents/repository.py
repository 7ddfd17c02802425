"""Every query of incidents, advisories, watches and impacts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tansiq.deconfliction.models import (
    AffectedPartyRecord,
    NotificationRecord,
    NotificationVersionRecord,
    OccurrenceRecord,
)
from tansiq.incidents.domain import AdvisoryStatus, IncidentStatus, Severity, Verification
from tansiq.incidents.models import (
    AdvisoryRecord,
    CosignRecord,
    ImpactRecord,
    IncidentRecord,
    VerdictRecord,
    WatchRecord,
)
from tansiq.incidents.repository_corridors import active_movements

Box = tuple[float, float, float, float]


class IncidentsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: object) -> None:
        self.session.add(record)

    def flush(self) -> None:
        self.session.flush()

    # --- incidents -----------------------------------------------------------------------------

    def incident(self, incident_id: int) -> IncidentRecord | None:
        return self.session.get(IncidentRecord, incident_id)

    def lock_incident(self, incident_id: int) -> IncidentRecord | None:
        return self.session.scalars(
            select(IncidentRecord).where(IncidentRecord.id == incident_id).with_for_update()
        ).first()

    def incidents(
        self,
        *,
        event_type: str | None = None,
        severity: Severity | None = None,
        verification: Verification | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        current_at: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[IncidentRecord]:
        query = select(IncidentRecord).order_by(
            IncidentRecord.occurred_at.desc(), IncidentRecord.id.desc()
        )
        if event_type is not None:
            query = query.where(IncidentRecord.event_type == event_type)
        if severity is not None:
            query = query.where(IncidentRecord.severity == severity)
        if verification is not None:
            query = query.where(IncidentRecord.verification == verification)
        if since is not None:
            query = query.where(IncidentRecord.occurred_at >= since)
        if until is not None:
            query = query.where(IncidentRecord.occurred_at < until)
        if current_at is not None:
            query = query.where(
                IncidentRecord.status == IncidentStatus.ACTIVE,
                IncidentRecord.relevant_until > current_at,
            )
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def incidents_ending(self, before: datetime) -> Sequence[IncidentRecord]:
        return self.session.scalars(
            select(IncidentRecord).where(
                IncidentRecord.status == IncidentStatus.ACTIVE,
                IncidentRecord.relevant_until <= before,
            )
        ).all()

    def verdicts(self, incident_id: int) -> Sequence[VerdictRecord]:
        return self.session.scalars(
            select(VerdictRecord)
            .where(VerdictRecord.incident_id == incident_id)
            .order_by(VerdictRecord.at, VerdictRecord.id)
        ).all()

    # --- advisories ----------------------------------------------------------------------------

    def advisory(self, advisory_id: int) -> AdvisoryRecord | None:
        return self.session.get(AdvisoryRecord, advisory_id)

    def lock_advisory(self, advisory_id: int) -> AdvisoryRecord | None:
        return self.session.scalars(
            select(AdvisoryRecord).where(AdvisoryRecord.id == advisory_id).with_for_update()
        ).first()

    def advisories(
        self,
        *,
        kind: str | None = None,
        status: AdvisoryStatus | None = None,
        current_at: datetime | None = None,
        box: Box | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> Sequence[AdvisoryRecord]:
        query = select(AdvisoryRecord).order_by(
            AdvisoryRecord.valid_from.desc(), AdvisoryRecord.id.desc()
        )
        if kind is not None:
            query = query.where(AdvisoryRecord.kind == kind)
        if status is not None:
            query = query.where(AdvisoryRecord.status == status)
        if current_at is not None:
            query = query.where(
                AdvisoryRecord.status == AdvisoryStatus.ACTIVE,
                AdvisoryRecord.valid_from <= current_at,
                AdvisoryRecord.valid_until > current_at,
            )
        if box is not None:
            query = query.where(
                AdvisoryRecord.max_lon >= box[0],
                AdvisoryRecord.max_lat >= box[1],
                AdvisoryRecord.min_lon <= box[2],
                AdvisoryRecord.min_lat <= box[3],
            )
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def advisories_ending(self, before: datetime) -> Sequence[AdvisoryRecord]:
        return self.session.scalars(
            select(AdvisoryRecord).where(
                AdvisoryRecord.status == AdvisoryStatus.ACTIVE,
                AdvisoryRecord.valid_until <= before,
            )
        ).all()

    def active_checkpoint_closures(self, checkpoint_id: int) -> Sequence[AdvisoryRecord]:
        return self.session.scalars(
            select(AdvisoryRecord).where(
                AdvisoryRecord.checkpoint_id == checkpoint_id,
                AdvisoryRecord.status == AdvisoryStatus.ACTIVE,
            )
        ).all()

    def cosigns(self, advisory_id: int) -> Sequence[CosignRecord]:
        return self.session.scalars(
            select(CosignRecord)
            .where(CosignRecord.advisory_id == advisory_id)
            .order_by(CosignRecord.at, CosignRecord.id)
        ).all()

    # --- watches -------------------------------------------------------------------------------

    def watch(self, watch_id: int) -> WatchRecord | None:
        return self.session.get(WatchRecord, watch_id)

    def watches_of(self, party_id: int) -> Sequence[WatchRecord]:
        return self.session.scalars(
            select(WatchRecord)
            .where(WatchRecord.party_id == party_id)
            .order_by(WatchRecord.active.desc(), WatchRecord.id)
        ).all()

    def watches_near(self, box: Box) -> Sequence[WatchRecord]:
        """Active watches whose box meets ``box`` (degrees, already grown by the reaches)."""
        return self.session.scalars(
            select(WatchRecord).where(
                WatchRecord.active.is_(True),
                WatchRecord.max_lon >= box[0],
                WatchRecord.max_lat >= box[1],
                WatchRecord.min_lon <= box[2],
                WatchRecord.min_lat <= box[3],
            )
        ).all()

    # --- what deconfliction stores, read in bulk for impact -----------------------------------

    def reached_parties(self, version_ids: Sequence[int]) -> dict[int, list[int]]:
        """Version id → the parties it reached, in one query (not one per movement)."""
        found: dict[int, list[int]] = {v: [] for v in version_ids}
        if not version_ids:
            return found
        rows = self.session.execute(
            select(AffectedPartyRecord.version_id, AffectedPartyRecord.party_id)
            .where(AffectedPartyRecord.version_id.in_(version_ids))
            .order_by(AffectedPartyRecord.party_id)
        ).all()
        for version_id, party_id in rows:
            found[version_id].append(party_id)
        return found

    def movements_near(
        self, start: datetime, end: datetime, box: Box
    ) -> list[tuple[int, int, int, float, bytes, list[tuple[datetime, datetime]]]]:
        """Active movements counting in ``[start, end)`` whose grown box meets ``box``: (id,
        notifier, current version id, width, WKB, occurrences), as plain rows. Deconfliction's
        ``active_between`` asks the same, as ORM entities; impact runs inside a request over
        many of them, and building entities it never changes was half its time."""
        rows = self.session.execute(
            active_movements().where(
                NotificationRecord.active_until > start,
                NotificationRecord.active_from < end,
                NotificationVersionRecord.max_lon >= box[0],
                NotificationVersionRecord.max_lat >= box[1],
                NotificationVersionRecord.min_lon <= box[2],
                NotificationVersionRecord.min_lat <= box[3],
            )
        ).all()
        spans: dict[int, list[tuple[datetime, datetime]]] = {row[2]: [] for row in rows}
        if spans:
            for version_id, starts_at, ends_at in self.session.execute(
                select(
                    OccurrenceRecord.version_id,
                    OccurrenceRecord.starts_at,
                    OccurrenceRecord.ends_at,
                )
                .where(OccurrenceRecord.version_id.in_(list(spans)))
                .order_by(OccurrenceRecord.starts_at)
            ).all():
                spans[version_id].append((starts_at, ends_at))
        return [(n, party, v, width, wkb, spans[v]) for n, party, v, width, wkb in rows]

    # --- impacts -------------------------------------------------------------------------------

    def impacts_of_hazard(self, hazard_kind: str, hazard_id: int) -> Sequence[ImpactRecord]:
        return self.session.scalars(
            select(ImpactRecord)
            .where(ImpactRecord.hazard_kind == hazard_kind, ImpactRecord.hazard_id == hazard_id)
            .order_by(ImpactRecord.id)
        ).all()

    def impacts_on(
        self, target_kind: str, *, target_id: int | None = None, subject_id: int | None = None
    ) -> Sequence[ImpactRecord]:
        query = select(ImpactRecord).where(ImpactRecord.target_kind == target_kind)
        if target_id is not None:
            query = query.where(ImpactRecord.target_id == target_id)
        if subject_id is not None:
            query = query.where(ImpactRecord.subject_id == subject_id)
        return self.session.scalars(query.order_by(ImpactRecord.found_at.desc())).all()

    def clear_impacts(self, hazard_kind: str, hazard_id: int, at: datetime) -> None:
        self.session.execute(
            update(ImpactRecord)
            .where(
                ImpactRecord.hazard_kind == hazard_kind,
                ImpactRecord.hazard_id == hazard_id,
                ImpactRecord.cleared_at.is_(None),
            )
            .values(cleared_at=at)
        )
