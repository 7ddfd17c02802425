"""A permit's life after issue, as its application's parties see it: who may suspend,
reinstate or revoke it (any authority that approved it), and who is told. The change itself
is ``permits``'. Services flush; the edge commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances import access
from tansiq.clearances.applications import ensure_open, lock_application
from tansiq.clearances.messages import PERMIT_REINSTATED, PERMIT_REVOKED, PERMIT_SUSPENDED
from tansiq.clearances.models import ApplicationRecord
from tansiq.clearances.notices import party_names, reason_message, tell
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import PermitActionIn
from tansiq.clearances.service import ClearanceEnv, visible
from tansiq.core.errors import Forbidden
from tansiq.parties.domain import Principal
from tansiq.permits import lifecycle
from tansiq.permits.domain import PermitAction, PermitNotFound
from tansiq.permits.models import PermitRecord
from tansiq.permits.repository import PermitRepository

NOTICE_BY_ACTION = {
    PermitAction.SUSPEND: PERMIT_SUSPENDED,
    PermitAction.REVOKE: PERMIT_REVOKED,
    PermitAction.REINSTATE: PERMIT_REINSTATED,
}


def visible_permit(
    session: Session, principal: Principal, permit_id: int
) -> tuple[ApplicationRecord, PermitRecord]:
    """The permit and its application, if ``principal`` may see the application; otherwise
    "not found" (need-to-know)."""
    permit = PermitRepository(session).permit(permit_id)
    application = (
        None if permit is None else ClearanceRepository(session).application(permit.reference)
    )
    if permit is None or application is None or not visible(session, principal, application):
        raise PermitNotFound(permit=permit_id)
    return application, permit


def change_permit(
    session: Session,
    principal: Principal,
    permit_id: int,
    action: PermitAction,
    body: PermitActionIn,
    env: ClearanceEnv,
) -> PermitRecord:
    """Suspend, reinstate or revoke a permit: any authority that approved it may."""
    _, permit = visible_permit(session, principal, permit_id)
    if not access.can_change_permit(principal, frozenset(permit.authority_ids)):
        raise Forbidden
    application = lock_application(session, permit.reference)
    session.refresh(permit)
    if action is PermitAction.REINSTATE:
        ensure_open(session, application, env.clock)
    lifecycle.change_permit(
        session,
        permit,
        action,
        actor=principal.user_id,
        reason_code=body.reason_code.value,
        note=body.note,
        clock=env.clock,
        secret=env.secret_key,
    )
    params = {
        "permit": permit.number,
        **party_names(session, "authority", principal.party_id),
        "reason_code": body.reason_code.value,
        "reason_msg": reason_message(body.reason_code.value),
        "note": permit.status_note or "-",
    }
    for party_id in {application.applicant_party_id, *permit.authority_ids}:
        tell(session, party_id, NOTICE_BY_ACTION[action], application, env.clock, **params)
    PermitRepository(session).flush()
    return permit
