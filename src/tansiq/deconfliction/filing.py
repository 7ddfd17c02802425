"""Storing a worked-out plan, in the caller's transaction: the notification and its version,
its occurrences and conflicts, the parties it reaches with why, an acknowledgement per party with
its clock and the jobs that keep it, one outbox event per party, the conflict alerts to both
notifiers, and the ledger entry."""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.deconfliction.domain import (
    AcknowledgementState,
    NotificationKind,
    NotificationStatus,
)
from tansiq.deconfliction.escalation import schedule_acknowledgement, schedule_site
from tansiq.deconfliction.ledger_facts import version_facts
from tansiq.deconfliction.messages import (
    CONFLICT,
    CONFLICT_AT_SITE,
    CONFLICT_NO_SHIFT,
    NOTIFIED,
    UPDATED,
)
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    AffectedPartyRecord,
    ConflictRecord,
    NotificationRecord,
    NotificationVersionRecord,
    OccurrenceRecord,
    SiteReadRecord,
)
from tansiq.deconfliction.notices import conflicting, names, record, tell, when
from tansiq.deconfliction.planning import Plan, Policy, reference
from tansiq.deconfliction.repository import DeconflictionRepository
from tansiq.deconfliction.schedule import acknowledgement_clock
from tansiq.deconfliction.stored import ActiveMovements, grown_box
from tansiq.geo.service import SpatialIndexCache
from tansiq.parties.domain import Principal
from tansiq.tallies.domain import Tally
from tansiq.tallies.service import tally_one


@dataclass(frozen=True)
class DeconflictionEnv:
    """What the use cases need from the running hub."""

    clock: Clock
    spatial_index: SpatialIndexCache
    policy: Policy
    movements: ActiveMovements | None = None  # held in memory by a serving hub


def store_plan(
    session: Session,
    principal: Principal,
    notification: NotificationRecord | None,
    plan: Plan,
    env: DeconflictionEnv,
) -> NotificationRecord:
    if not plan.located:
        # A preview's plan counts its conflicts without them: stored, it would record none.
        raise ValueError("only a plan with its conflicts located is stored")
    clock, now = env.clock, env.clock.now()
    repo = DeconflictionRepository(session)
    active = plan.active
    if notification is None:
        notification = NotificationRecord(
            notifier_party_id=principal.party_id,
            created_by=principal.user_id,
            kind=plan.kind,
            status=NotificationStatus.ACTIVE,
            current_version=1,
            emergency=plan.emergency,
            active_from=active.start,
            active_until=active.end,
            confirmed_at=now if plan.kind is NotificationKind.SITE else None,
            reconfirm_days=plan.reconfirm_days,
            created_at=now,
            updated_at=now,
            end_note="",
        )
        repo.add(notification)
        first = True
    else:
        # The superseded version no longer counts: out of the occurrence index, now.
        repo.unindex_notification(notification.id)
        notification.current_version += 1
        notification.emergency = plan.emergency
        notification.active_from, notification.active_until = active.start, active.end
        if plan.kind is NotificationKind.SITE:
            notification.confirmed_at = now
            notification.reconfirm_days = plan.reconfirm_days
        notification.updated_at = now
        first = False
    repo.flush()
    version = NotificationVersionRecord(
        notification_id=notification.id,
        number=notification.current_version,
        geometry=plan.geometry,
        shape_wkb=plan.shape_wkb,
        shape_m_wkb=shapely.to_wkb(plan.footprint.shape),
        shape_epsg=plan.footprint.epsg,
        **_box(plan),
        width_m=plan.width_m,
        window_start=None if plan.window is None else plan.window.start,
        window_end=None if plan.window is None else plan.window.end,
        content=plan.content,
        shift_s=None if plan.shift is None else plan.shift.total_seconds(),
        shift_exists=plan.shift is not None,
        created_at=now,
        created_by=principal.user_id,
    )
    repo.add(version)
    repo.flush()
    if plan.kind is NotificationKind.MOVEMENT:
        occurrences = [
            OccurrenceRecord(
                notification_id=notification.id,
                version_id=version.id,
                starts_at=window.start,
                ends_at=window.end,
            )
            for window in plan.occurrences
        ]
        for occurrence in occurrences:
            repo.add(occurrence)
        repo.flush()
        repo.index_occurrences(version, occurrences)
    for found in plan.conflicts:
        other = plan.others[found.notification_id]
        if found.kind is NotificationKind.SITE and other.notifier_party_id != principal.party_id:
            # The conflict's place tells where the site is: a read of its location.
            repo.add(
                SiteReadRecord(
                    notification_id=found.notification_id,
                    party_id=principal.party_id,
                    user_id=principal.user_id,
                    read_at=now,
                    via="conflict",
                )
            )
        repo.add(
            ConflictRecord(
                notification_id=notification.id,
                version_id=version.id,
                other_notification_id=found.notification_id,
                place=found.place,
                overlaps=[[w.start.isoformat(), w.end.isoformat()] for w in found.overlaps],
                found_at=now,
            )
        )
    _reach(session, notification, version, plan, env)
    _alert_conflicts(session, notification, plan, clock)
    if plan.kind is NotificationKind.SITE:
        schedule_site(session, notification, clock)
    counted = plan.occurrences if plan.kind is NotificationKind.MOVEMENT else ()
    record(
        session,
        "filed" if first else "updated",
        notification,
        version_facts(
            version,
            [(w.start, w.end) for w in counted],
            [p for p in plan.reasons if p != notification.notifier_party_id],
            [c.notification_id for c in plan.conflicts],
        ),
        now,
    )
    return notification


