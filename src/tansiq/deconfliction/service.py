"""Use cases of deconfliction: file, update, withdraw, re-confirm, acknowledge, apply the
proposed shift. Services flush; the edge (a request, a command, a job) commits.

Filing works everything out first (:mod:`tansiq.deconfliction.planning`: sanity, windows,
parties, conflicts), so a refused notification stores nothing and reaches nobody. Then, in one
transaction: the notification and its version, its occurrences, the parties it reaches with
why, an acknowledgement per party with its clock and the jobs that keep it, one outbox event
per party, the conflict alerts, and a ledger entry for each state change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorCategory, NotFound, TansiqError
from tansiq.core.i18n import N_
from tansiq.deconfliction import access
from tansiq.deconfliction.domain import (
    CONCERN_LABELS,
    AcknowledgementState,
    NotificationKind,
    NotificationStatus,
    check_acknowledgement,
    check_status_transition,
)
from tansiq.deconfliction.escalation import schedule_site
from tansiq.deconfliction.filing import DeconflictionEnv, store_plan
from tansiq.deconfliction.ledger_facts import (
    acknowledgement_facts,
    ending_facts,
    read_facts,
    reconfirmation_facts,
)
from tansiq.deconfliction.messages import (
    ACKNOWLEDGED,
    ACKNOWLEDGED_WITH_CONCERN,
    WITHDRAWN,
)
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    NotificationRecord,
    NotificationVersionRecord,
    ReconfirmationRecord,
)
from tansiq.deconfliction.notices import (
    party_names,
    record,
    tell,
    when,
)
from tansiq.deconfliction.planning import (
    NothingToShift,
    Plan,
    Policy,
    plan_movement,
    plan_site,
)
from tansiq.deconfliction.repository import DeconflictionRepository
from tansiq.deconfliction.schemas import AcknowledgeIn, MovementIn, RepetitionIn, SiteIn
from tansiq.deconfliction.stored import movements_in_memory
from tansiq.geo.service import spatial_index_cache
from tansiq.parties import access as party_access
from tansiq.parties.directory import party
from tansiq.parties.domain import Principal
from tansiq.settings import Settings
from tansiq.tallies.service import tally_acknowledgement


class NotificationNotFound(NotFound):
    code = "notification.not_found"
    message = N_("No notification {notification} that you may see.")


class VersionMismatch(TansiqError):
    code = "notification.version_mismatch"
    message = N_("The notification is at version {current}, not {expected}; reload it first.")
    category = ErrorCategory.CONFLICT


class NotificationClosed(TansiqError):
    code = "notification.closed"
    message = N_('The notification is "{status}"; it can no longer change.')
    category = ErrorCategory.CONFLICT


class KindMismatch(TansiqError):
    code = "notification.kind_mismatch"
    message = N_("Notification {notification} is not a {kind}.")


class NotReached(TansiqError):
    code = "acknowledgement.not_reached"
    message = N_("Your party was not asked to acknowledge this version; nothing was stored.")
    category = ErrorCategory.FORBIDDEN


def env_of(settings: Settings, clock: Clock, caches: ProcessCaches) -> DeconflictionEnv:
    """The use cases' view of the running hub, from its settings and its caches."""
    area = None
    if settings.deconfliction_area is not None:
        west, south, east, north = (float(p) for p in settings.deconfliction_area.split(","))
        area = (west, south, east, north)
    return DeconflictionEnv(
        clock=clock,
        spatial_index=spatial_index_cache(caches, settings.metric_epsg),
        movements=movements_in_memory(caches).source,
        policy=Policy(
            default_corridor_m=settings.default_corridor_m,
            max_corridor_m=settings.max_corridor_m,
            emergency_after=timedelta(minutes=settings.deconfliction_emergency_minutes),
            routine_after=timedelta(hours=settings.deconfliction_ack_hours),
            site_margin_m=settings.deconfliction_site_margin_m,
            shift_horizon=timedelta(hours=settings.deconfliction_shift_horizon_hours),
            area=area,
            area_margin_m=settings.deconfliction_area_margin_m,
            place_tolerance_m=settings.deconfliction_place_tolerance_m,
            zone=ZoneInfo(settings.time_zone),
        ),
    )


