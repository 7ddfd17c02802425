"""HTTP API for applications, reviews and permits: parse → service → render."""

from __future__ import annotations

import base64
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from tansiq.clearances import appeals, permit_actions, reviews, service
from tansiq.clearances.domain import ApplicationStatus
from tansiq.clearances.permit_actions import visible_permit
from tansiq.clearances.permit_terms import render_permit
from tansiq.clearances.render import (
    application_out,
    applications_out,
    permit_out,
    permits_out,
    reason_list,
    summaries_out,
)
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
from tansiq.context import HubContext
from tansiq.core.localtime import zone_named
from tansiq.geo.service import spatial_index_cache
from tansiq.parties.deps import CurrentPrincipal
from tansiq.permits import signing as permit_signing
from tansiq.permits.domain import PermitAction, PermitStatus
from tansiq.permits.qr import make_qr
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import TokenNotFound
from tansiq.web.deps import DbSession, Hub, RecordId, RequestLocale, reads_only

router = APIRouter(prefix="/api/v1", tags=["clearances"])


def env(hub: HubContext) -> service.ClearanceEnv:
    return service.ClearanceEnv.of(
        hub.settings, hub.clock, spatial_index_cache(hub.caches, hub.settings.metric_epsg)
    )


@router.get("/reason-codes")
def reason_codes() -> list[ReasonOut]:
    """The one shared, bilingual list of reason codes for rejections and refusals."""
    return reason_list()


