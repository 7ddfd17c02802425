"""Escalation jobs of an application: a reminder halfway to a review's deadline, the overdue
flag at it, and the application's expiry when its window ends."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tansiq.clearances.applications import close_application, lock_application
from tansiq.clearances.domain import FINAL, ApplicationStatus, ReviewStatus
from tansiq.clearances.messages import (
    APPLICATION_OVERDUE,
    REVIEW_OVERDUE,
    REVIEW_REMINDER,
    WINDOW_ENDED,
    Why,
)
from tansiq.clearances.models import (
    ApplicationRecord,
    ReviewRecord,
)
from tansiq.clearances.notices import municipality_ids, party_names, tell
from tansiq.clearances.repository import ClearanceRepository
from tansiq.core.clock import Clock
from tansiq.jobs.service import enqueue
from tansiq.permits.domain import PermitStatus
from tansiq.tallies.domain import Tally
from tansiq.tallies.service import tally_one

JOB_REMIND = "clearances.review_reminder"
JOB_OVERDUE = "clearances.review_overdue"
JOB_EXPIRE = "clearances.application_expiry"


def schedule_expiry(session: Session, application: ApplicationRecord) -> None:
    enqueue(
        session,
        kind=JOB_EXPIRE,
        payload={"application_id": application.id},
        run_at=application.valid_until,
        dedupe_key=f"application:{application.id}:expire:{application.valid_until.isoformat()}",
    )


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
    tally_one(session, Tally.OVERDUE, review.overdue_at, party=review.authority_id)
    application = lock_application(session, review.application_id)
    deadline = review.deadline.isoformat()
    tell(session, review.authority_id, REVIEW_OVERDUE, application, clock, deadline=deadline)
    authority = party_names(session, "authority", review.authority_id)
    for party_id in {application.applicant_party_id, *municipality_ids(session)}:
        tell(
            session,
            party_id,
            APPLICATION_OVERDUE,
            application,
            clock,
            **authority,
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
