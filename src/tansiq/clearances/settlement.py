"""What follows from the reviews' decisions: the application's status and, once every
authority approved, a new signed permit. Services flush; the edge commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tansiq.clearances.applications import permit_number, record_transition, retire_permits
from tansiq.clearances.domain import (
    ApplicationStatus,
    PermitStatus,
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
from tansiq.clearances.models import (
    ApplicationRecord,
    PermitRecord,
    ReviewRecord,
)
from tansiq.clearances.notices import party_name, tell
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.signing import sign_permit
from tansiq.core.clock import Clock
from tansiq.permits.service import ensure_permit_key


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
        status=PermitStatus.ACTIVE,
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
