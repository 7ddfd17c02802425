"""The trader's pages after applying: appeal a refusal, withdraw, submit a draft, and my permits
with their QR codes; and what the trader's pages share (only an applicant, only their own
application). Parse → service → render: the same services and input models as the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response

from tansiq.clearances import access, appeals, service
from tansiq.clearances.domain import ReviewStatus
from tansiq.clearances.models import ApplicationRecord
from tansiq.clearances.pages.form import FormInvalid, Problems, model_of
from tansiq.clearances.pages.shown import review_words
from tansiq.clearances.render import application_out, applications_out
from tansiq.clearances.schemas import AppealIn
from tansiq.clearances.words import STATUS
from tansiq.core.errors import STATUS_BY_CATEGORY, Forbidden, TansiqError
from tansiq.geo.service import spatial_index_cache
from tansiq.incidents.views import permit_alerts
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.domain import Principal, Role
from tansiq.permits import stored
from tansiq.permits.qr import make_qr
from tansiq.web.deps import RecordId, reads_only
from tansiq.web.screen import LIST_LIMIT, FormData, one, tr

router = APIRouter(include_in_schema=False)
SVG_SIZE = re.compile(r'width="(\d+)" height="(\d+)"')


def clearance_env(s: Viewer) -> service.ClearanceEnv:
    return service.ClearanceEnv.of(
        s.hub.settings, s.hub.clock, spatial_index_cache(s.hub.caches, s.hub.settings.metric_epsg)
    )


def applicant_only(s: Viewer) -> Response | None:
    """A page to answer with instead, unless an applicant is signed in."""
    if s.me is None:
        return s.sign_in_first()
    if Role.APPLICANT not in s.me.roles:
        return s.error(Forbidden())
    return None


def own_application(s: Viewer, application_id: int) -> ApplicationRecord:
    """The application, if the signed-in applicant's party applied for it."""
    assert s.me is not None  # noqa: S101 - callers check
    record = service.get_application(s.session, s.me, application_id)
    if not access.can_change_application(s.me, record.applicant_party_id):
        raise Forbidden
    return record


def summary_of(s: Viewer, record: ApplicationRecord) -> dict[str, Any]:
    out = application_out(s.session, record, s.locale)
    return {
        "id": out.id,
        "reference": out.reference,
        "version": out.version,
        "status": tr(s, STATUS[out.status]),
        "status_code": out.status.value,
        "origin": out.content["origin"],
        "destination": out.content["destination"],
        "rejected": [review_words(s, r) for r in out.reviews if r.status is ReviewStatus.REJECTED],
    }


def own_summary(
    s: Viewer, application_id: RecordId, form: FormData | None = None
) -> dict[str, Any] | Response:
    """The summary of the signed-in applicant's own application (after the CSRF check when
    ``form`` is posted), or the page to answer with instead."""
    if (other := applicant_only(s)) is not None:
        return other
    try:
        if form is not None:
            s.check_csrf(form)
        return summary_of(s, own_application(s, application_id))
    except TansiqError as error:
        return s.error(error)


def _act_or_show_again(
    s: Viewer,
    application_id: RecordId,
    act: Callable[[Principal], object],
    page: str,
    **shown: Any,
) -> Response:
    """Do ``act`` as the signed-in applicant and go back to the application; refused, roll back
    and show ``page`` again with the refusal and ``shown`` (what the applicant entered)."""
    assert s.me is not None  # noqa: S101 - callers checked with _own_summary
    try:
        act(s.me)
    except TansiqError as error:
        s.session.rollback()
        return s.show(
            page, STATUS_BY_CATEGORY[error.category], error=error.render(s.locale), **shown
        )
    return s.go(f"/applications/{application_id}")


@router.get("/applications/{application_id}/appeal")
def appeal_form(application_id: RecordId, s: Current) -> Response:
    summary = own_summary(s, application_id)
    if isinstance(summary, Response):
        return summary
    return s.show("trader_appeal.html", app=summary, chosen="", grounds="", error=None)