def preview_movement(
    session: Session,
    principal: Principal,
    body: MovementIn,
    env: DeconflictionEnv,
    *,
    located: bool = False,
) -> Plan:
    """What filing would do (the parties it would reach, how many conflicts, the shift),
    storing nothing; ``located``: the conflicts themselves, with their places, as filing
    stores them (a preview only counts them, and saves working out where)."""
    party_access.require(access.can_notify(principal))
    return plan_movement(
        session,
        body,
        env.policy,
        env.spatial_index,
        env.clock.now(),
        movements=env.movements,
        located=located,
    )


def preview_site(
    session: Session,
    principal: Principal,
    body: SiteIn,
    env: DeconflictionEnv,
    *,
    located: bool = False,
) -> Plan:
    party_access.require(access.can_notify(principal))
    return plan_site(
        session,
        body,
        env.policy,
        env.spatial_index,
        env.clock.now(),
        movements=env.movements,
        located=located,
    )


def file_movement(
    session: Session, principal: Principal, body: MovementIn, env: DeconflictionEnv
) -> NotificationRecord:
    DeconflictionRepository(session).lock_filings()
    plan = preview_movement(session, principal, body, env, located=True)
    return store_plan(session, principal, None, plan, env)


def file_site(
    session: Session, principal: Principal, body: SiteIn, env: DeconflictionEnv
) -> NotificationRecord:
    DeconflictionRepository(session).lock_filings()
    plan = preview_site(session, principal, body, env, located=True)
    return store_plan(session, principal, None, plan, env)


def update_movement(
    session: Session,
    principal: Principal,
    notification_id: int,
    body: MovementIn,
    env: DeconflictionEnv,
) -> NotificationRecord:
    """A new version (new window, new route …) that every reached party acknowledges again."""
    notification = _own(session, principal, notification_id, NotificationKind.MOVEMENT)
    _check_version(notification, body.expected_version)
    DeconflictionRepository(session).lock_filings()
    now = env.clock.now()
    plan = plan_movement(
        session, body, env.policy, env.spatial_index, now, notification.id, env.movements
    )
    return store_plan(
        session, principal, _own_locked(session, notification, body.expected_version), plan, env
    )


def update_site(
    session: Session,
    principal: Principal,
    notification_id: int,
    body: SiteIn,
    env: DeconflictionEnv,
) -> NotificationRecord:
    notification = _own(session, principal, notification_id, NotificationKind.SITE)
    _check_version(notification, body.expected_version)
    DeconflictionRepository(session).lock_filings()
    now = env.clock.now()
    plan = plan_site(
        session, body, env.policy, env.spatial_index, now, notification.id, env.movements
    )
    return store_plan(
        session, principal, _own_locked(session, notification, body.expected_version), plan, env
    )


def reconfirm_site(
    session: Session, principal: Principal, notification_id: int, env: DeconflictionEnv
) -> NotificationRecord:
    """The site still stands: it counts for another period from now."""
    notification = _own(session, principal, notification_id, NotificationKind.SITE)
    notification = _own_locked(session, notification, None)
    now = env.clock.now()
    assert notification.reconfirm_days is not None  # noqa: S101 - every site has one
    notification.confirmed_at = now
    notification.active_from = now
    notification.active_until = now + timedelta(days=notification.reconfirm_days)
    notification.updated_at = now
    session.flush()
    schedule_site(session, notification, env.clock)
    confirmed = ReconfirmationRecord(
        notification_id=notification.id, at=now, until=notification.active_until
    )
    DeconflictionRepository(session).add(confirmed)
    facts = reconfirmation_facts(notification.id, confirmed.until)
    record(session, "reconfirmed", notification, facts, now)
    return notification


