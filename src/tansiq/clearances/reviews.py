"""Reviews: opening them with deadlines, deciding, escalating, and what follows from the
decisions (the application's status, the permit). Services flush; the edge commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tansiq.clearances import access
from tansiq.clearances.domain import (
    FINAL,
    ApplicationStatus,
    Condition,
    ConditionKind,
    Decision,
    PermitStatus,
    ReviewStatus,
    check_decision,
    check_transition,
    is_contradiction,
    status_after_reviews,
)
from tansiq.clearances.messages import (
    APPEAL_OPENED,
    APPLICATION_OVERDUE,
    APPROVED,
    CONTRADICTION,
    DECIDED,
    PERMIT_ISSUED,
    REJECTED,
    REVIEW_OPENED,
    REVIEW_OVERDUE,
    REVIEW_REMINDER,
    REVIEW_REOPENED,
    WINDOW_ENDED,
    Notice,
    Why,
)
from tansiq.clearances.models import (
    ApplicationRecord,
    DecisionRecord,
    PermitRecord,
    ReviewRecord,
    TransitionRecord,
)
from tansiq.clearances.reasons import NOTE_REQUIRED
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import DecisionIn
from tansiq.clearances.signing import sign_permit
from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorCategory, Forbidden, NotFound, TansiqError
from tansiq.core.i18n import N_
from tansiq.core.text import normalise_text
from tansiq.geo.repository import GeoRepository
from tansiq.jobs.service import enqueue
from tansiq.notify.service import notify_party
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.repository import PartyRepository
from tansiq.permits.service import ensure_permit_key

JOB_REMIND = "clearances.review_reminder"
JOB_OVERDUE = "clearances.review_overdue"
JOB_EXPIRE = "clearances.application_expiry"


class ApplicationNotFound(NotFound):
    code = "application.not_found"
    message = N_("No application {application}.")


class ReviewNotFound(NotFound):
    code = "review.not_found"
    message = N_("No review {review}.")


class ReviewNotPending(TansiqError):
    code = "review.not_pending"
    message = N_(
        "This review was already decided; it reopens only when the application "
        "changes or is appealed."
    )
    category = ErrorCategory.CONFLICT


class ReviewConflict(TansiqError):
    code = "review.conflict"
    message = N_("Someone decided this review while you were looking at it; reload it.")
    category = ErrorCategory.CONFLICT


class ApplicationClosed(TansiqError):
    code = "application.closed"
    message = N_('The application is "{status}"; nothing more can be decided on it.')
    category = ErrorCategory.CONFLICT


class UnknownConditionCheckpoint(TansiqError):
    code = "review.unknown_checkpoint"
    message = N_('No checkpoint "{checkpoint}" for the via-checkpoints condition.')


@dataclass(frozen=True)
class ReviewPolicy:
    window: timedelta


def reference_of(application: ApplicationRecord) -> str:
    return f"TQ-{application.id:06d}"


def permit_cti(application: ApplicationRecord) -> str:
    """The permit's id in its token and on revocation lists, the same for every version."""
    return f"P-{application.id:06d}"


def permit_number(permit: PermitRecord) -> str:
    return f"P-{permit.application_id:06d}-{permit.version}"


def lock_application(session: Session, application_id: int) -> ApplicationRecord:
    """The application, locked for this transaction (PostgreSQL row lock; SQLite writers are
    already serialised), so two changes to one application never interleave."""
    application = ClearanceRepository(session).application_for_update(application_id)
    if application is None:
        raise ApplicationNotFound(application=application_id)
    return application


def record_transition(
    session: Session,
    application: ApplicationRecord,
    target: ApplicationStatus,
    actor: int | None,
    reason: Why,
    clock: Clock,
) -> None:
    current = ApplicationStatus(application.status)
    if current is target:
        return
    check_transition(current, target)
    application.status = target.value
    application.updated_at = clock.now()
    ClearanceRepository(session).add(
        TransitionRecord(
            application_id=application.id,
            from_status=current.value,
            to_status=target.value,
            actor_user_id=actor,
            at=clock.now(),
            reason=reason.message,
            reason_params={k: v[:2000] for k, v in reason.params.items()},
        )
    )


def tell(
    session: Session,
    party_id: int,
    notice: Notice,
    application: ApplicationRecord,
    clock: Clock,
    **params: str | int | float,
) -> None:
    notify_party(
        session,
        party_id=party_id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        params={"reference": reference_of(application), **params},
        subject=f"application:{application.id}",
        clock=clock,
    )


