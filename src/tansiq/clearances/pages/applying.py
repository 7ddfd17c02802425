"""The trader's application form: a new application (route by checkpoints or drawn on the map,
live required authorities) and an amendment. Parse → service → render: the same services and
input models as the API, so the pages hold no rules of their own."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from tansiq.clearances import records, service
from tansiq.clearances.models import ApplicationRecord
from tansiq.clearances.pages.form import (
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
from tansiq.clearances.pages.route import check_route, coded, map_view
from tansiq.clearances.pages.trader import (
    applicant_only,
    clearance_env,
    own_application,
    own_summary,
    summary_of,
)
from tansiq.clearances.schemas import AmendmentIn, ApplicationIn, CargoUnit, VehicleKind
from tansiq.core.errors import STATUS_BY_CATEGORY, Forbidden, TansiqError, Unauthenticated
from tansiq.core.text import name_in
from tansiq.geo.service import list_checkpoints
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.domain import Role
from tansiq.web.deps import RecordId, reads_only
from tansiq.web.screen import FormData, one
from tansiq.web.session import CsrfRejected

router = APIRouter(include_in_schema=False)
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


@router.get("/applications/new")
def new_application(s: Current) -> Response:
    if (other := applicant_only(s)) is not None:
        return other
    # The window starts now (to the minute): a trader leaving at once needs no arithmetic.
    start = s.hub.clock.now().replace(second=0, microsecond=0)
    values = Values(
        client_reference="web-" + secrets.token_hex(8),
        corridor_m=plain(s.hub.settings.default_corridor_m),
        valid_from=show_time(start, s.zone),
        valid_until=show_time(start + timedelta(days=1), s.zone),
    )
    return _form(s, values, action="/applications/new")


@router.post("/applications/new")
@reads_only  # until the route is resolved: the service starts writing after
def create_application(s: Current, form: FormData) -> Response:
    if (other := applicant_only(s)) is not None:
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
    body = body_of(values, problems, draft=one(form, "action") == "draft", zone=s.zone)
    model = model_of(ApplicationIn, body, problems)
    if model is None:
        return _form(s, values, action="/applications/new", problems=problems)
    try:
        record = service.submit_application(s.session, s.me, model, clearance_env(s))
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
    s: Viewer,
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
    s: Viewer,
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
    words = s.words()
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


def _values_of(s: Viewer, record: ApplicationRecord) -> Values:
    return values_of(records.current_version(s.session, record), record.client_reference, s.zone)


@router.get("/applications/{application_id}/amend")
def amend_form(application_id: RecordId, s: Current) -> Response:
    if (other := applicant_only(s)) is not None:
        return other
    try:
        record = own_application(s, application_id)
        summary = summary_of(s, record)
        values = _values_of(s, record)
    except TansiqError as error:
        return s.error(error)
    return _form(
        s, values, action=f"/applications/{application_id}/amend", application=summary, check=True
    )


@router.post("/applications/{application_id}/amend")
@reads_only  # until the route is resolved: the service starts writing after
def amend(application_id: RecordId, s: Current, form: FormData) -> Response:
    summary = own_summary(s, application_id, form)
    if isinstance(summary, Response):
        return summary
    assert s.me is not None  # noqa: S101 - _own_summary checked
    action = f"/applications/{application_id}/amend"
    values = read_values(form)
    if op := one(form, "op"):
        apply_op(values, op)
        return _form(s, values, action=action, application=summary, check=True)
    problems = Problems()
    body = body_of(values, problems, draft=False, zone=s.zone)
    amendment = {k: body[k] for k in AMEND_KEYS if k in body}
    amendment["expected_version"] = one(form, "expected_version") or ""
    amendment["note"] = values.note
    model = model_of(AmendmentIn, amendment, problems)
    if model is None:
        return _form(s, values, action=action, problems=problems, application=summary)
    try:
        service.amend_application(s.session, s.me, application_id, model, clearance_env(s))
    except TansiqError as error:
        return _refused(s, values, error, problems, action=action, application=summary)
    return s.go(f"/applications/{application_id}")
