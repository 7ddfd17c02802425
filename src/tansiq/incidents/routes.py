"""HTTP API for incidents, advisories and watches: parse → service → render.

Incidents and advisories are seen by every signed-in member (safety information is shared on
purpose), with the reporting or issuing party, never its user. Impacts and watches are seen by
the parties they concern.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import AwareDatetime

from tansiq.context import HubContext
from tansiq.incidents import cap_service, queries, service
from tansiq.incidents.cap_model import CAP_MEDIA_TYPE
from tansiq.incidents.domain import (
    AdvisoryKind,
    AdvisoryStatus,
    EventType,
    Severity,
    Verdict,
    Verification,
)
from tansiq.incidents.env import IncidentsEnv, env_of
from tansiq.incidents.impact import ADVISORY, INCIDENT
from tansiq.incidents.media import preferred
from tansiq.incidents.render import (
    advisories_out,
    advisory_out,
    impact_out,
    incident_out,
    incidents_out,
    watch_out,
)
from tansiq.incidents.schemas import (
    AdvisoryIn,
    AdvisoryOut,
    ImpactOut,
    IncidentIn,
    IncidentOut,
    VerdictIn,
    WatchIn,
    WatchOut,
    WindowIn,
    WithdrawIn,
)
from tansiq.parties.deps import CurrentPrincipal
from tansiq.web.deps import DbSession, Hub, RecordId, RequestLocale
from tansiq.web.openapi import error_responses

JSON_MEDIA_TYPE = "application/json"

incidents_router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"])
advisories_router = APIRouter(prefix="/api/v1/advisories", tags=["incidents"])
watches_router = APIRouter(prefix="/api/v1/watches", tags=["incidents"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


def env(hub: HubContext) -> IncidentsEnv:
    return env_of(hub.settings, hub.clock, hub.caches)


@incidents_router.post("", status_code=status.HTTP_201_CREATED)
def report_incident(
    body: IncidentIn, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> IncidentOut:
    """Report an incident (a liaison officer, checkpoint officer or admin of an authority,
    the municipality or an organisation). Every active permit, movement and watch it touches
    is alerted at once; a touched movement is to be acknowledged again."""
    incident = service.record_incident(session, me, body, env(hub))
    return incident_out(session, incident, locale)


@incidents_router.get("")
def list_incidents(
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
    event_type: EventType | None = None,
    severity: Severity | None = None,
    verification: Verification | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    current: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[IncidentOut]:
    """Incidents, newest first; ``current`` keeps those still relevant now."""
    found = queries.incidents(
        session,
        me,
        event_type=event_type,
        severity=severity,
        verification=verification,
        since=since,
        until=until,
        current_at=hub.clock.now() if current else None,
        limit=limit,
        offset=offset,
    )
    return incidents_out(session, found, locale)


@incidents_router.get("/{incident_id}")
def get_incident(
    incident_id: RecordId, session: DbSession, me: CurrentPrincipal, locale: RequestLocale
) -> IncidentOut:
    return incident_out(session, service.visible_incident(session, me, incident_id), locale)


@incidents_router.get("/{incident_id}/impacts")
def list_incident_impacts(
    incident_id: RecordId, session: DbSession, me: CurrentPrincipal
) -> list[ImpactOut]:
    """What the incident touched, as far as your party was told of it."""
    service.visible_incident(session, me, incident_id)
    return [impact_out(i) for i in queries.impacts_of(session, me, INCIDENT, incident_id)]


@incidents_router.post("/{incident_id}/corroboration")
def corroborate_incident(
    incident_id: RecordId,
    body: VerdictIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> IncidentOut:
    """Another party confirms the incident (once per party; never the reporter's own)."""
    incident = service.judge_incident(
        session, me, incident_id, Verdict.CORROBORATE, body.note, hub.clock
    )
    return incident_out(session, incident, locale)


@incidents_router.post("/{incident_id}/refutation")
def refute_incident(
    incident_id: RecordId,
    body: VerdictIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> IncidentOut:
    """Another party says the incident did not happen as reported."""
    incident = service.judge_incident(
        session, me, incident_id, Verdict.REFUTE, body.note, hub.clock
    )
    return incident_out(session, incident, locale)


@advisories_router.post("", status_code=status.HTTP_201_CREATED)
def issue_advisory(
    body: AdvisoryIn, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> AdvisoryOut:
    """Issue an advisory: a road closed, a checkpoint closed (which closes the checkpoint
    until the advisory ends) or an area unsafe. Everything it touches is alerted at once."""
    advisory = service.issue_advisory(session, me, body, env(hub))
    return advisory_out(session, advisory, locale)


@advisories_router.get("")
def list_advisories(
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
    kind: AdvisoryKind | None = None,
    state: Annotated[AdvisoryStatus | None, Query(alias="status")] = None,
    current: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[AdvisoryOut]:
    """Advisories, newest first; ``current`` keeps those in force now."""
    found = queries.advisories(
        session,
        me,
        kind=kind,
        status=state,
        current_at=hub.clock.now() if current else None,
        limit=limit,
        offset=offset,
    )
    return advisories_out(session, found, locale)


@advisories_router.get(
    "/{advisory_id}",
    response_model=AdvisoryOut,
    responses={
        200: {
            "description": "The advisory as JSON, or as its CAP 1.2 alert when Accept asks "
            "for application/cap+xml.",
            "content": {CAP_MEDIA_TYPE: {}},
        },
        **error_responses(406),
    },
)
def get_advisory(
    advisory_id: RecordId,
    request: Request,
    response: Response,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> Any:
    """The advisory, as JSON or, for ``Accept: application/cap+xml``, as the CAP 1.2 alert
    ``/{id}.cap`` gives; an Accept that allows neither gets 406."""
    media = preferred(request.headers.get("accept"), (JSON_MEDIA_TYPE, CAP_MEDIA_TYPE))
    if media is None:
        raise HTTPException(status.HTTP_406_NOT_ACCEPTABLE)
    if media == CAP_MEDIA_TYPE:
        sender = hub.settings.cap_sender
        document = cap_service.export_advisory(session, me, advisory_id, sender)
        return Response(document, media_type=CAP_MEDIA_TYPE, headers={"Vary": "Accept"})
    response.headers["Vary"] = "Accept"
    return advisory_out(session, service.visible_advisory(session, me, advisory_id), locale)


@advisories_router.get("/{advisory_id}/impacts")
def list_advisory_impacts(
    advisory_id: RecordId, session: DbSession, me: CurrentPrincipal
) -> list[ImpactOut]:
    service.visible_advisory(session, me, advisory_id)
    return [impact_out(i) for i in queries.impacts_of(session, me, ADVISORY, advisory_id)]


@advisories_router.post("/{advisory_id}/cosignature")
def cosign_advisory(
    advisory_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> AdvisoryOut:
    """Another party stands behind the advisory (once per party)."""
    advisory = service.cosign_advisory(session, me, advisory_id, hub.clock)
    return advisory_out(session, advisory, locale)


@advisories_router.post("/{advisory_id}/window")
def change_advisory_window(
    advisory_id: RecordId,
    body: WindowIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> AdvisoryOut:
    """The issuing party moves the end of its advisory; what the longer window now touches is
    alerted."""
    advisory = service.change_advisory_window(session, me, advisory_id, body.valid_until, env(hub))
    return advisory_out(session, advisory, locale)


@advisories_router.post("/{advisory_id}/withdrawal")
def withdraw_advisory(
    advisory_id: RecordId,
    body: WithdrawIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> AdvisoryOut:
    """The issuing party (or the hub) ends it early: it stops flagging, everything it touched
    is told, and a checkpoint it closed opens again."""
    advisory = service.withdraw_advisory(session, me, advisory_id, body.note, hub.clock)
    return advisory_out(session, advisory, locale)


@watches_router.post("", status_code=status.HTTP_201_CREATED)
def create_watch(body: WatchIn, session: DbSession, hub: Hub, me: CurrentPrincipal) -> WatchOut:
    """Watch an area or a route: every incident or advisory that touches it alerts your party."""
    return watch_out(service.create_watch(session, me, body, env(hub)))


@watches_router.get("")
def list_watches(session: DbSession, me: CurrentPrincipal) -> list[WatchOut]:
    """Your party's watches."""
    return [watch_out(w) for w in queries.watches(session, me)]


@watches_router.post("/{watch_id}/end")
def end_watch(watch_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal) -> WatchOut:
    return watch_out(service.end_watch(session, me, watch_id, hub.clock))


@watches_router.get("/{watch_id}/alerts")
def list_watch_alerts(
    watch_id: RecordId, session: DbSession, me: CurrentPrincipal
) -> list[ImpactOut]:
    watch = service.own_watch(session, me, watch_id)
    return [impact_out(i) for i in queries.alerts_for_watch(session, me, watch, current=False)]


alerts_router = APIRouter(prefix="/api/v1", tags=["incidents"])


@alerts_router.get("/permits/{permit_id}/alerts")
def list_permit_alerts(
    permit_id: RecordId, session: DbSession, me: CurrentPrincipal, everything: bool = False
) -> list[ImpactOut]:
    """The incidents and advisories touching a permit that still hold (``everything``: also
    those that ended), for the parties told of them; ``route_affected`` marks a closure on
    its route: amend the application to change it."""
    alerts = queries.alerts_for_permit(session, me, permit_id, current=not everything)
    return [impact_out(i) for i in alerts]


@alerts_router.get("/applications/{application_id}/alerts")
def list_application_alerts(
    application_id: RecordId, session: DbSession, me: CurrentPrincipal, everything: bool = False
) -> list[ImpactOut]:
    """As a permit's alerts, over every permit version of the application."""
    alerts = queries.alerts_for_application(session, me, application_id, current=not everything)
    return [impact_out(i) for i in alerts]


@alerts_router.get("/movements/{notification_id}/alerts")
def list_movement_alerts(
    notification_id: RecordId, session: DbSession, me: CurrentPrincipal, everything: bool = False
) -> list[ImpactOut]:
    """The incidents and advisories touching a notified movement, for the parties it reached."""
    alerts = queries.alerts_for_movement(session, me, notification_id, current=not everything)
    return [impact_out(i) for i in alerts]
