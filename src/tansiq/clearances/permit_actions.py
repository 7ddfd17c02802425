"""A permit's life after issue: any authority that approved it may suspend, reinstate or
revoke it. Services flush; the edge commits."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tansiq.clearances import access
from tansiq.clearances.applications import ensure_open, lock_application, permit_cti, permit_number
from tansiq.clearances.domain import PERMIT_ACTIONS, PermitAction
from tansiq.clearances.errors import PermitNotFound, PermitStateConflict
from tansiq.clearances.messages import PERMIT_REINSTATED, PERMIT_REVOKED, PERMIT_SUSPENDED
from tansiq.clearances.models import PermitRecord
from tansiq.clearances.notices import party_name, tell
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import PermitActionIn
from tansiq.clearances.service import ClearanceEnv, visible
from tansiq.core.errors import Forbidden
from tansiq.core.text import normalise_text
from tansiq.parties.domain import Principal
from tansiq.permits.service import record_revocation
from tansiq.permits.trust import RevocationStatus

REVOCATION_BY_ACTION = {
    PermitAction.SUSPEND: RevocationStatus.SUSPENDED,
    PermitAction.REVOKE: RevocationStatus.REVOKED,
    PermitAction.REINSTATE: RevocationStatus.REINSTATED,
}
NOTICE_BY_ACTION = {
    PermitAction.SUSPEND: PERMIT_SUSPENDED,
    PermitAction.REVOKE: PERMIT_REVOKED,
    PermitAction.REINSTATE: PERMIT_REINSTATED,
}


def change_permit(
    session: Session,
    principal: Principal,
    permit_id: int,
    action: PermitAction,
    body: PermitActionIn,
    env: ClearanceEnv,
) -> PermitRecord:
    """Suspend, reinstate or revoke a permit: any authority that approved it may."""
    repo = ClearanceRepository(session)
    permit = repo.permit(permit_id)
    application = None if permit is None else repo.application(permit.application_id)
    if permit is None or application is None or not visible(session, principal, application):
        raise PermitNotFound(permit=permit_id)
    if not access.can_change_permit(principal, frozenset(permit.authority_ids)):
        raise Forbidden
    application = lock_application(session, permit.application_id)
    session.refresh(permit)
    if action is PermitAction.REINSTATE:
        ensure_open(session, application, env.clock)
    allowed, target = PERMIT_ACTIONS[action]
    if permit.status not in allowed:
        raise PermitStateConflict(status=permit.status, action=action.value)
    notice = NOTICE_BY_ACTION[action]
    permit.status = target
    permit.status_changed_at, permit.status_changed_by = env.clock.now(), principal.user_id
    permit.status_reason_code = body.reason_code.value
    permit.status_note = normalise_text(body.note)
    params = {
        "permit": permit_number(permit),
        "authority": party_name(session, principal.party_id),
        "reason_code": body.reason_code.value,
        "note": permit.status_note or "-",
    }
    for party_id in {application.applicant_party_id, *permit.authority_ids}:
        tell(session, party_id, notice, application, env.clock, **params)
    repo.flush()
    if env.secret_key is not None:
        # Checkpoints learn of it through the next signed revocation delta they pull.
        record_revocation(
            session,
            cti=permit_cti(application),
            version=permit.version,
            status=REVOCATION_BY_ACTION[action],
            reason=body.reason_code.value,
            secret=env.secret_key,
            clock=env.clock,
        )
    return permit