def municipality_ids(session: Session) -> list[int]:
    return [p.id for p in PartyRepository(session).parties(PartyKind.MUNICIPALITY.value)]


def party_name(session: Session, party_id: int) -> str:
    party = PartyRepository(session).party(party_id)
    return "" if party is None else (party.name_en or party.name_ar)


def open_review(
    session: Session,
    application: ApplicationRecord,
    review: ReviewRecord,
    *,
    policy: ReviewPolicy,
    clock: Clock,
    reopened: bool,
    changed: str = "",
    appeal: bool = False,
) -> None:
    """(Re)open ``review`` with a fresh deadline, its escalation jobs and a notice."""
    now = clock.now()
    if reopened:
        review.round += 1
    review.status = ReviewStatus.PENDING.value
    review.opened_at = now
    review.deadline = now + policy.window
    review.reminded_at = review.overdue_at = None
    review.decision = review.reason_code = review.decided_by = review.decided_at = None
    review.note = ""
    review.conditions = []
    review.is_appeal = appeal
    repo = ClearanceRepository(session)
    if review.id is None:
        repo.add(review)
    repo.flush()
    key = f"review:{review.id}:{review.round}"
    payload: dict[str, Any] = {"review_id": review.id, "round": review.round}
    enqueue(
        session,
        kind=JOB_REMIND,
        payload=payload,
        run_at=now + policy.window / 2,
        dedupe_key=f"{key}:remind",
    )
    enqueue(
        session,
        kind=JOB_OVERDUE,
        payload=payload,
        run_at=review.deadline,
        dedupe_key=f"{key}:overdue",
    )
    if appeal:
        return
    notice = REVIEW_REOPENED if reopened else REVIEW_OPENED
    content = repo.version(application.id, application.current_version)
    data = content.content if content else {}
    tell(
        session,
        review.authority_id,
        notice,
        application,
        clock,
        applicant=party_name(session, application.applicant_party_id),
        origin=str(data.get("origin", "")),
        destination=str(data.get("destination", "")),
        valid_from=application.valid_from.isoformat(),
        valid_until=application.valid_until.isoformat(),
        deadline=review.deadline.isoformat(),
        changed=changed,
    )


def decide_review(
    session: Session,
    principal: Principal,
    review_id: int,
    body: DecisionIn,
    clock: Clock,
    secret: str | None = None,
) -> ReviewRecord:
    """An authority's reviewer approves, approves with conditions, or rejects with a code."""
    repo = ClearanceRepository(session)
    found = repo.review(review_id)
    if found is None:
        raise ReviewNotFound(review=review_id)
    if not access.can_decide(principal, found.authority_id):
        raise Forbidden
    application = lock_application(session, found.application_id)
    session.refresh(found)
    ensure_open(session, application, clock)
    if found.status != ReviewStatus.PENDING:
        raise ReviewNotPending
    if found.lock_version != body.expected_version:
        raise ReviewConflict
    conditions = [
        Condition(
            kind=c.kind,
            checkpoints=tuple(normalise_text(x) for x in c.checkpoints),
            text=normalise_text(c.text),
        )
        for c in body.conditions
    ]
    reason = None if body.reason_code is None else body.reason_code.value
    note = normalise_text(body.note)
    check_decision(body.decision, conditions, reason, note, frozenset(NOTE_REQUIRED))
    _check_condition_checkpoints(session, conditions)

    now = clock.now()
    found.status = (
        ReviewStatus.REJECTED if body.decision is Decision.REJECT else ReviewStatus.APPROVED
    ).value
    found.decision = body.decision.value
    found.reason_code, found.note = reason, note
    found.conditions = [c.as_json() for c in conditions]
    found.decided_by, found.decided_at = principal.user_id, now
    repo.add(
        DecisionRecord(
            review_id=found.id,
            round=found.round,
            application_version=application.current_version,
            decision=found.decision,
            reason_code=reason,
            note=note,
            conditions=found.conditions,
            decided_by=principal.user_id,
            decided_at=now,
        )
    )
    try:
        repo.flush()
    except StaleDataError:
        raise ReviewConflict from None
    if found.is_appeal:
        appeal = repo.open_appeal(found.id)
        if appeal is not None:
            appeal.closed_at = now
            appeal.outcome = "overturned" if found.status == ReviewStatus.APPROVED else "upheld"
    authority = party_name(session, found.authority_id)
    if found.status == ReviewStatus.APPROVED:
        tell(
            session,
            application.applicant_party_id,
            APPROVED,
            application,
            clock,
            authority=authority,
            count=len(conditions),
        )
    else:
        tell(
            session,
            application.applicant_party_id,
            REJECTED,
            application,
            clock,
            authority=authority,
            reason_code=reason or "",
            note=note or "-",
        )
    settle(
        session,
        application,
        actor=principal.user_id,
        clock=clock,
        # The party's code: the history renders its name in each reader's language.
        reason=Why(DECIDED, {"party": _party_code(session, found.authority_id)}),
        secret=secret,
    )
    return found


