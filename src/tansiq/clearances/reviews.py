"""Reviews: opening them with deadlines and their escalation jobs, and an authority's
decision. Services flush; the edge commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tansiq.clearances import access
from tansiq.clearances.applications import ensure_open, lock_application
from tansiq.clearances.domain import Decision, ReviewStatus, check_decision
from tansiq.clearances.escalation import JOB_OVERDUE, JOB_REMIND
from tansiq.clearances.ledger_facts import decision_content, decision_kind
from tansiq.clearances.messages import (
    APPROVED,
    APPROVED_WITH_CONDITIONS,
    DECIDED,
    REJECTED,
    REVIEW_OPENED,
    REVIEW_REOPENED,
    Why,
)
from tansiq.clearances.models import (
    ApplicationRecord,
    DecisionRecord,
    ReviewRecord,
)
from tansiq.clearances.notices import (
    changed_listed,
    conditions_listed,
    party_code,
    party_names,
    reason_message,
    tell,
)
from tansiq.clearances.permit_terms import ensure_permit_fits
from tansiq.clearances.reasons import NOTE_REQUIRED
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import DecisionIn
from tansiq.clearances.settlement import settle
from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorCategory, Forbidden, NotFound, TansiqError
from tansiq.core.i18n import N_
from tansiq.core.text import normalise_text
from tansiq.geo.repository import GeoRepository
from tansiq.jobs.service import enqueue
from tansiq.ledger.service import record_entry
from tansiq.parties.domain import Principal
from tansiq.permits.domain import Condition, ConditionKind
from tansiq.tallies.domain import Tally
from tansiq.tallies.service import tally_appeal_closed, tally_decision, tally_one


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


class UnknownConditionCheckpoint(TansiqError):
    code = "review.unknown_checkpoint"
    message = N_('No checkpoint "{checkpoint}" for the via-checkpoints condition.')


@dataclass(frozen=True)
class ReviewPolicy:
    window: timedelta


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
    review.status = ReviewStatus.PENDING
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
    if not reopened:  # the application reached this authority: counted on the day it was made
        tally_one(session, Tally.RECEIVED, application.created_at, party=review.authority_id)
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
        **party_names(session, "applicant", application.applicant_party_id),
        origin=str(data.get("origin", "")),
        destination=str(data.get("destination", "")),
        valid_from=application.valid_from.isoformat(),
        valid_until=application.valid_until.isoformat(),
        deadline=review.deadline.isoformat(),
        **changed_listed([part for part in changed.split(", ") if part]),
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
    opened_at = found.opened_at
    found.status = (
        ReviewStatus.REJECTED if body.decision is Decision.REJECT else ReviewStatus.APPROVED
    )
    found.decision = body.decision.value
    found.reason_code, found.note = reason, note
    found.conditions = [c.as_json() for c in conditions]
    found.decided_by, found.decided_at = principal.user_id, now
    decision = DecisionRecord(
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
    repo.add(decision)
    try:
        repo.flush()
    except StaleDataError:
        raise ReviewConflict from None
    tally_decision(
        session,
        found.authority_id,
        now,
        opened_at=opened_at,
        approved=found.status == ReviewStatus.APPROVED,
        reason=reason,
    )
    record_entry(
        session,
        kind=decision_kind(decision.decision),
        subject=f"review:{found.id}",
        content=decision_content(found, decision),
        at=now,
    )
    if found.is_appeal:
        appeal = repo.open_appeal(found.id)
        if appeal is not None:
            appeal.closed_at = now
            appeal.outcome = "overturned" if found.status == ReviewStatus.APPROVED else "upheld"
            tally_appeal_closed(session, found.authority_id, appeal.opened_at, appeal.outcome)
    authority = party_names(session, "authority", found.authority_id)
    if found.status == ReviewStatus.APPROVED and conditions:
        tell(
            session,
            application.applicant_party_id,
            APPROVED_WITH_CONDITIONS,
            application,
            clock,
            **authority,
            **conditions_listed(session, conditions),
            count=len(conditions),
        )
    elif found.status == ReviewStatus.APPROVED:
        tell(session, application.applicant_party_id, APPROVED, application, clock, **authority)
    else:
        tell(
            session,
            application.applicant_party_id,
            REJECTED,
            application,
            clock,
            **authority,
            reason_code=reason or "",
            reason_msg=reason_message(reason),
            note=note or "-",
        )
    ensure_permit_fits(session, application, clock)
    settle(
        session,
        application,
        actor=principal.user_id,
        clock=clock,
        # The party's code: the history renders its name in each reader's language.
        reason=Why(DECIDED, {"party": party_code(session, found.authority_id)}),
        secret=secret,
    )
    return found


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