def apply_shift(
    session: Session,
    principal: Principal,
    notification_id: int,
    expected_version: int,
    env: DeconflictionEnv,
) -> NotificationRecord:
    """Move every occurrence by the shift the hub proposed: one action, a new version, and
    the conflicts checked again."""
    notification = _own(session, principal, notification_id, NotificationKind.MOVEMENT)
    _check_version(notification, expected_version)
    repo = DeconflictionRepository(session)
    version = repo.version(notification.id, notification.current_version)
    assert version is not None  # noqa: S101 - the current version exists
    if version.shift_s is None or not version.shift_exists:
        raise NothingToShift
    body = movement_body(version, timedelta(seconds=version.shift_s))
    body.expected_version = expected_version
    return update_movement(session, principal, notification_id, body, env)


def movement_body(version: NotificationVersionRecord, shift: timedelta) -> MovementIn:
    """A stored movement version as the input that would file it again, moved by ``shift``."""
    assert version.window_start is not None  # noqa: S101 - every movement has one
    assert version.window_end is not None  # noqa: S101
    content = version.content
    repetition = content.get("repetition")
    if repetition is not None:
        moved = RepetitionIn.model_validate(repetition)
        until_shift = (version.window_start + shift).date() - version.window_start.date()
        repetition = moved.model_copy(update={"until": moved.until + until_shift})
    return MovementIn(
        route=version.geometry,
        corridor_m=version.width_m,
        start=version.window_start + shift,
        end=version.window_end + shift,
        repetition=repetition,
        vehicles=content["vehicles"],
        vehicle_kind=content["vehicle_kind"],
        markings=content["markings"],
        purpose=content["purpose"],
        contact=content["contact"],
        place=content.get("place") or None,
        note=content.get("note", ""),
        confirm_no_zone=True,
    )


def withdraw(
    session: Session, principal: Principal, notification_id: int, note: str, clock: Clock
) -> NotificationRecord:
    """Withdrawn: recorded, never deleted; every party the current version reached is told."""
    notification = _own(session, principal, notification_id, None)
    notification = _own_locked(session, notification, None)
    check_status_transition(notification.status, NotificationStatus.WITHDRAWN)
    now = clock.now()
    notification.status = NotificationStatus.WITHDRAWN
    notification.ended_at, notification.ended_by, notification.end_note = (
        now,
        principal.user_id,
        note,
    )
    notification.updated_at = now
    repo = DeconflictionRepository(session)
    repo.unindex_notification(notification.id)  # a withdrawn movement no longer counts
    version = repo.version(notification.id, notification.current_version)
    assert version is not None  # noqa: S101
    for affected in repo.affected(version.id):
        tell(session, affected.party_id, WITHDRAWN, notification, clock, note=note or "—")
    session.flush()
    record(session, "withdrawn", notification, ending_facts(notification), now)
    return notification


def acknowledge(
    session: Session,
    principal: Principal,
    notification_id: int,
    body: AcknowledgeIn,
    clock: Clock,
) -> AcknowledgementRecord:
    """The principal's party acknowledges a version: received, or received with concern.
    Only for its own party, only a version it was reached by, and once."""
    repo = DeconflictionRepository(session)
    notification = visible_notification(session, principal, notification_id)
    version = repo.version(notification.id, body.version)
    ack = None if version is None else repo.acknowledgement_of(version.id, principal.party_id)
    if ack is None or not access.can_acknowledge(principal, ack.party_id):
        raise NotReached
    ack = repo.lock_acknowledgement(ack.id)
    assert ack is not None  # noqa: S101 - found just above
    check_acknowledgement(ack.state, body.answer, body.concern, body.note)
    now = clock.now()
    ack.state, ack.concern, ack.note = body.answer, body.concern, body.note
    ack.answered_at, ack.answered_by = now, principal.user_id
    if ack.first_read_at is None:  # answered unread: read now, as an opening would record it
        ack.first_read_at, ack.first_read_by = now, principal.user_id
        record(session, "read", notification, read_facts(ack, body.version), now)
    session.flush()
    concern = None if body.concern is None else body.concern.value
    tally_acknowledgement(
        session, ack.party_id, now, delivered_at=ack.delivered_at, concern=concern
    )
    who = party_names(session, principal.party_id)
    if body.answer is AcknowledgementState.RECEIVED:
        tell(
            session,
            notification.notifier_party_id,
            ACKNOWLEDGED,
            notification,
            clock,
            **who,
            at=when(now),
        )
    else:
        assert body.concern is not None  # noqa: S101 - check_acknowledgement made sure
        tell(
            session,
            notification.notifier_party_id,
            ACKNOWLEDGED_WITH_CONCERN,
            notification,
            clock,
            **who,
            concern=body.concern.value,
            concern_msg=CONCERN_LABELS[body.concern],
            note=body.note or "—",
        )
    record(session, "acknowledged", notification, acknowledgement_facts(ack, body.version), now)
    return ack