def _box(plan: Plan) -> dict[str, float]:
    west, south, east, north = grown_box(shapely.from_wkb(plan.shape_wkb), plan.footprint.reach_m)
    return {"min_lon": west, "min_lat": south, "max_lon": east, "max_lat": north}


def _reach(
    session: Session,
    notification: NotificationRecord,
    version: NotificationVersionRecord,
    plan: Plan,
    env: DeconflictionEnv,
) -> None:
    """One affected row, acknowledgement with its clock, outbox event and timer jobs per
    party the version reaches (the notifier's own party aside)."""
    clock, now = env.clock, env.clock.now()
    repo = DeconflictionRepository(session)
    first_start = plan.window.start if plan.window is not None else None
    timer = acknowledgement_clock(
        now,
        first_start,
        emergency=plan.emergency,
        emergency_after=env.policy.emergency_after,
        routine_after=env.policy.routine_after,
    )
    notice = NOTIFIED if version.number == 1 else UPDATED
    active = plan.active
    for party_id, reasons in sorted(plan.reasons.items()):
        if party_id == notification.notifier_party_id:
            continue
        repo.add(
            AffectedPartyRecord(
                notification_id=notification.id,
                version_id=version.id,
                party_id=party_id,
                reasons=reasons,
            )
        )
        event = tell(
            session,
            party_id,
            notice,
            notification,
            clock,
            version=version.number,
            deadline=when(timer.deadline),
            start=when(active.start),
            end=when(active.end),
            **names(reasons, "zone", "zones"),
            **names(reasons, "checkpoint", "checkpoints"),
            conflicts=conflicting(reasons),
        )
        ack = AcknowledgementRecord(
            notification_id=notification.id,
            version_id=version.id,
            party_id=party_id,
            state=AcknowledgementState.PENDING,
            deadline=timer.deadline,
            reminder_at=timer.reminder,
            event_id=event.id,
            delivered_at=now,
            note="",
        )
        repo.add(ack)
        repo.flush()
        schedule_acknowledgement(session, ack, clock)
        tally_one(session, Tally.NOTIFIED, now, party=party_id)


def _alert_conflicts(
    session: Session, notification: NotificationRecord, plan: Plan, clock: Clock
) -> None:
    """Both notifiers of every conflict hear of it, with the time they meet; the new one's
    notifier also hears of the proposed shift (or that none exists)."""
    for found in plan.conflicts:
        other = plan.others[found.notification_id]
        first = found.overlaps[0]
        params: dict[str, str | int | float] = {
            "other": reference(other.kind, other.id),
            "start": when(first.start),
            "end": when(found.overlaps[-1].end),
        }
        notice = CONFLICT_NO_SHIFT
        if plan.shift is not None:
            notice, params["count"] = CONFLICT, round(plan.shift.total_seconds() / 60)
        elif plan.kind is NotificationKind.SITE:
            notice = CONFLICT_AT_SITE  # a site is not moved in time
        for party_id in sorted({notification.notifier_party_id, other.notifier_party_id}):
            tell(session, party_id, notice, notification, clock, **params)
