"""The application one acts on: finding and locking it, refusing an ended one, recording its
status transitions, ending it with its permits, and the number it goes by. Services flush;
the edge commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances.domain import (
    FINAL,
    ApplicationStatus,
    ReviewStatus,
    check_transition,
)
from tansiq.clearances.ledger_facts import transition_content, transition_kind
from tansiq.clearances.messages import (
    Why,
)
from tansiq.clearances.models import ApplicationRecord, TransitionRecord
from tansiq.clearances.repository import ClearanceRepository
from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorCategory, NotFound, TansiqError
from tansiq.core.i18n import N_
from tansiq.ledger.service import record_entry
from tansiq.permits.domain import PermitStatus
from tansiq.permits.lifecycle import retire_permits
from tansiq.tallies.service import tally_appeal_closed


class ApplicationNotFound(NotFound):
    code = "application.not_found"
    message = N_("No application {application}.")


class ApplicationClosed(TansiqError):
    code = "application.closed"
    message = N_('The application is "{status}"; nothing more can be decided on it.')
    category = ErrorCategory.CONFLICT


def reference_of(application: ApplicationRecord) -> str:
    return f"TQ-{application.id:06d}"


def lock_application(session: Session, application_id: int) -> ApplicationRecord:
    """The application, locked for this transaction (PostgreSQL row lock; SQLite writers are
    already serialised), so two changes to one application never interleave."""
    application = ClearanceRepository(session).application_for_update(application_id)
    if application is None:
        raise ApplicationNotFound(application=application_id)
    return application


def ensure_open(session: Session, application: ApplicationRecord, clock: Clock) -> None:
    """Refuse to act on an ended application, or one whose window has passed (the expiry
    job, scheduled at submission, records the end)."""
    if application.status in FINAL:
        raise ApplicationClosed(status=application.status)
    if application.valid_until <= clock.now():
        raise ApplicationClosed(status=ApplicationStatus.EXPIRED.value)


def record_transition(
    session: Session,
    application: ApplicationRecord,
    target: ApplicationStatus,
    actor: int | None,
    reason: Why,
    clock: Clock,
) -> None:
    current = application.status
    if current is target:
        return
    check_transition(current, target)
    application.status = target
    application.updated_at = clock.now()
    transition = TransitionRecord(
        application_id=application.id,
        from_status=current,
        to_status=target,
        application_version=application.current_version,
        actor_user_id=actor,
        at=clock.now(),
        reason=reason.message,
        reason_params={k: v[:2000] for k, v in reason.params.items()},
    )
    ClearanceRepository(session).add(transition)
    record_entry(
        session,
        kind=transition_kind(target),
        subject=f"application:{application.id}",
        content=transition_content(transition),
        at=application.updated_at,
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
    retire_permits(session, application.id, permits, clock, actor)
    repo = ClearanceRepository(session)
    for review in repo.reviews(application.id):
        if review.status == ReviewStatus.PENDING:
            review.status = ReviewStatus.DROPPED
        appeal = repo.open_appeal(review.id)
        if appeal is not None:
            appeal.closed_at, appeal.outcome = clock.now(), "closed"
            tally_appeal_closed(session, review.authority_id, appeal.opened_at, appeal.outcome)
