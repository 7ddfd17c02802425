"""The read side of incidents and advisories for pages and devices: one shape for both kinds
(``Hazard``), the filtered lists, what lies near a place and counts now (what a checkpoint's
devices carry), and the alerts on a permit, an application, a movement or a watch, shown only
to the parties that were told of them (``access.can_see_impact``)."""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import shapely
from sqlalchemy.orm import Session

from tansiq.core.clock import ensure_utc
from tansiq.core.projection import project, utm_epsg
from tansiq.geo.repository import GeoRepository
from tansiq.incidents import access, queries, service
from tansiq.incidents.domain import AdvisoryKind, AdvisoryStatus, EventType, Severity, Verification
from tansiq.incidents.models import (
    AdvisoryRecord,
    CosignRecord,
    ImpactRecord,
    IncidentRecord,
    VerdictRecord,
    WatchRecord,
)
from tansiq.incidents.repository import IncidentsRepository
from tansiq.incidents.repository_views import IncidentViewsRepository
from tansiq.incidents.shapes import grown_box
from tansiq.parties import access as party_access
from tansiq.parties.domain import Principal

INCIDENT, ADVISORY = "incident", "advisory"
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
MOST = 200


@dataclass(frozen=True)
class Hazard:
    """An incident or an advisory as pages and devices show it."""

    kind: str
    id: int
    type: str  # the incident's event type, or the advisory's kind
    sub_type: str | None
    severity: Severity
    state: str  # the incident's verification, or the advisory's status
    start: datetime
    end: datetime
    description: str
    party_id: int
    geometry: dict[str, Any]
    checkpoint_id: int | None = None

    @property
    def reference(self) -> str:
        return f"{'INC' if self.kind == INCIDENT else 'ADV'}-{self.id}"

    @property
    def url(self) -> str:
        return f"/{'incidents' if self.kind == INCIDENT else 'advisories'}/{self.id}"

    @property
    def shape(self) -> shapely.Geometry:
        return shapely.geometry.shape(self.geometry)


def hazard_of(record: IncidentRecord | AdvisoryRecord) -> Hazard:
    if isinstance(record, IncidentRecord):
        return Hazard(
            kind=INCIDENT,
            id=record.id,
            type=record.event_type.value,
            sub_type=record.sub_type.value,
            severity=record.severity,
            state=record.verification.value,
            start=ensure_utc(record.occurred_at),
            end=ensure_utc(record.relevant_until),
            description=record.description,
            party_id=record.reporter_party_id,
            geometry=record.geometry,
        )
    return Hazard(
        kind=ADVISORY,
        id=record.id,
        type=record.kind.value,
        sub_type=None,
        severity=record.severity,
        state=record.status.value,
        start=ensure_utc(record.valid_from),
        end=ensure_utc(record.ended_at or record.valid_until),
        description=record.description,
        party_id=record.issuer_party_id,
        geometry=record.geometry,
        checkpoint_id=record.checkpoint_id,
    )


@dataclass(frozen=True)
class Filters:
    """What the list asks for; each ``None`` or empty is "any"."""

    type: str | None = None
    severity: Severity | None = None
    verification: Verification | None = None
    period: str = "current"
    shown: str = "all"

    @classmethod
    def parse(cls, **given: str) -> Filters:
        """From a page's query: unknown values are "any", never an error."""
        kind = given.get("type", "")
        types = {t.value for t in EventType} | {k.value for k in AdvisoryKind}
        severity = given.get("severity", "")
        verification = given.get("verification", "")
        period = given.get("period", "")
        shown = given.get("shown", "")
        return cls(
            type=kind if kind in types else None,
            severity=Severity(severity) if severity in {v.value for v in Severity} else None,
            verification=Verification(verification)
            if verification in {v.value for v in Verification}
            else None,
            period=period if period in (*PERIODS, "current") else "current",
            shown=shown if shown in ("incidents", "advisories") else "all",
        )


def listing(
    session: Session, principal: Principal, filters: Filters, now: datetime
) -> list[Hazard]:
    """Incidents and advisories matching ``filters``, the latest first (at most ``MOST``)."""
    since = None if filters.period == "current" else now - PERIODS[filters.period]
    found: list[Hazard] = []
    incident_types = {t.value for t in EventType}
    advisory_kinds = {k.value for k in AdvisoryKind}
    if filters.shown != "advisories" and (filters.type is None or filters.type in incident_types):
        found += [
            hazard_of(r)
            for r in queries.incidents(
                session,
                principal,
                event_type=None if filters.type is None else EventType(filters.type),
                severity=filters.severity,
                verification=filters.verification,
                since=since,
                current_at=now if since is None else None,
                limit=MOST,
            )
        ]
    wants_advisories = filters.verification is None and (
        filters.type is None or filters.type in advisory_kinds
    )
    if filters.shown != "incidents" and wants_advisories:
        records = queries.advisories(
            session,
            principal,
            kind=None if filters.type is None else AdvisoryKind(filters.type),
            current_at=now if since is None else None,
            limit=MOST,
        )
        found += [
            hazard_of(r)
            for r in records
            if (filters.severity is None or r.severity is filters.severity)
            and (since is None or ensure_utc(r.ended_at or r.valid_until) > since)
        ]
    found.sort(key=lambda h: (h.start, h.id), reverse=True)
    return found[:MOST]


