"""A reviewer's authority's work, as the pages show it: the reviews waiting for it, soonest
deadline first, and the decisions it took, newest first. Each read in a fixed number of
queries however many rows there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tansiq.clearances.applications import reference_of
from tansiq.clearances.domain import Decision
from tansiq.clearances.reasons import ReasonCode
from tansiq.clearances.repository import ClearanceRepository
from tansiq.core.clock import ensure_utc
from tansiq.parties.directory import usernames
from tansiq.parties.domain import Principal


@dataclass(frozen=True)
class WaitingReview:
    application_id: int
    reference: str
    origin: str
    destination: str
    deadline: datetime
    left: timedelta
    appeal: bool = False  # reopened because the applicant appealed this authority's refusal

    @property
    def overdue(self) -> bool:
        return self.left <= timedelta(0)


@dataclass(frozen=True)
class DecidedReview:
    application_id: int
    reference: str
    round: int
    version: int
    decision: Decision
    reason_code: ReasonCode | None
    note: str
    by: str
    at: datetime


def waiting_reviews(
    session: Session, me: Principal, now: datetime, *, limit: int
) -> list[WaitingReview]:
    """The reviews waiting for ``me``'s authority (reading them is what a reviewer may do)."""
    queue = ClearanceRepository(session).pending_queue_of(me.party_id, limit)
    return [
        WaitingReview(
            application_id=application.id,
            reference=reference_of(application),
            origin=version.content.get("origin", ""),
            destination=version.content.get("destination", ""),
            deadline=ensure_utc(review.deadline),
            left=ensure_utc(review.deadline) - now,
            appeal=review.is_appeal,
        )
        for review, application, version in queue
    ]


def decided_reviews(session: Session, me: Principal, *, limit: int) -> list[DecidedReview]:
    """What ``me``'s authority decided, newest first, each with who took the decision."""
    repo = ClearanceRepository(session)
    decided = repo.decisions_of(me.party_id, limit)
    applications = repo.applications_by_ids({review.application_id for _, review in decided})
    names = usernames(session, {decision.decided_by for decision, _ in decided})
    return [
        DecidedReview(
            application_id=review.application_id,
            reference=""
            if (application := applications.get(review.application_id)) is None
            else reference_of(application),
            round=decision.round,
            version=decision.application_version,
            decision=Decision(decision.decision),
            reason_code=None if decision.reason_code is None else ReasonCode(decision.reason_code),
            note=decision.note,
            by=names.get(decision.decided_by, ""),
            at=ensure_utc(decision.decided_at),
        )
        for decision, review in decided
    ]