def settle(
    session: Session,
    application: ApplicationRecord,
    *,
    actor: int | None,
    clock: Clock,
    reason: Why,
    secret: str | None = None,
) -> None:
    """Bring the application's status (and permit) in line with its reviews. With the hub's
    ``secret`` a new permit is also signed by every approving authority."""
    repo = ClearanceRepository(session)
    reviews = repo.reviews(application.id)
    statuses = [ReviewStatus(r.status) for r in reviews]
    before = ApplicationStatus(application.status)
    target = status_after_reviews(statuses)
    record_transition(session, application, target, actor, reason, clock)
    application.updated_at = clock.now()
    if target is ApplicationStatus.APPROVED and before is not ApplicationStatus.APPROVED:
        issue_permit(session, application, reviews, clock, secret=secret)
    if is_contradiction(statuses):
        names = {
            status: ", ".join(
                party_name(session, r.authority_id) for r in reviews if r.status == status
            )
            for status in (ReviewStatus.APPROVED, ReviewStatus.REJECTED)
        }
        tell(
            session,
            application.applicant_party_id,
            CONTRADICTION,
            application,
            clock,
            approved=names[ReviewStatus.APPROVED],
            rejected=names[ReviewStatus.REJECTED],
        )


def retire_permits(
    session: Session,
    application: ApplicationRecord,
    status: PermitStatus,
    clock: Clock,
    actor: int | None = None,
) -> None:
    for permit in ClearanceRepository(session).permits(application.id):
        if permit.status in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED):
            permit.status = status.value
            permit.status_changed_at, permit.status_changed_by = clock.now(), actor


def issue_permit(
    session: Session,
    application: ApplicationRecord,
    reviews: list[ReviewRecord] | Any,
    clock: Clock,
    secret: str | None = None,
) -> PermitRecord:
    """A new permit version carrying every approval's conditions; older versions retire."""
    repo = ClearanceRepository(session)
    if secret is not None:
        # Keys first: a key made after the permit's issue time would not be trusted for it.
        for review in reviews:
            if review.status == ReviewStatus.APPROVED:
                ensure_permit_key(session, review.authority_id, secret, clock)
    retire_permits(session, application, PermitStatus.SUPERSEDED, clock)
    approved = [r for r in reviews if r.status == ReviewStatus.APPROVED]
    permit = PermitRecord(
        application_id=application.id,
        version=len(repo.permits(application.id)) + 1,
        application_version=application.current_version,
        status=PermitStatus.ACTIVE.value,
        issued_at=clock.now(),
        valid_from=application.valid_from,
        valid_until=application.valid_until,
        authority_ids=sorted(r.authority_id for r in approved),
        conditions=[{"authority_id": r.authority_id, **c} for r in approved for c in r.conditions],
        status_note="",
    )
    repo.add(permit)
    repo.flush()
    if secret is not None:
        sign_permit(session, application, permit, secret, clock)
    schedule_expiry(session, application)
    params = {
        "permit": permit_number(permit),
        "valid_from": permit.valid_from.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
    }
    for party_id in {application.applicant_party_id, *permit.authority_ids}:
        tell(session, party_id, PERMIT_ISSUED, application, clock, **params)
    return permit


def announce_appeal(
    session: Session,
    application: ApplicationRecord,
    review: ReviewRecord,
    grounds: str,
    clock: Clock,
) -> None:
    params = {
        "applicant": party_name(session, application.applicant_party_id),
        "authority": party_name(session, review.authority_id),
        "grounds": grounds,
    }
    for party_id in {review.authority_id, *municipality_ids(session)}:
        tell(session, party_id, APPEAL_OPENED, application, clock, **params)