def visible_notification(
    session: Session, principal: Principal, notification_id: int
) -> NotificationRecord:
    """The notification, if the principal may see it; otherwise "not found": its existence is
    need-to-know."""
    repo = DeconflictionRepository(session)
    notification = repo.notification(notification_id)
    if notification is None or not access.can_see(
        principal, notification.notifier_party_id, repo.reached_party_ids(notification_id)
    ):
        raise NotificationNotFound(notification=notification_id)
    return notification


# --- storing a plan ----------------------------------------------------------------------------


def _own(
    session: Session, principal: Principal, notification_id: int, kind: NotificationKind | None
) -> NotificationRecord:
    party_access.require(access.can_notify(principal))
    notification = visible_notification(session, principal, notification_id)
    party_access.require(access.is_notifier(principal, notification.notifier_party_id))
    if kind is not None and notification.kind is not kind:
        raise KindMismatch(notification=notification_id, kind=kind.value)
    return notification


def _own_locked(
    session: Session, notification: NotificationRecord, expected: int | None
) -> NotificationRecord:
    locked = DeconflictionRepository(session).lock_notification(notification.id)
    assert locked is not None  # noqa: S101 - it was just read
    if locked.status is not NotificationStatus.ACTIVE:
        raise NotificationClosed(status=locked.status.value)
    _check_version(locked, expected)
    return locked


def _check_version(notification: NotificationRecord, expected: int | None) -> None:
    if notification.status is not NotificationStatus.ACTIVE:
        raise NotificationClosed(status=notification.status.value)
    if expected is not None and expected != notification.current_version:
        raise VersionMismatch(current=notification.current_version, expected=expected)


def is_overdue(ack: AcknowledgementRecord, now: datetime) -> bool:
    return ack.state is AcknowledgementState.PENDING and now >= ack.deadline


def request_reacknowledgement(
    session: Session, notification_id: int, reason: str, env: DeconflictionEnv
) -> bool:
    """Something new on a movement's route (an incident, an advisory: ``reason`` names it)
    needs every party it reaches to acknowledge it again: the same movement as a new version,
    its parties worked out afresh, each with a new acknowledgement and clock. False (and
    nothing stored) when it is no longer an active movement or its first window has passed."""
    repo = DeconflictionRepository(session)
    repo.lock_filings()  # first, as every filing takes it: before any notification's row
    notification = repo.lock_notification(notification_id)
    if notification is None or notification.kind is not NotificationKind.MOVEMENT:
        return False
    if notification.status is not NotificationStatus.ACTIVE:
        return False
    version = repo.version(notification.id, notification.current_version)
    notifier = party(session, notification.notifier_party_id)
    if version is None or notifier is None:
        return False
    body = movement_body(version, timedelta(0))
    body.expected_version = notification.current_version
    try:
        plan = plan_movement(
            session,
            body,
            env.policy,
            env.spatial_index,
            env.clock.now(),
            notification.id,
            env.movements,
        )
    except TansiqError:
        return False  # e.g. its first occurrence has ended: nothing left to acknowledge anew
    acting = Principal(
        user_id=notification.created_by,
        username="",
        party_id=notifier.id,
        party_kind=notifier.kind,
        roles=frozenset(),
    )
    store_plan(session, acting, notification, plan, env)
    record(
        session,
        "reacknowledgement_requested",
        notification,
        {"version": notification.current_version, "reason": reason},
        env.clock.now(),
    )
    return True
