"""What follows from the reviews' decisions: the application's status and, once every
authority approved, a new signed permit. Services flush; the edge commits."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from tansiq.clearances.applications import record_transition
from tansiq.clearances.domain import (
    ApplicationStatus,
    ReviewStatus,
    is_contradiction,
    status_after_reviews,
)
from tansiq.clearances.escalation import schedule_expiry
from tansiq.clearances.messages import (
    CONTRADICTION,
    PERMIT_ISSUED,
    Why,
)
from tansiq.clearances.models import ApplicationRecord, ReviewRecord
from tansiq.clearances.notices import parties_listed, tell
from tansiq.clearances.permit_terms import permit_terms
from tansiq.clearances.repository import ClearanceRepository
from tansiq.core.clock import Clock
from tansiq.permits import lifecycle
from tansiq.permits.models import PermitRecord


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
    statuses = [r.status for r in reviews]
    before = application.status
    target = status_after_reviews(statuses)
    record_transition(session, application, target, actor, reason, clock)
    application.updated_at = clock.now()
    if target is ApplicationStatus.APPROVED and before is not ApplicationStatus.APPROVED:
        issue_permit(session, application, reviews, clock, secret=secret)
    if is_contradiction(statuses):
        names = {
            key: parties_listed(
                session, key, [r.authority_id for r in reviews if r.status == status]
            )
            for key, status in (
                ("approved", ReviewStatus.APPROVED),
                ("rejected", ReviewStatus.REJECTED),
            )
        }
        tell(
            session,
            application.applicant_party_id,
            CONTRADICTION,
            application,
            clock,
            **names["approved"],
            **names["rejected"],
        )


def issue_permit(
    session: Session,
    application: ApplicationRecord,
    reviews: Sequence[ReviewRecord],
    clock: Clock,
    secret: str | None = None,
) -> PermitRecord:
    """Ask ``permits`` for a new version carrying every approval's conditions (older
    versions retire there), then tell the applicant and the signers."""
    permit = lifecycle.issue_permit(
        session, permit_terms(session, application, reviews), clock, secret=secret
    )
    schedule_expiry(session, application)
    params = {
        "permit": permit.number,
        "valid_from": permit.valid_from.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
    }
    for party_id in {application.applicant_party_id, *permit.authority_ids}:
        tell(session, party_id, PERMIT_ISSUED, application, clock, **params)
    return permit