def _check_condition_checkpoints(session: Session, conditions: list[Condition]) -> None:
    wanted = {
        code
        for c in conditions
        if c.kind is ConditionKind.VIA_CHECKPOINTS
        for code in c.checkpoints
    }
    known = GeoRepository(session).checkpoints_by_codes(wanted)
    for code in sorted(wanted - set(known)):
        raise UnknownConditionCheckpoint(checkpoint=code[:40])


# Escalation jobs: each checks that the review is still the one it was scheduled for (same
# round, still pending), so a decision or a reopening makes the old jobs harmless.


def remind_review(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    review = _still_pending(session, payload)
    if review is None or review.reminded_at is not None:
        return
    review.reminded_at = clock.now()
    application = lock_application(session, review.application_id)
    tell(
        session,
        review.authority_id,
        REVIEW_REMINDER,
        application,
        clock,
        deadline=review.deadline.isoformat(),
    )


def mark_overdue(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    review = _still_pending(session, payload)
    if review is None or review.overdue_at is not None:
        return
    review.overdue_at = clock.now()
    application = lock_application(session, review.application_id)
    deadline = review.deadline.isoformat()
    tell(session, review.authority_id, REVIEW_OVERDUE, application, clock, deadline=deadline)
    authority = party_name(session, review.authority_id)
    for party_id in {application.applicant_party_id, *municipality_ids(session)}:
        tell(
            session,
            party_id,
            APPLICATION_OVERDUE,
            application,
            clock,
            authority=authority,
            deadline=deadline,
        )


def expire_application(session: Session, payload: dict[str, Any], clock: Clock) -> None:
    repo = ClearanceRepository(session)
    if repo.application(int(payload["application_id"])) is None:
        return
    application = lock_application(session, int(payload["application_id"]))
    if application.status in FINAL:
        return
    if application.valid_until > clock.now():
        return  # the window was extended by an amendment; a later job will see to it
    close_application(
        session,
        application,
        ApplicationStatus.EXPIRED,
        None,
        Why(WINDOW_ENDED),
        PermitStatus.EXPIRED,
        clock,
    )


def close_application(
    session: Session,
    application: ApplicationRecord,
    target: ApplicationStatus,
    actor: int | None,
    reason: Why,
    permits: PermitStatus,
    clock: Clock,
) -> None:
    """Withdrawn or expired: the status, the permits, and every review still waiting (so no
    reminder or overdue flag follows an application that has ended)."""
    record_transition(session, application, target, actor, reason, clock)
    retire_permits(session, application, permits, clock, actor)
    repo = ClearanceRepository(session)
    for review in repo.reviews(application.id):
        if review.status == ReviewStatus.PENDING:
            review.status = ReviewStatus.DROPPED.value
        appeal = repo.open_appeal(review.id)
        if appeal is not None:
            appeal.closed_at, appeal.outcome = clock.now(), "closed"


def ensure_open(session: Session, application: ApplicationRecord, clock: Clock) -> None:
    """Refuse to act on an ended application, or one whose window has passed (the expiry
    job, scheduled at submission, records the end)."""
    if application.status in FINAL:
        raise ApplicationClosed(status=application.status)
    if application.valid_until <= clock.now():
        raise ApplicationClosed(status=ApplicationStatus.EXPIRED.value)


def schedule_expiry(session: Session, application: ApplicationRecord) -> None:
    enqueue(
        session,
        kind=JOB_EXPIRE,
        payload={"application_id": application.id},
        run_at=application.valid_until,
        dedupe_key=f"application:{application.id}:expire:{application.valid_until.isoformat()}",
    )


def _still_pending(session: Session, payload: dict[str, Any]) -> ReviewRecord | None:
    repo = ClearanceRepository(session)
    review = repo.review(int(payload["review_id"]))
    if review is None or review.status != ReviewStatus.PENDING:
        return None
    if review.round != int(payload["round"]):
        return None
    application = repo.application(review.application_id)
    if application is None or application.status in FINAL:
        return None
    return review


def job_handlers() -> dict[str, Any]:
    return {JOB_REMIND: remind_review, JOB_OVERDUE: mark_overdue, JOB_EXPIRE: expire_application}


def _party_code(session: Session, party_id: int) -> str:
    party = PartyRepository(session).party(party_id)
    return "" if party is None else party.code
