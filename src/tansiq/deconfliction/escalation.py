"""The timers of deconfliction, as database jobs: a reminder at half time and the escalation
at the deadline of each acknowledgement; a site's reminders before it lapses, and the lapse.

Each timer is a job enqueued with a dedupe key in the transaction that needs it, so a restart
loses none; each handler locks its row and checks that it is still due (the same version,
still pending, not already reminded or escalated), so none fires twice, even if a job runs
again after a crash or an update superseded it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock, ensure_utc
from tansiq.deconfliction.domain import (
    AcknowledgementState,
    NotificationKind,
    NotificationStatus,
)
from tansiq.deconfliction.ledger_facts import ending_facts, escalation_facts, reminder_facts
from tansiq.deconfliction.messages import (
    ESCALATED,
    LAPSED,
    REMINDER,
    SITE_REMINDER,
    UNACKNOWLEDGED,
)
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    EscalationRecord,
    NotificationRecord,
)
from tansiq.deconfliction.notices import hub_party_ids, party_names, record, tell, when
from tansiq.deconfliction.repository import DeconflictionRepository
from tansiq.deconfliction.schedule import Reconfirmation
from tansiq.jobs.service import JobHandler, enqueue
from tansiq.parties.directory import users_of
from tansiq.parties.domain import Role
from tansiq.tallies.domain import Tally
from tansiq.tallies.service import tally_one

JOB_REMIND = "deconfliction.ack_reminder"
JOB_ESCALATE = "deconfliction.ack_escalation"
JOB_SITE_REMIND = "deconfliction.site_reminder"
JOB_SITE_LAPSE = "deconfliction.site_lapse"


def schedule_acknowledgement(session: Session, ack: AcknowledgementRecord, clock: Clock) -> None:
    for kind, at in ((JOB_REMIND, ack.reminder_at), (JOB_ESCALATE, ack.deadline)):
        enqueue(
            session,
            kind=kind,
            payload={"acknowledgement": ack.id},
            run_at=at,
            dedupe_key=f"{kind}:{ack.id}",
            clock=clock,
        )


def schedule_site(session: Session, site: NotificationRecord, clock: Clock) -> None:
    """The reminders and the lapse of a site's current confirmation."""
    assert site.confirmed_at is not None  # noqa: S101 - every site has one
    period = site.active_until - site.confirmed_at
    confirmation = Reconfirmation(site.confirmed_at, period)
    stamp = site.confirmed_at.isoformat()
    for at in confirmation.reminders():
        enqueue(
            session,
            kind=JOB_SITE_REMIND,
            payload={"notification": site.id, "confirmed_at": stamp},
            run_at=at,
            dedupe_key=f"{JOB_SITE_REMIND}:{site.id}:{stamp}:{at.isoformat()}",
            clock=clock,
        )
    enqueue(
        session,
        kind=JOB_SITE_LAPSE,
        payload={"notification": site.id, "confirmed_at": stamp},
        run_at=confirmation.lapses_at,
        dedupe_key=f"{JOB_SITE_LAPSE}:{site.id}:{stamp}",
        clock=clock,
    )


def remind(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    found = _still_pending(session, payload)
    if found is None:
        return
    ack, notification = found
    if ack.reminded_at is not None:
        return
    now = clock.now()
    ack.reminded_at = now
    tell(session, ack.party_id, REMINDER, notification, clock, deadline=when(ack.deadline))
    record(session, "reminded", notification, reminder_facts(ack), now)


def escalate(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    """At the deadline, unanswered: every liaison officer of the party is told (through its
    inbox, webhooks and e-mail), and the notifier and the hub operator see it flagged."""
    found = _still_pending(session, payload)
    if found is None:
        return
    ack, notification = found
    repo = DeconflictionRepository(session)
    if ack.escalated_at is not None or repo.escalation_of(ack.id) is not None:
        return
    now = clock.now()
    ack.escalated_at = now
    liaisons = [
        user.id
        for user in users_of(session, ack.party_id)
        if user.is_active and any(row.role is Role.LIAISON for row in user.roles)
    ]
    flagged = sorted({notification.notifier_party_id, *hub_party_ids(session)})
    escalation = EscalationRecord(
        acknowledgement_id=ack.id,
        notification_id=notification.id,
        party_id=ack.party_id,
        escalated_at=now,
        liaison_user_ids=liaisons,
        flagged_party_ids=flagged,
    )
    repo.add(escalation)
    deadline = when(ack.deadline)
    tell(session, ack.party_id, ESCALATED, notification, clock, deadline=deadline)
    who = party_names(session, ack.party_id)
    for party_id in flagged:
        tell(session, party_id, UNACKNOWLEDGED, notification, clock, deadline=deadline, **who)
    repo.flush()
    tally_one(session, Tally.UNACKNOWLEDGED, now, party=ack.party_id)
    record(session, "escalated", notification, escalation_facts(escalation, ack.version_id), now)


def remind_site(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    site = _current_site(session, payload)
    if site is None:
        return
    tell(
        session,
        site.notifier_party_id,
        SITE_REMINDER,
        site,
        clock,
        lapses_at=when(site.active_until),
    )


def lapse_site(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    site = _current_site(session, payload)
    if site is None or site.active_until > clock.now():
        return
    now = clock.now()
    site.status = NotificationStatus.LAPSED
    site.ended_at = now
    site.updated_at = now
    repo = DeconflictionRepository(session)
    version = repo.version(site.id, site.current_version)
    told = {site.notifier_party_id}
    if version is not None:
        told |= {affected.party_id for affected in repo.affected(version.id)}
    for party_id in sorted(told):
        tell(session, party_id, LAPSED, site, clock, lapses_at=when(site.active_until))
    repo.flush()
    record(session, "lapsed", site, ending_facts(site), now)


def _still_pending(
    session: Session, payload: dict[str, Any]
) -> tuple[AcknowledgementRecord, NotificationRecord] | None:
    """The acknowledgement, locked, if it still waits: unanswered, of the current version of
    a notification that still stands."""
    repo = DeconflictionRepository(session)
    ack = repo.lock_acknowledgement(int(payload["acknowledgement"]))
    if ack is None or ack.state is not AcknowledgementState.PENDING:
        return None
    notification = repo.lock_notification(ack.notification_id)
    if notification is None or notification.status is not NotificationStatus.ACTIVE:
        return None
    version = repo.version(notification.id, notification.current_version)
    if version is None or version.id != ack.version_id:
        return None  # superseded: the new version has its own clock
    return ack, notification


def _current_site(session: Session, payload: dict[str, Any]) -> NotificationRecord | None:
    """The site, locked, if it still stands on the confirmation the job was scheduled for."""
    site = DeconflictionRepository(session).lock_notification(int(payload["notification"]))
    if site is None or site.kind is not NotificationKind.SITE:
        return None
    if site.status is not NotificationStatus.ACTIVE or site.confirmed_at is None:
        return None
    if ensure_utc(site.confirmed_at).isoformat() != payload["confirmed_at"]:
        return None  # re-confirmed since: the new confirmation has its own jobs
    return site


def job_handlers() -> dict[str, JobHandler]:
    return {
        JOB_REMIND: remind,
        JOB_ESCALATE: escalate,
        JOB_SITE_REMIND: remind_site,
        JOB_SITE_LAPSE: lapse_site,
    }
