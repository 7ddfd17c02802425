"""HTTP API for applications, reviews and permits: parse → service → render."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from tansiq.clearances import reviews, service
from tansiq.clearances.domain import ApplicationStatus
from tansiq.clearances.render import application_out, permit_out, reason_list, summary_out
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import (
    AmendmentIn,
    AppealIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationSummaryOut,
    DecisionIn,
    PermitActionIn,
    PermitOut,
    ReasonOut,
    ReviewOut,
    WithdrawIn,
)
from tansiq.context import CurrentPrincipal, DbSession, Hub, HubContext, RecordId

router = APIRouter(prefix="/api/v1", tags=["clearances"])


def env(hub: HubContext) -> service.ClearanceEnv:
    return service.ClearanceEnv.of(hub.settings, hub.clock, hub.spatial_index)


@router.get("/reason-codes")
def reason_codes() -> list[ReasonOut]:
    """The one shared, bilingual list of reason codes for rejections and refusals."""
    return reason_list()


@router.post("/applications", status_code=status.HTTP_201_CREATED)
def submit_application(
    body: ApplicationIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> ApplicationOut:
    """Apply once; the hub opens one review per authority whose zone or checkpoint the
    route touches. Sending the same ``client_reference`` again returns the same application."""
    application = service.submit_application(session, me, body, env(hub))
    return application_out(session, application)


@router.get("/applications")
def list_applications(
    session: DbSession,
    me: CurrentPrincipal,
    status_: Annotated[ApplicationStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[ApplicationSummaryOut]:
    """The applications you may see: your own, those that need your authority, or (for the
    municipality) those under appeal or overdue."""
    found = service.list_applications(
        session, me, status=None if status_ is None else status_.value, limit=limit, offset=offset
    )
    return [summary_out(session, a) for a in found]


@router.get("/applications/{application_id}")
def get_application(
    application_id: RecordId, session: DbSession, me: CurrentPrincipal
) -> ApplicationOut:
    return application_out(session, service.get_application(session, me, application_id))


@router.post("/applications/{application_id}/submit")
def submit_draft(
    application_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> ApplicationOut:
    application = service.submit_draft(session, me, application_id, env(hub))
    return application_out(session, application)


@router.post("/applications/{application_id}/amendments")
def amend_application(
    application_id: RecordId, body: AmendmentIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> ApplicationOut:
    """Change route, cargo, vehicle, driver or window; only the reviews it touches reopen."""
    application = service.amend_application(session, me, application_id, body, env(hub))
    return application_out(session, application)


@router.post("/applications/{application_id}/withdrawal")
def withdraw_application(
    application_id: RecordId, body: WithdrawIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> ApplicationOut:
    application = service.withdraw_application(session, me, application_id, body.reason, env(hub))
    return application_out(session, application)


@router.post("/applications/{application_id}/appeals", status_code=status.HTTP_201_CREATED)
def appeal_rejection(
    application_id: RecordId, body: AppealIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> ApplicationOut:
    """Appeal a rejection: the authority reviews again, jointly visible to the municipality."""
    service.appeal_rejection(session, me, application_id, body, env(hub))
    return application_out(session, service.get_application(session, me, application_id))


@router.get("/reviews")
def my_reviews(session: DbSession, me: CurrentPrincipal) -> list[ReviewOut]:
    """Your authority's pending reviews, nearest deadline first."""
    out: list[ReviewOut] = []
    for review in ClearanceRepository(session).pending_reviews_of(me.party_id):
        application = service.get_application(session, me, review.application_id)
        shown = application_out(session, application)
        out.extend(r for r in shown.reviews if r.id == review.id)
    return out


@router.post("/reviews/{review_id}/decision")
def decide_review(
    review_id: RecordId, body: DecisionIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> ApplicationOut:
    """Approve, approve with conditions, or reject with a reason code. Send the review's
    ``lock_version`` as ``expected_version``: a decision on a stale view is refused."""
    review = reviews.decide_review(session, me, review_id, body, hub.clock)
    return application_out(session, service.get_application(session, me, review.application_id))


@router.post("/permits/{permit_id}/{action}")
def change_permit(
    permit_id: RecordId,
    action: Literal["suspend", "reinstate", "revoke"],
    body: PermitActionIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
) -> PermitOut:
    """Suspend, reinstate or revoke a permit (any authority that approved it)."""
    permit = service.change_permit(session, me, permit_id, action, body, env(hub))
    return permit_out(session, permit)
