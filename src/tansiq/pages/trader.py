"""The trader's pages: a new application (route by checkpoints or drawn on the map, live
required authorities), amend, appeal, withdraw, and my permits. Parse → service → render:
the same services and input models as the API, so the pages hold no rules of their own."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from tansiq.clearances import access, appeals, service
from tansiq.clearances.domain import ReviewStatus
from tansiq.clearances.models import ApplicationRecord
from tansiq.clearances.render import application_out, applications_out
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import AmendmentIn, AppealIn, ApplicationIn, CargoUnit, VehicleKind
from tansiq.core.errors import STATUS_BY_CATEGORY, Forbidden, TansiqError, Unauthenticated
from tansiq.geo.service import list_checkpoints, spatial_index_cache
from tansiq.pages.screen import LIST_LIMIT, Current, FormData, Screen, one, review_words, tr
from tansiq.pages.text import STATUS, labels, name_in
from tansiq.pages.trader_form import (
    FormInvalid,
    Problems,
    Values,
    apply_op,
    body_of,
    model_of,
    named,
    plain,
    read_values,
    show_time,
    values_of,
)
from tansiq.pages.trader_route import check_route, coded, map_view
from tansiq.parties.domain import Principal, Role
from tansiq.permits.qr import make_qr
from tansiq.permits.repository import PermitRepository
from tansiq.web.deps import RecordId, reads_only
from tansiq.web.session import CsrfRejected

router = APIRouter(include_in_schema=False)

SVG_SIZE = re.compile(r'width="(\d+)" height="(\d+)"')
AMEND_KEYS = (
    "vehicle",
    "driver",
    "cargo",
    "seals",
    "origin",
    "destination",
    "route",
    "checkpoints",
    "corridor_m",
    "valid_from",
    "valid_until",
)
ROUTE_CODES = frozenset({"route.invalid", "application.no_authority", "application.route_choice"})


def _env(s: Screen) -> service.ClearanceEnv:
    return service.ClearanceEnv.of(
        s.hub.settings, s.hub.clock, spatial_index_cache(s.hub.caches, s.hub.settings.metric_epsg)
    )


def _applicant(s: Screen) -> Response | None:
    """A page to answer with instead, unless an applicant is signed in."""
    if s.me is None:
        return s.sign_in_first()
    if Role.APPLICANT not in s.me.roles:
        return s.error(Forbidden())
    return None


# -- the form --------------------------------------------------------------------------------


@router.get("/applications/new")
def new_application(s: Current) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    start = s.hub.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    values = Values(
        client_reference="web-" + secrets.token_hex(8),
        corridor_m=plain(s.hub.settings.default_corridor_m),
        valid_from=show_time(start),
        valid_until=show_time(start + timedelta(days=1)),
    )
    return _form(s, values, action="/applications/new")


@router.post("/applications/new")
def create_application(s: Current, form: FormData) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    try:
        s.check_csrf(form)
    except CsrfRejected as error:
        return s.error(error)
    values = read_values(form)
    if op := one(form, "op"):
        apply_op(values, op)
        return _form(s, values, action="/applications/new", check=True)
    problems = Problems()
    body = body_of(values, problems, draft=one(form, "action") == "draft")
    model = model_of(ApplicationIn, body, problems)
    if model is None:
        return _form(s, values, action="/applications/new", problems=problems)
    try:
        record = service.submit_application(s.session, s.me, model, _env(s))
    except TansiqError as error:
        return _refused(s, values, error, problems, action="/applications/new")
    return s.go(f"/applications/{record.id}")


@router.post("/applications/new/route-check")
@reads_only
def route_check(s: Current, form: FormData) -> Response:
    """The authorities and checkpoints a route touches, as JSON for the form's script."""
    if s.me is None:
        return _json({"error": coded(s, Unauthenticated())}, 401)
    if Role.APPLICANT not in s.me.roles:
        return _json({"error": coded(s, Forbidden())}, 403)
    try:
        s.check_csrf(form)
    except CsrfRejected as error:
        return _json({"error": coded(s, error)}, 403)
    # The check itself succeeded even when the route has a problem: that is in "error".
    return _json(check_route(s, read_values(form)), 200)


