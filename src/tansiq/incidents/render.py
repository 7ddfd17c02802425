"""Stored incidents, advisories, watches and impacts as the API shows them: parties by name,
never a user; labels in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tansiq.core.i18n import Locale, translate
from tansiq.core.schemas import Name
from tansiq.geo.repository import GeoRepository
from tansiq.incidents.domain import ADVISORY_KIND_LABELS, EVENT_TYPE_LABELS, SUB_TYPE_LABELS
from tansiq.incidents.impact import ADVISORY, INCIDENT, hazard_reference
from tansiq.incidents.models import AdvisoryRecord, ImpactRecord, IncidentRecord, WatchRecord
from tansiq.incidents.repository import IncidentsRepository
from tansiq.incidents.schemas import (
    AdvisoryOut,
    CosignOut,
    ImpactOut,
    IncidentOut,
    VerdictOut,
    WatchOut,
)
from tansiq.parties.directory import parties_by_ids


def _names(session: Session, ids: Sequence[int]) -> dict[int, Name]:
    return {p.id: Name.pair(p.name_ar, p.name_en) for p in parties_by_ids(session, ids).values()}


UNKNOWN = Name.pair("", "")


def incident_out(session: Session, incident: IncidentRecord, locale: Locale) -> IncidentOut:
    return incidents_out(session, [incident], locale)[0]


def incidents_out(
    session: Session, incidents: Sequence[IncidentRecord], locale: Locale
) -> list[IncidentOut]:
    repo = IncidentsRepository(session)
    verdicts = {i.id: repo.verdicts(i.id) for i in incidents}
    ids = [i.reporter_party_id for i in incidents]
    ids += [v.party_id for found in verdicts.values() for v in found]
    names = _names(session, ids)
    return [
        IncidentOut(
            id=i.id,
            reference=hazard_reference(INCIDENT, i.id),
            event_type=i.event_type,
            event_type_label=translate(EVENT_TYPE_LABELS[i.event_type], locale),
            sub_type=i.sub_type,
            sub_type_label=translate(SUB_TYPE_LABELS[i.sub_type], locale),
            occurred_at=i.occurred_at,
            time_precision=i.time_precision,
            relevant_until=i.relevant_until,
            location=i.geometry,
            location_precision=i.location_precision,
            description=i.description,
            confidence=i.confidence,
            severity=i.severity,
            verification=i.verification,
            status=i.status,
            reporting_party=names.get(i.reporter_party_id, UNKNOWN),
            verdicts=[
                VerdictOut(
                    party=names.get(v.party_id, UNKNOWN), verdict=v.verdict, note=v.note, at=v.at
                )
                for v in verdicts[i.id]
            ],
            created_at=i.created_at,
        )
        for i in incidents
    ]


def advisory_out(session: Session, advisory: AdvisoryRecord, locale: Locale) -> AdvisoryOut:
    return advisories_out(session, [advisory], locale)[0]


def advisories_out(
    session: Session, advisories: Sequence[AdvisoryRecord], locale: Locale
) -> list[AdvisoryOut]:
    repo, geo = IncidentsRepository(session), GeoRepository(session)
    cosigns = {a.id: repo.cosigns(a.id) for a in advisories}
    ids = [a.issuer_party_id for a in advisories]
    ids += [c.party_id for found in cosigns.values() for c in found]
    names = _names(session, ids)
    codes = {}
    for a in advisories:
        if a.checkpoint_id is not None and a.checkpoint_id not in codes:
            checkpoint = geo.checkpoint(a.checkpoint_id)
            codes[a.checkpoint_id] = None if checkpoint is None else checkpoint.code
    return [
        AdvisoryOut(
            id=a.id,
            reference=hazard_reference(ADVISORY, a.id),
            kind=a.kind,
            kind_label=translate(ADVISORY_KIND_LABELS[a.kind], locale),
            checkpoint=None if a.checkpoint_id is None else codes.get(a.checkpoint_id),
            geometry=a.geometry,
            valid_from=a.valid_from,
            valid_until=a.valid_until,
            severity=a.severity,
            description=a.description,
            status=a.status,
            issuing_party=names.get(a.issuer_party_id, UNKNOWN),
            cosigned_by=[
                CosignOut(party=names.get(c.party_id, UNKNOWN), at=c.at) for c in cosigns[a.id]
            ],
            incident=a.incident_id,
            created_at=a.created_at,
            ended_at=a.ended_at,
            end_note=a.end_note,
        )
        for a in advisories
    ]


def watch_out(watch: WatchRecord) -> WatchOut:
    return WatchOut(
        id=watch.id,
        name=watch.name,
        geometry=watch.geometry,
        reach_m=watch.reach_m,
        active=watch.active,
        created_at=watch.created_at,
    )


def impact_out(impact: ImpactRecord) -> ImpactOut:
    return ImpactOut(
        hazard=f"{impact.hazard_kind}:{impact.hazard_id}",
        hazard_kind=impact.hazard_kind,
        hazard_id=impact.hazard_id,
        target_kind=impact.target_kind,
        target_id=impact.target_id,
        subject_id=impact.subject_id,
        distance_m=impact.distance_m,
        route_affected=impact.route_affected,
        found_at=impact.found_at,
        cleared_at=impact.cleared_at,
    )
