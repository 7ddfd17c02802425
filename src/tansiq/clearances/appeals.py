"""An applicant's appeal of a rejection: the rejecting authority's review reopens as a joint
review the municipality sees. Services flush; the edge commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances.domain import ReviewStatus
from tansiq.clearances.errors import AppealDecided, AppealOpen, NotRejected
from tansiq.clearances.messages import APPEALED, Why
from tansiq.clearances.models import AppealRecord, ApplicationRecord
from tansiq.clearances.notices import announce_appeal
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.reviews import open_review
from tansiq.clearances.schemas import AppealIn
from tansiq.clearances.service import ClearanceEnv, own_application
from tansiq.clearances.settlement import settle
from tansiq.core.errors import NotFound
from tansiq.core.text import normalise_text
from tansiq.parties.domain import Principal
from tansiq.tallies.domain import OPEN_APPEAL, Tally
from tansiq.tallies.service import tally_one


def appeal_rejection(
    session: Session, principal: Principal, application_id: int, body: AppealIn, env: ClearanceEnv
) -> AppealRecord:
    """Reopen a rejecting authority's review as a joint review the municipality sees."""
    application = own_application(session, principal, application_id, env)
    repo = ClearanceRepository(session)
    review = repo.review(body.review_id)
    if review is None or review.application_id != application.id:
        raise NotFound
    if review.status != ReviewStatus.REJECTED:
        raise NotRejected
    if repo.open_appeal(review.id) is not None:
        raise AppealOpen
    if _upheld_since_last_change(session, application, review.id):
        raise AppealDecided
    grounds = normalise_text(body.grounds)
    appeal = AppealRecord(
        application_id=application.id,
        review_id=review.id,
        grounds=grounds,
        opened_by=principal.user_id,
        opened_at=env.clock.now(),
    )
    repo.add(appeal)
    tally_one(
        session, Tally.APPEALED, appeal.opened_at, party=review.authority_id, reason=OPEN_APPEAL
    )
    open_review(
        session,
        application,
        review,
        policy=env.reviews,
        clock=env.clock,
        reopened=True,
        appeal=True,
    )
    announce_appeal(session, application, review, grounds, env.clock)
    settle(
        session,
        application,
        actor=principal.user_id,
        clock=env.clock,
        reason=Why(APPEALED),
        secret=env.secret_key,
    )
    return appeal


def _upheld_since_last_change(
    session: Session, application: ApplicationRecord, review_id: int
) -> bool:
    """One appeal per rejection: after an upheld appeal, only an amendment reopens it."""
    repo = ClearanceRepository(session)
    version = repo.version(application.id, application.current_version)
    since = version.created_at if version is not None else application.created_at
    return any(
        appeal.review_id == review_id and appeal.outcome == "upheld" and appeal.opened_at >= since
        for appeal in repo.appeals(application.id)
    )