def _json(body: dict[str, Any], status: int) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _refused(
    s: Screen,
    values: Values,
    error: TansiqError,
    problems: Problems,
    *,
    action: str,
    application: dict[str, Any] | None = None,
) -> Response:
    s.session.rollback()
    problems.add_details(error.details)
    if error.code == "route.bad_corridor":
        problems.add("corridor_m", error.code, error.message, **error.params)
    elif error.code in ROUTE_CODES:
        problems.add("route", error.code, error.message, **error.params)
    return _form(
        s,
        values,
        action=action,
        problems=problems,
        error=error,
        application=application,
        check=True,
    )


def _form(
    s: Screen,
    values: Values,
    *,
    action: str,
    problems: Problems | None = None,
    error: TansiqError | None = None,
    application: dict[str, Any] | None = None,
    check: bool = False,
) -> Response:
    """The form with ``values`` as typed, each problem by its field, and the required
    authorities when the route was checked (so a browser without scripts sees them too)."""
    words = labels(s.locale)
    shown_error = error or (FormInvalid() if problems and problems.by_path else None)
    status = 200 if shown_error is None else STATUS_BY_CATEGORY[shown_error.category]
    checkpoints = [
        {
            "code": c.code,
            "name": name_in(s.locale, c.name_ar, c.name_en),
            "open": c.status == "open",
        }
        for c in list_checkpoints(s.session)
    ]
    return s.show(
        "trader_form.html",
        status,
        values=values,
        action=action,
        application=application,
        error=None if shown_error is None else shown_error.render(s.locale),
        problems=named((problems or Problems()).render(s.locale), words),
        live=check_route(s, values) if check else None,
        checkpoints=checkpoints,
        known={c["code"] for c in checkpoints},
        kinds=[(k.value, words[f"kind_{k.value}"]) for k in VehicleKind],
        units=[(u.value, words[f"unit_{u.value}"]) for u in CargoUnit],
        map=map_view(s),
        tile_url=s.hub.settings.tile_url or "",
    )


def _qr(token: str) -> str:
    """The permit's QR as inline SVG that scales with its box (segno sets only a fixed size)."""
    svg = make_qr(token).svg
    return SVG_SIZE.sub(r'viewBox="0 0 \1 \2" width="\1" height="\2"', svg, count=1)


# -- amend, appeal, withdraw, submit a draft -------------------------------------------------


def _own(s: Screen, application_id: int) -> ApplicationRecord:
    """The application, if the signed-in applicant's party applied for it."""
    assert s.me is not None  # noqa: S101 - callers check
    record = service.get_application(s.session, s.me, application_id)
    if not access.can_change_application(s.me, record.applicant_party_id):
        raise Forbidden
    return record


def _summary(s: Screen, record: ApplicationRecord) -> dict[str, Any]:
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


def _values_of(s: Screen, record: ApplicationRecord) -> Values:
    version = ClearanceRepository(s.session).version(record.id, record.current_version)
    assert version is not None  # noqa: S101 - every application has its current version
    return values_of(version, record.client_reference)


@router.get("/applications/{application_id}/amend")
def amend_form(application_id: RecordId, s: Current) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    try:
        record = _own(s, application_id)
        summary = _summary(s, record)
        values = _values_of(s, record)
    except TansiqError as error:
        return s.error(error)
    return _form(
        s, values, action=f"/applications/{application_id}/amend", application=summary, check=True
    )