def hazard(session: Session, principal: Principal, kind: str, hazard_id: int) -> Hazard | None:
    """One incident or advisory, for every signed-in member (``None``: there is none)."""
    party_access.require(access.can_see(principal))
    repo = IncidentsRepository(session)
    record = repo.incident(hazard_id) if kind == INCIDENT else repo.advisory(hazard_id)
    return None if record is None else hazard_of(record)


@dataclass(frozen=True)
class Near:
    hazard: Hazard
    distance_m: float


def near(
    session: Session, lon: float, lat: float, radius_m: float, at: datetime, limit: int = MOST
) -> list[Near]:
    """What counts at ``at`` (refuted incidents left out) within ``radius_m`` of a place,
    nearest first. For a checkpoint's devices: no principal, the device's checkpoint decides."""
    point = shapely.Point(lon, lat)
    box = grown_box(point, radius_m)
    views = IncidentViewsRepository(session)
    records: list[IncidentRecord | AdvisoryRecord] = [
        *views.current_incidents_in(box, at, limit),
        *views.current_advisories_in(box, at, limit),
    ]
    epsg = utm_epsg(lon, lat)
    here = project(point, epsg)
    found = []
    for record in records:
        distance = float(here.distance(project(shapely.from_wkb(record.shape_wkb), epsg)))
        if distance <= radius_m and math.isfinite(distance):
            found.append(Near(hazard_of(record), distance))
    found.sort(key=lambda n: (n.distance_m, n.hazard.reference))
    return found[:limit]


@dataclass(frozen=True)
class Alert:
    """An impact still holding, with the hazard behind it."""

    impact: ImpactRecord
    hazard: Hazard


def _alerts(session: Session, impacts: Sequence[ImpactRecord]) -> list[Alert]:
    views = IncidentViewsRepository(session)
    incidents = views.incidents_by_ids({i.hazard_id for i in impacts if i.hazard_kind == INCIDENT})
    advisories = views.advisories_by_ids(
        {i.hazard_id for i in impacts if i.hazard_kind == ADVISORY}
    )
    found = []
    for impact in impacts:
        record = (incidents if impact.hazard_kind == INCIDENT else advisories).get(impact.hazard_id)
        if record is not None:
            found.append(Alert(impact, hazard_of(record)))
    return found


def route_alerts(session: Session, subject_ids: Collection[int]) -> dict[int, list[Alert]]:
    """The alerts holding on the permits of many applications (``subject_ids``), by
    application. For a checkpoint's devices: the permits expected there."""
    impacts = IncidentViewsRepository(session).open_impacts_on("permit", subject_ids=subject_ids)
    found: dict[int, list[Alert]] = {}
    for alert in _alerts(session, impacts):
        found.setdefault(alert.impact.subject_id, []).append(alert)
    return found


def alerts_on(
    session: Session, principal: Principal, target_kind: str, subject_id: int
) -> list[Alert]:
    """The alerts still holding on an application's permits (``subject_id``: the
    application), a movement (its notification) or a watch of the reader's party, as far as
    ``principal``'s party was told of them (the incidents' queries answer need-to-know)."""
    if target_kind == "permit":
        impacts = queries.alerts_for_application(session, principal, subject_id)
    elif target_kind == "movement":
        impacts = queries.alerts_for_movement(session, principal, subject_id)
    else:
        watch = service.own_watch(session, principal, subject_id)
        impacts = queries.alerts_for_watch(session, principal, watch)
    return _alerts(session, impacts)


def permit_alerts(
    session: Session, principal: Principal, permit_ids: Collection[int]
) -> dict[int, bool]:
    """For each of many permits with an alert holding that ``principal``'s party was told of:
    whether one closes its route (one query; a list of permits shows it)."""
    found: dict[int, bool] = {}
    views = IncidentViewsRepository(session)
    for impact in views.open_impacts_on("permit", target_ids=permit_ids):
        if access.can_see_impact(principal, impact.party_ids):
            found[impact.target_id] = found.get(impact.target_id, False) or impact.route_affected
    return found


def checkpoint_codes(session: Session, ids: Collection[int]) -> dict[int, str]:
    """The codes of the checkpoints closure advisories name."""
    geo = GeoRepository(session)
    found = {}
    for checkpoint_id in ids:
        record = geo.checkpoint(checkpoint_id)
        if record is not None:
            found[checkpoint_id] = record.code
    return found


def verdicts(session: Session, incident_id: int) -> Sequence[VerdictRecord]:
    """Other parties' verdicts on an incident, oldest first (every member may see them)."""
    return IncidentsRepository(session).verdicts(incident_id)


def cosigns(session: Session, advisory_id: int) -> Sequence[CosignRecord]:
    return IncidentsRepository(session).cosigns(advisory_id)


def watches(session: Session, principal: Principal) -> Sequence[WatchRecord]:
    """The watches of ``principal``'s party, the active first."""
    return queries.watches(session, principal)


def in_force(hazard: Hazard, now: datetime) -> bool:
    if hazard.kind == ADVISORY:
        return hazard.state == AdvisoryStatus.ACTIVE.value and hazard.start <= now < hazard.end
    return hazard.state != Verification.REFUTED.value and hazard.start <= now < hazard.end