@router.post("/applications", status_code=status.HTTP_201_CREATED)
@reads_only  # until the route is resolved: the service starts writing after
def submit_application(
    body: ApplicationIn, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> ApplicationOut:
    """Apply once; the hub opens one review per authority whose zone or checkpoint the
    route touches. Sending the same ``client_reference`` again returns the same application."""
    application = service.submit_application(session, me, body, env(hub))
    return application_out(session, application, locale)


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
    return summaries_out(session, found)


@router.get("/applications/{application_id}")
def get_application(
    application_id: RecordId, session: DbSession, me: CurrentPrincipal, locale: RequestLocale
) -> ApplicationOut:
    return application_out(session, service.get_application(session, me, application_id), locale)


@router.post("/applications/{application_id}/submit")
@reads_only  # until the route is resolved: the service starts writing after
def submit_draft(
    application_id: RecordId,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> ApplicationOut:
    application = service.submit_draft(session, me, application_id, env(hub))
    return application_out(session, application, locale)


@router.post("/applications/{application_id}/amendments")
@reads_only  # until the route is resolved: the service starts writing after
def amend_application(
    application_id: RecordId,
    body: AmendmentIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> ApplicationOut:
    """Change route, cargo, vehicle, driver or window; only the reviews it touches reopen."""
    application = service.amend_application(session, me, application_id, body, env(hub))
    return application_out(session, application, locale)


@router.post("/applications/{application_id}/withdrawal")
def withdraw_application(
    application_id: RecordId,
    body: WithdrawIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> ApplicationOut:
    application = service.withdraw_application(session, me, application_id, body.reason, env(hub))
    return application_out(session, application, locale)


@router.post("/applications/{application_id}/appeals", status_code=status.HTTP_201_CREATED)
def appeal_rejection(
    application_id: RecordId,
    body: AppealIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> ApplicationOut:
    """Appeal a rejection: the authority reviews again, jointly visible to the municipality."""
    appeals.appeal_rejection(session, me, application_id, body, env(hub))
    return application_out(session, service.get_application(session, me, application_id), locale)


@router.get("/reviews")
def my_reviews(session: DbSession, me: CurrentPrincipal, locale: RequestLocale) -> list[ReviewOut]:
    """Your authority's pending reviews, nearest deadline first."""
    reviews, applications = service.pending_reviews(session, me)
    shown = {
        review.id: review
        for application in applications_out(session, applications, locale)
        for review in application.reviews
    }
    return [shown[review.id] for review in reviews]


@router.post("/reviews/{review_id}/decision")
def decide_review(
    review_id: RecordId,
    body: DecisionIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> ApplicationOut:
    """Approve, approve with conditions, or reject with a reason code. Send the review's
    ``lock_version`` as ``expected_version``: a decision on a stale view is refused."""
    review = reviews.decide_review(session, me, review_id, body, hub.clock, hub.settings.secret_key)
    return application_out(
        session, service.get_application(session, me, review.application_id), locale
    )


class PermitTokenOut(BaseModel):
    number: str
    complete: bool = Field(
        description="False while an authority that signs outside the hub has not signed yet."
    )
    token: str | None
    qr_version: int | None
    signatures: int
    required: int


class SigningRequestOut(BaseModel):
    kid: str
    alg: int
    to_be_signed: str = Field(description="Base64 of the exact bytes to sign (COSE Sig_structure).")


class SignatureIn(BaseModel):
    signature: str = Field(max_length=200, description="Base64 signature over to_be_signed.")


def _complete_token(session: DbSession, permit_id: int) -> str:
    record = PermitRepository(session).token_of(permit_id)
    if record is None or record.token is None:
        raise TokenNotFound(permit=permit_id)
    return record.token


@router.get("/permits")
def list_permits(
    session: DbSession,
    me: CurrentPrincipal,
    status_: Annotated[PermitStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[PermitOut]:
    """The permits of the applications you may see, newest first."""
    found = service.list_permits(
        session, me, status=None if status_ is None else status_.value, limit=limit, offset=offset
    )
    return permits_out(session, found)


@router.get("/permits/{permit_id}")
def get_permit(permit_id: RecordId, session: DbSession, me: CurrentPrincipal) -> PermitOut:
    """One permit version, if you may see its application."""
    _, permit = visible_permit(session, me, permit_id)
    return permit_out(session, permit)


@router.get("/permits/{permit_id}/token")
def permit_token(permit_id: RecordId, session: DbSession, me: CurrentPrincipal) -> PermitTokenOut:
    """The signed token (``TQ1:…``) of a permit: what its QR code holds."""
    _, permit = visible_permit(session, me, permit_id)
    record = PermitRepository(session).token_of(permit_id)
    if record is None:
        raise TokenNotFound(permit=permit_id)
    return PermitTokenOut(
        number=permit.number,
        complete=record.token is not None,
        token=record.token,
        qr_version=None if record.token is None else make_qr(record.token).version,
        signatures=len(record.signatures),
        required=len(record.required_kids),
    )


@router.get(
    "/permits/{permit_id}/qr.png",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def permit_qr_png(
    permit_id: RecordId,
    session: DbSession,
    me: CurrentPrincipal,
    scale: Annotated[int, Query(ge=1, le=20)] = 6,
) -> Response:
    visible_permit(session, me, permit_id)
    return Response(
        make_qr(_complete_token(session, permit_id), scale=scale).png, media_type="image/png"
    )


@router.get(
    "/permits/{permit_id}/qr.svg",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
def permit_qr_svg(permit_id: RecordId, session: DbSession, me: CurrentPrincipal) -> Response:
    visible_permit(session, me, permit_id)
    return Response(make_qr(_complete_token(session, permit_id)).svg, media_type="image/svg+xml")


@router.get("/permits/{permit_id}/print", response_class=HTMLResponse)
def permit_print(
    permit_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> HTMLResponse:
    """The permit to print (A5) or show on a phone: QR and facts in Arabic and English."""
    application, permit = visible_permit(session, me, permit_id)
    token = _complete_token(session, permit_id)
    return HTMLResponse(
        render_permit(
            session,
            application,
            permit,
            token,
            locale,
            printed_at=hub.clock.now(),
            zone=zone_named(hub.settings.time_zone),
        )
    )


@router.get("/permits/{permit_id}/signing-request")
def signing_request(
    permit_id: RecordId, session: DbSession, me: CurrentPrincipal
) -> SigningRequestOut:
    """For an authority that signs outside the hub: the exact bytes its key must sign."""
    visible_permit(session, me, permit_id)
    _, key, data = permit_signing.signing_request(session, me, permit_id)
    return SigningRequestOut(kid=key.kid, alg=key.alg, to_be_signed=base64.b64encode(data).decode())


@router.post("/permits/{permit_id}/signatures")
def add_signature(
    permit_id: RecordId, body: SignatureIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> PermitTokenOut:
    """Hand in the outside signature; it is checked before it counts."""
    visible_permit(session, me, permit_id)
    try:
        signature = base64.b64decode(body.signature, validate=True)
    except ValueError:
        signature = b""
    permit_signing.add_signature(session, me, permit_id, signature, hub.clock)
    return permit_token(permit_id, session, me)


# Last: its {action} path would otherwise catch /signatures.
@router.post("/permits/{permit_id}/{action}")
def change_permit(
    permit_id: RecordId,
    action: PermitAction,
    body: PermitActionIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
) -> PermitOut:
    """Suspend, reinstate or revoke a permit (any authority that approved it)."""
    permit = permit_actions.change_permit(session, me, permit_id, action, body, env(hub))
    return permit_out(session, permit)
