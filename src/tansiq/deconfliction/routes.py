"""HTTP API for deconfliction: parse → service → render.

A notification the caller may not see is answered 404, exactly like one that does not exist:
which movements and sites exist is itself need-to-know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from tansiq.context import HubContext
from tansiq.core.schemas import Name
from tansiq.deconfliction import queries, service
from tansiq.deconfliction.domain import NotificationStatus
from tansiq.deconfliction.filing import DeconflictionEnv
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    NotificationRecord,
    NotificationVersionRecord,
)
from tansiq.deconfliction.planning import Plan, reference
from tansiq.deconfliction.schemas import (
    AcknowledgeIn,
    AcknowledgementOut,
    ConflictOut,
    IncomingOut,
    MovementIn,
    NotificationOut,
    NotificationSummaryOut,
    PreviewOut,
    PreviewPartyOut,
    ReasonOut,
    ShiftIn,
    ShiftOut,
    SiteIn,
    SiteReadOut,
    SummaryOut,
    WithdrawIn,
)
from tansiq.geo.service import spatial_index_cache
from tansiq.parties.deps import CurrentPrincipal
from tansiq.parties.directory import parties_by_ids
from tansiq.parties.domain import Principal
from tansiq.web.deps import DbSession, Hub, RecordId, reads_only

router = APIRouter(prefix="/api/v1/deconfliction", tags=["deconfliction"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


def env(hub: HubContext) -> DeconflictionEnv:
    return service.env_of(
        hub.settings, hub.clock, spatial_index_cache(hub.caches, hub.settings.metric_epsg)
    )


@router.post("/movements", status_code=status.HTTP_201_CREATED)
def file_movement(
    body: MovementIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """Notify a movement (a liaison officer or admin of the notifying party). Its location is
    checked before anything is shared; every party it reaches is told at once, through its
    inbox, webhooks and e-mail, and must acknowledge by its deadline. A receipt, never a
    permission: the movement does not wait for it."""
    notification = service.file_movement(session, me, body, env(hub))
    return notification_out(session, me, notification.id, hub)


@router.post("/sites", status_code=status.HTTP_201_CREATED)
def file_site(body: SiteIn, session: DbSession, hub: Hub, me: CurrentPrincipal) -> NotificationOut:
    """Notify a static site (a point with a radius, or a polygon). It lapses after its
    re-confirmation period unless re-confirmed; reminders come before."""
    notification = service.file_site(session, me, body, env(hub))
    return notification_out(session, me, notification.id, hub)


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
    return notification_out(session, me, notification_id, hub)


@router.post("/sites/{notification_id}/versions")
def update_site(
    notification_id: RecordId, body: SiteIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    service.update_site(session, me, notification_id, body, env(hub))
    return notification_out(session, me, notification_id, hub)


@router.post("/sites/{notification_id}/reconfirmation")
def reconfirm_site(
    notification_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """The site still stands: it counts for another period from now."""
    service.reconfirm_site(session, me, notification_id, env(hub))
    return notification_out(session, me, notification_id, hub)


@router.post("/movements/{notification_id}/shift")
def apply_shift(
    notification_id: RecordId, body: ShiftIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """Apply the proposed shift: a new version moved by it, its conflicts checked again."""
    service.apply_shift(session, me, notification_id, body.expected_version, env(hub))
    return notification_out(session, me, notification_id, hub)


@router.post("/notifications/{notification_id}/withdrawal")
def withdraw(
    notification_id: RecordId, body: WithdrawIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> NotificationOut:
    """Withdraw: recorded, never deleted; every party it reached is told."""
    service.withdraw(session, me, notification_id, body.note, hub.clock)
    return notification_out(session, me, notification_id, hub)


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
    return acknowledgement_out(ack, detail, hub)


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
    return notification_out(session, me, notification_id, hub)


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


# --- rendering ---------------------------------------------------------------------------------


def notification_out(
    session: DbSession, me: Principal, notification_id: int, hub: HubContext
) -> NotificationOut:
    detail = queries.detail(session, me, notification_id, hub.clock, via="api")
    n, v = detail.notification, detail.version
    notifier = detail.parties[n.notifier_party_id]
    return NotificationOut(
        id=n.id,
        reference=reference(n.kind, n.id),
        kind=n.kind,
        notifier=notifier.code,
        notifier_name=Name.pair(notifier.name_ar, notifier.name_en),
        status=n.status,
        version=n.current_version,
        emergency=n.emergency,
        geometry=v.geometry,
        width_m=v.width_m,
        start=v.window_start,
        end=v.window_end,
        occurrences=[[start, end] for start, end in detail.occurrences],
        content=v.content,
        active_until=n.active_until,
        confirmed_at=n.confirmed_at,
        created_at=n.created_at,
        updated_at=n.updated_at,
        ended_at=n.ended_at,
        end_note=n.end_note,
        conflicts=[
            ConflictOut(
                other=other.id,
                other_reference=reference(other.kind, other.id),
                other_kind=other.kind,
                place=found.place,
                overlaps=[
                    [datetime.fromisoformat(a), datetime.fromisoformat(b)]
                    for a, b in found.overlaps
                ],
            )
            for found, other in detail.conflicts
        ],
        shift=_shift(v) if detail.sees_every_party else None,
        acknowledgements=[acknowledgement_out(a, detail, hub) for a in detail.acknowledgements],
    )


def acknowledgement_out(
    ack: AcknowledgementRecord, detail: queries.Detail, hub: HubContext
) -> AcknowledgementOut:
    party = detail.parties[ack.party_id]
    return AcknowledgementOut(
        party=party.code,
        party_name=Name.pair(party.name_ar, party.name_en),
        version=detail.version.number,
        reasons=[ReasonOut(**_reason(why)) for why in detail.reasons.get(ack.party_id, [])],
        state=ack.state,
        deadline=ack.deadline,
        overdue=service.is_overdue(ack, hub.clock.now()),
        delivered_at=ack.delivered_at,
        first_read_at=ack.first_read_at,
        answered_at=ack.answered_at,
        answered_by=None if ack.answered_by is None else detail.users.get(ack.answered_by),
        concern=ack.concern,
        note=ack.note,
        reminded_at=ack.reminded_at,
        escalated_at=ack.escalated_at,
    )


def summaries_out(
    session: DbSession, found: list[NotificationRecord]
) -> list[NotificationSummaryOut]:
    versions = queries.current_versions(session, found)
    codes = {
        p.id: p.code for p in parties_by_ids(session, {n.notifier_party_id for n in found}).values()
    }
    return [
        NotificationSummaryOut(
            id=n.id,
            reference=reference(n.kind, n.id),
            kind=n.kind,
            notifier=codes.get(n.notifier_party_id, ""),
            status=n.status,
            version=n.current_version,
            emergency=n.emergency,
            start=versions[n.id].window_start if n.id in versions else None,
            end=versions[n.id].window_end if n.id in versions else None,
            active_until=n.active_until,
            updated_at=n.updated_at,
        )
        for n in found
    ]


def preview_out(session: DbSession, plan: Plan) -> PreviewOut:
    public = {
        party_id: [why for why in reasons if why["reason"] != "conflict"]
        for party_id, reasons in plan.reasons.items()
    }
    parties = parties_by_ids(session, {pid for pid, why in public.items() if why})
    return PreviewOut(
        parties=[
            PreviewPartyOut(
                party=parties[pid].code,
                party_name=Name.pair(parties[pid].name_ar, parties[pid].name_en),
                reasons=[ReasonOut(**_reason(why)) for why in reasons],
            )
            for pid, reasons in sorted(public.items())
            if pid in parties
        ],
        conflicts=len(plan.conflicts),
        shift=None
        if not plan.conflicts
        else ShiftOut(
            exists=plan.shift is not None,
            minutes=None if plan.shift is None else plan.shift.total_seconds() / 60,
        ),
    )


def _reason(why: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {"reason": why["reason"]}
    if "name_en" in why:
        shown["name"] = Name.pair(str(why.get("name_ar", "")), str(why.get("name_en", "")))
    for key in ("zone_id", "checkpoint", "notification", "reference"):
        if key in why:
            shown[key] = why[key]
    return shown


def _shift(version: NotificationVersionRecord) -> ShiftOut | None:
    if version.shift_s is None and not version.shift_exists:
        return None
    return ShiftOut(
        exists=version.shift_exists,
        minutes=None if version.shift_s is None else version.shift_s / 60,
    )