@router.post("/applications/{application_id}/appeal")
def appeal(application_id: RecordId, s: Current, form: FormData) -> Response:
    summary = own_summary(s, application_id, form)
    if isinstance(summary, Response):
        return summary
    chosen, grounds = one(form, "review_id") or "", one(form, "grounds") or ""
    problems = Problems()
    body = model_of(AppealIn, {"review_id": chosen or None, "grounds": grounds}, problems)

    def act(me: Principal) -> None:
        if body is None:
            raise FormInvalid
        appeals.appeal_rejection(s.session, me, application_id, body, clearance_env(s))

    return _act_or_show_again(
        s,
        application_id,
        act,
        "trader_appeal.html",
        app=summary,
        chosen=chosen,
        grounds=grounds,
        problems=problems.render(s.locale),
    )


@router.get("/applications/{application_id}/withdraw")
def withdraw_form(application_id: RecordId, s: Current) -> Response:
    summary = own_summary(s, application_id)
    if isinstance(summary, Response):
        return summary
    return s.show("trader_withdraw.html", app=summary, reason="", error=None)


@router.post("/applications/{application_id}/withdraw")
def withdraw(application_id: RecordId, s: Current, form: FormData) -> Response:
    summary = own_summary(s, application_id, form)
    if isinstance(summary, Response):
        return summary
    reason = one(form, "reason") or ""

    def act(me: Principal) -> None:
        if len(reason) > 2000:
            raise FormInvalid
        service.withdraw_application(s.session, me, application_id, reason, clearance_env(s))

    return _act_or_show_again(
        s, application_id, act, "trader_withdraw.html", app=summary, reason=reason
    )


@router.post("/applications/{application_id}/submit")
@reads_only  # until the route is resolved: the service starts writing after
def submit_draft(application_id: RecordId, s: Current, form: FormData) -> Response:
    if (other := applicant_only(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    try:
        s.check_csrf(form)
        service.submit_draft(s.session, s.me, application_id, clearance_env(s))
    except TansiqError as error:
        return s.error(error)
    return s.go(f"/applications/{application_id}")


def _qr(token: str) -> str:
    """The permit's QR as inline SVG that scales with its box (segno sets only a fixed size)."""
    svg = make_qr(token).svg
    return SVG_SIZE.sub(r'viewBox="0 0 \1 \2" width="\1" height="\2"', svg, count=1)


# -- my permits ------------------------------------------------------------------------------


@router.get("/permits")
def my_permits(s: Current) -> Response:
    if (other := applicant_only(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    words = s.words()
    shown = []
    mine = [
        record
        for record in service.list_applications(s.session, s.me, limit=LIST_LIMIT)
        if record.applicant_party_id == s.me.party_id
    ]
    outs = applications_out(s.session, mine, s.locale)
    token_by_permit = stored.tokens_of(s.session, [p.id for out in outs for p in out.permits])
    alerts = permit_alerts(s.session, s.me, [p.id for out in outs for p in out.permits])
    for out in outs:
        for permit in out.permits:
            token = token_by_permit.get(permit.id)
            shown.append(
                {
                    "id": permit.id,
                    "number": permit.number,
                    "application_id": out.id,
                    "reference": out.reference,
                    "origin": out.content["origin"],
                    "destination": out.content["destination"],
                    "status": words[f"permit_{permit.status.value}"],
                    "status_code": permit.status.value,
                    "valid_from": permit.valid_from,
                    "valid_until": permit.valid_until,
                    # segno's SVG of our own token: no text from anyone's input goes into it.
                    "qr": None if token is None or token.token is None else _qr(token.token),
                    # Safety alerts holding on it (True: a closure on its route).
                    "alerts": alerts.get(permit.id),
                }
            )
    return s.show("trader_permits.html", permits=shown)
