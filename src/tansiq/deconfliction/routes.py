"""HTTP API for deconfliction: parse → service → render.

A notification the caller may not see is answered 404, exactly like one that does not exist:
which movements and sites exist is itself need-to-know.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from tansiq.context import HubContext
from tansiq.deconfliction import queries, service
from tansiq.deconfliction.domain import NotificationStatus
from tansiq.deconfliction.filing import DeconflictionEnv
from tansiq.deconfliction.render import (
    acknowledgement_out,
    notification_out,
    preview_out,
    summaries_out,
)
from tansiq.deconfliction.schemas import (
    AcknowledgeIn,
    AcknowledgementOut,
    IncomingOut,
    MovementIn,
    NotificationOut,
    NotificationSummaryOut,
    PreviewOut,
    ShiftIn,
    SiteIn,
    SiteReadOut,
    SummaryOut,
    WithdrawIn,
)
from tansiq.parties.deps import CurrentPrincipal
from tansiq.web.deps import DbSession, Hub, RecordId, reads_only

router = APIRouter(prefix="/api/v1/deconfliction", tags=["deconfliction"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


def env(hub: HubContext) -> DeconflictionEnv:
    return service.env_of(hub.settings, hub.clock, hub.caches)


@router.post("/movements", status_code=status.HTTP_201_CREATED)
def file_movement(
    body: MovementIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """Notify a movement (a liaison officer or admin of the notifying party). Its location is
    checked before anything is shared; every party it reaches is told at once, through its
    inbox, webhooks and e-mail, and must acknowledge by its deadline. A receipt, never a
    permission: the movement does not wait for it."""
    notification = service.file_movement(session, me, body, env(hub))
    return notification_out(session, me, notification.id, hub.clock)


@router.post("/sites", status_code=status.HTTP_201_CREATED)
def file_site(body: SiteIn, session: DbSession, hub: Hub, me: CurrentPrincipal) -> NotificationOut:
    """Notify a static site (a point with a radius, or a polygon). It lapses after its
    re-confirmation period unless re-confirmed; reminders come before."""
    notification = service.file_site(session, me, body, env(hub))
    return notification_out(session, me, notification.id, hub.clock)


@router.post("/movements/preview")
@reads_only
def preview_movement(
    body: MovementIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> PreviewOut:
    """What filing would do: the parties it would reach (and why) and its conflicts with the
    shift that would clear them. Stores nothing and tells nobody."""
    return preview_out(session, service.preview_movement(session, me, body, env(hub)))


@router.post("/sites/preview")
@reads_only
def preview_site(body: SiteIn, session: DbSession, hub: Hub, me: CurrentPrincipal) -> PreviewOut:
    return preview_out(session, service.preview_site(session, me, body, env(hub)))


@router.post("/movements/{notification_id}/versions")
def update_movement(
    notification_id: RecordId, body: MovementIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """A new version (a new window, a new route …): every party it reaches acknowledges again."""
    service.update_movement(session, me, notification_id, body, env(hub))
    return notification_out(session, me, notification_id, hub.clock)


@router.post("/sites/{notification_id}/versions")
def update_site(
    notification_id: RecordId, body: SiteIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    service.update_site(session, me, notification_id, body, env(hub))
    return notification_out(session, me, notification_id, hub.clock)


@router.post("/sites/{notification_id}/reconfirmation")
def reconfirm_site(
    notification_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """The site still stands: it counts for another period from now."""
    service.reconfirm_site(session, me, notification_id, env(hub))
    return notification_out(session, me, notification_id, hub.clock)


@router.post("/movements/{notification_id}/shift")
def apply_shift(
    notification_id: RecordId, body: ShiftIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """Apply the proposed shift: a new version moved by it, its conflicts checked again."""
    service.apply_shift(session, me, notification_id, body.expected_version, env(hub))
    return notification_out(session, me, notification_id, hub.clock)


@router.post("/notifications/{notification_id}/withdrawal")
def withdraw(
    notification_id: RecordId, body: WithdrawIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """Withdraw: recorded, never deleted; every party it reached is told."""
    service.withdraw(session, me, notification_id, body.note, hub.clock)
    return notification_out(session, me, notification_id, hub.clock)


@router.post("/notifications/{notification_id}/acknowledgement")
def acknowledge(
    notification_id: RecordId,
    body: AcknowledgeIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
) -> AcknowledgementOut:
    """Acknowledge for your own party: "received", or "received_with_concern" with a concern
    (informs the notifier, vetoes nothing)."""
    ack = service.acknowledge(session, me, notification_id, body, hub.clock)
    detail = queries.detail(session, me, notification_id, hub.clock, via="api")
    return acknowledgement_out(ack, detail, hub.clock)


@router.get("/notifications")
def list_notifications(
    session: DbSession,
    me: CurrentPrincipal,
    filed: Annotated[bool | None, Query(description="true: yours; false: sent to you.")] = None,
    status_: Annotated[NotificationStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[NotificationSummaryOut]:
    """The notifications you may see: those your party filed and those that reached it (the
    hub's admins: every one). Nobody else learns that they exist."""
    found = queries.notifications(
        session, me, filed=filed, status=status_, limit=limit, offset=offset
    )
    return summaries_out(session, found)


@router.get("/incoming")
def list_incoming(
    session: DbSession, hub: Hub, me: CurrentPrincipal, limit: Limit = 100
) -> list[IncomingOut]:
    """What your party must acknowledge: unanswered first, emergencies first, by deadline."""
    rows = queries.incoming(session, me, limit)
    summaries = {s.id: s for s in summaries_out(session, [n for _, n in rows])}
    now = hub.clock.now()
    return [
        IncomingOut(
            notification=summaries[n.id],
            state=ack.state,
            deadline=ack.deadline,
            overdue=service.is_overdue(ack, now),
        )
        for ack, n in rows
    ]


@router.get("/notifications/{notification_id}")
def get_notification(
    notification_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """One notification: every party's acknowledgement and why it was included for its
    notifier and the hub; only your own party's for a party it reached."""
    return notification_out(session, me, notification_id, hub.clock)


@router.get("/sites/{notification_id}/reads")
def list_site_reads(
    notification_id: RecordId, session: DbSession, me: CurrentPrincipal
) -> list[SiteReadOut]:
    """Who read the site's location, and when: for its notifier and the hub."""
    return [
        SiteReadOut(party=code, user=user, read_at=read.read_at, via=read.via)
        for read, code, user in queries.site_reads(session, me, notification_id)
    ]


@router.get("/summary")
def get_summary(session: DbSession, me: CurrentPrincipal) -> SummaryOut:
    """Counts and timings only, for every signed-in user; no name, place or time of any
    notification."""
    found = queries.summary(session)
    return SummaryOut(**found.__dict__)
