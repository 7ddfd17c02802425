"""What pages and the API read: current incidents and advisories with filters, and the alerts
on a permit, an application, a movement or a watch, each only for those who may see it.

The alerts functions are what other features' pages call (a permit's page, an application's,
a movement's through incidents' own fragment): they answer need-to-know themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from tansiq.incidents import access
from tansiq.incidents.domain import AdvisoryKind, AdvisoryStatus, EventType, Severity, Verification
from tansiq.incidents.models import AdvisoryRecord, ImpactRecord, IncidentRecord, WatchRecord
from tansiq.incidents.repository import IncidentsRepository
from tansiq.parties import access as party_access
from tansiq.parties.domain import Principal


def incidents(
    session: Session,
    principal: Principal,
    *,
    event_type: EventType | None = None,
    severity: Severity | None = None,
    verification: Verification | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    current_at: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[IncidentRecord]:
    party_access.require(access.can_see(principal))
    return IncidentsRepository(session).incidents(
        event_type=None if event_type is None else event_type.value,
        severity=severity,
        verification=verification,
        since=since,
        until=until,
        current_at=current_at,
        limit=limit,
        offset=offset,
    )


def advisories(
    session: Session,
    principal: Principal,
    *,
    kind: AdvisoryKind | None = None,
    status: AdvisoryStatus | None = None,
    current_at: datetime | None = None,
    box: tuple[float, float, float, float] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[AdvisoryRecord]:
    """Advisories; ``current_at`` keeps those in force then, ``box`` those near it."""
    party_access.require(access.can_see(principal))
    return IncidentsRepository(session).advisories(
        kind=None if kind is None else kind.value,
        status=status,
        current_at=current_at,
        box=box,
        limit=limit,
        offset=offset,
    )


def current_advisories_near(
    session: Session, box: tuple[float, float, float, float], at: datetime
) -> Sequence[AdvisoryRecord]:
    """For a device's pull (the checkpoint is the caller, not a user): advisories in force at
    ``at`` whose box meets ``box``."""
    return IncidentsRepository(session).advisories(current_at=at, box=box, limit=500)


def _visible(principal: Principal, impacts: Sequence[ImpactRecord]) -> list[ImpactRecord]:
    return [i for i in impacts if access.can_see_impact(principal, i.party_ids)]


def alerts_for_permit(
    session: Session, principal: Principal, permit_id: int, *, current: bool = True
) -> list[ImpactRecord]:
    """The incidents and advisories touching one permit version (``route_affected`` on the
    ones that close its route), newest first; only those still holding unless ``current``."""
    found = IncidentsRepository(session).impacts_on("permit", target_id=permit_id)
    return _visible(principal, [i for i in found if not current or i.cleared_at is None])


def alerts_for_application(
    session: Session, principal: Principal, application_id: int, *, current: bool = True
) -> list[ImpactRecord]:
    """As :func:`alerts_for_permit`, over every permit version of one application."""
    found = IncidentsRepository(session).impacts_on("permit", subject_id=application_id)
    return _visible(principal, [i for i in found if not current or i.cleared_at is None])


def alerts_for_movement(
    session: Session, principal: Principal, notification_id: int, *, current: bool = True
) -> list[ImpactRecord]:
    found = IncidentsRepository(session).impacts_on("movement", target_id=notification_id)
    return _visible(principal, [i for i in found if not current or i.cleared_at is None])


def alerts_for_watch(
    session: Session, principal: Principal, watch: WatchRecord, *, current: bool = True
) -> list[ImpactRecord]:
    found = IncidentsRepository(session).impacts_on("watch", target_id=watch.id)
    return _visible(principal, [i for i in found if not current or i.cleared_at is None])


def impacts_of(
    session: Session, principal: Principal, hazard_kind: str, hazard_id: int
) -> list[ImpactRecord]:
    """What one incident or advisory touched, as far as the reader was told of it."""
    return _visible(
        principal, IncidentsRepository(session).impacts_of_hazard(hazard_kind, hazard_id)
    )


def watches(session: Session, principal: Principal) -> Sequence[WatchRecord]:
    party_access.require(access.can_watch(principal))
    return IncidentsRepository(session).watches_of(principal.party_id)