@router.post("/applications/{application_id}/amend")
def amend(application_id: RecordId, s: Current, form: FormData) -> Response:
    summary = _own_summary(s, application_id, form)
    if isinstance(summary, Response):
        return summary
    assert s.me is not None  # noqa: S101 - _own_summary checked
    action = f"/applications/{application_id}/amend"
    values = read_values(form)
    if op := one(form, "op"):
        apply_op(values, op)
        return _form(s, values, action=action, application=summary, check=True)
    problems = Problems()
    body = body_of(values, problems, draft=False)
    amendment = {k: body[k] for k in AMEND_KEYS if k in body}
    amendment["expected_version"] = one(form, "expected_version") or ""
    amendment["note"] = values.note
    model = model_of(AmendmentIn, amendment, problems)
    if model is None:
        return _form(s, values, action=action, problems=problems, application=summary)
    try:
        service.amend_application(s.session, s.me, application_id, model, _env(s))
    except TansiqError as error:
        return _refused(s, values, error, problems, action=action, application=summary)
    return s.go(f"/applications/{application_id}")


def _own_summary(
    s: Screen, application_id: RecordId, form: FormData | None = None
) -> dict[str, Any] | Response:
    """The summary of the signed-in applicant's own application (after the CSRF check when
    ``form`` is posted), or the page to answer with instead."""
    if (other := _applicant(s)) is not None:
        return other
    try:
        if form is not None:
            s.check_csrf(form)
        return _summary(s, _own(s, application_id))
    except TansiqError as error:
        return s.error(error)


def _act_or_show_again(
    s: Screen,
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
    summary = _own_summary(s, application_id)
    if isinstance(summary, Response):
        return summary
    return s.show("trader_appeal.html", app=summary, chosen="", grounds="", error=None)


@router.post("/applications/{application_id}/appeal")
def appeal(application_id: RecordId, s: Current, form: FormData) -> Response:
    summary = _own_summary(s, application_id, form)
    if isinstance(summary, Response):
        return summary
    chosen, grounds = one(form, "review_id") or "", one(form, "grounds") or ""
    problems = Problems()
    body = model_of(AppealIn, {"review_id": chosen or None, "grounds": grounds}, problems)

    def act(me: Principal) -> None:
        if body is None:
            raise FormInvalid
        appeals.appeal_rejection(s.session, me, application_id, body, _env(s))

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
    summary = _own_summary(s, application_id)
    if isinstance(summary, Response):
        return summary
    return s.show("trader_withdraw.html", app=summary, reason="", error=None)


@router.post("/applications/{application_id}/withdraw")
def withdraw(application_id: RecordId, s: Current, form: FormData) -> Response:
    summary = _own_summary(s, application_id, form)
    if isinstance(summary, Response):
        return summary
    reason = one(form, "reason") or ""

    def act(me: Principal) -> None:
        if len(reason) > 2000:
            raise FormInvalid
        service.withdraw_application(s.session, me, application_id, reason, _env(s))

    return _act_or_show_again(
        s, application_id, act, "trader_withdraw.html", app=summary, reason=reason
    )


@router.post("/applications/{application_id}/submit")
def submit_draft(application_id: RecordId, s: Current, form: FormData) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    try:
        s.check_csrf(form)
        service.submit_draft(s.session, s.me, application_id, _env(s))
    except TansiqError as error:
        return s.error(error)
    return s.go(f"/applications/{application_id}")


# -- my permits ------------------------------------------------------------------------------


@router.get("/permits")
def my_permits(s: Current) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    tokens = PermitRepository(s.session)
    words = labels(s.locale)
    shown = []
    mine = [
        record
        for record in service.list_applications(s.session, s.me, limit=LIST_LIMIT)
        if record.applicant_party_id == s.me.party_id
    ]
    outs = applications_out(s.session, mine, s.locale)
    token_by_permit = {
        t.permit_id: t for t in tokens.tokens_of([p.id for out in outs for p in out.permits])
    }
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
                }
            )
    return s.show("trader_permits.html", permits=shown)
