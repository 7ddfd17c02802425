"""The trader's pages: a new application (route by checkpoints or drawn on the map, live
required authorities), amend, appeal, withdraw, and my permits. Parse → service → render:
the same services and input models as the API, so the pages hold no rules of their own."""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from tansiq.clearances import access, service
from tansiq.clearances.domain import ApplicationStatus, ReviewStatus
from tansiq.clearances.models import ApplicationRecord
from tansiq.clearances.render import application_out
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import AmendmentIn, AppealIn, ApplicationIn, CargoUnit, VehicleKind
from tansiq.context import RecordId
from tansiq.core.errors import STATUS_BY_CATEGORY, Forbidden, TansiqError
from tansiq.core.i18n import Locale
from tansiq.geo.repository import GeoRepository
from tansiq.geo.service import (
    CheckpointNotFound,
    RouteInvalid,
    list_checkpoints,
    list_zone_maps,
    resolve_route,
    zone_features,
)
from tansiq.pages.screen import LIST_LIMIT, Current, FormData, Screen, one, tr
from tansiq.pages.session import CsrfRejected
from tansiq.pages.text import STATUS, labels
from tansiq.pages.trader_form import (
    FormInvalid,
    Problems,
    TooFewCheckpoints,
    Values,
    apply_op,
    body_of,
    model_of,
    parse_route,
    parse_time,
    read_values,
    show_time,
    stops_of,
)
from tansiq.parties.domain import Role
from tansiq.parties.repository import PartyRepository
from tansiq.permits.qr import make_qr
from tansiq.permits.repository import PermitRepository

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
AMENDABLE = frozenset(
    {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.REJECTED,
        ApplicationStatus.APPROVED,
    }
)


def _env(s: Screen) -> service.ClearanceEnv:
    return service.ClearanceEnv.of(s.hub.settings, s.hub.clock, s.hub.spatial_index)


def _applicant(s: Screen) -> Response | None:
    """A page to answer with instead, unless an applicant is signed in."""
    if s.me is None:
        return s.sign_in_first()
    if Role.APPLICANT not in s.me.roles:
        return s.error(Forbidden())
    return None


def _name(locale: Locale, ar: str, en: str) -> str:
    return (ar or en) if locale is Locale.AR else (en or ar)


# -- the form --------------------------------------------------------------------------------


@router.get("/applications/new")
def new_application(s: Current) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    start = s.hub.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    values = Values(
        client_reference="web-" + secrets.token_hex(8),
        corridor_m=_plain(s.hub.settings.default_corridor_m),
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
def route_check(s: Current, form: FormData) -> Response:
    """The authorities and checkpoints a route touches, as JSON for the form's script."""
    if s.me is None:
        return _json({"error": _coded(s, Forbidden())}, 401)
    try:
        s.check_csrf(form)
    except CsrfRejected as error:
        return _json({"error": _coded(s, error)}, 403)
    # The check itself succeeded even when the route has a problem: that is in "error".
    return _json(_check_route(s, read_values(form)), 200)


def _json(body: dict[str, Any], status: int) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _coded(s: Screen, error: TansiqError) -> dict[str, str]:
    return {"code": error.code, "message": error.render(s.locale)["message"]}


def _check_route(s: Screen, values: Values) -> dict[str, Any]:
    """What the hub would route to, over the whole window as the service judges it."""
    found: dict[str, Any] = {"authorities": [], "checkpoints": [], "route": None, "error": None}
    try:
        route = _route_of(s, values)
        found["route"] = route
        corridor = (
            float(values.corridor_m)
            if values.corridor_m.strip()
            else s.hub.settings.default_corridor_m
        )
        start = parse_time(values.valid_from) or s.hub.clock.now()
        end = parse_time(values.valid_until) or start
        moments = {start} | {
            view.in_force_from
            for view in list_zone_maps(s.session)
            if view.in_force_from is not None and start < view.in_force_from < end
        }
        authorities: dict[int, None] = {}
        stops: dict[str, Any] = {}
        for moment in sorted(moments):
            resolution = resolve_route(
                s.session,
                s.hub.spatial_index,
                route=route,
                corridor_m=corridor,
                max_corridor_m=s.hub.settings.max_corridor_m,
                at=moment,
            )
            authorities.update(dict.fromkeys(a.authority_id for a in resolution.authorities))
            for hit in resolution.checkpoints:
                stops.setdefault(hit.checkpoint.code, hit.checkpoint)
        if not authorities:
            raise service.NoAuthorityRequired
    except ValueError:
        found["error"] = {"code": "form.number", "message": tr(s, "Enter a number.")}
        return found
    except TansiqError as error:
        found["error"] = _coded(s, error)
        return found
    parties = PartyRepository(s.session).parties_by_ids(set(authorities))
    found["authorities"] = [
        {"code": parties[i].code, "name": _name(s.locale, parties[i].name_ar, parties[i].name_en)}
        for i in authorities
    ]
    found["checkpoints"] = [
        {"code": cp.code, "name": _name(s.locale, cp.name.ar, cp.name.en)} for cp in stops.values()
    ]
    return found


def _route_of(s: Screen, values: Values) -> dict[str, Any]:
    if values.route_mode == "drawn":
        route = parse_route(values.route)
        if route is None:
            raise RouteInvalid
        return route
    codes = stops_of(values)
    if len(codes) < 2:
        raise TooFewCheckpoints
    known = GeoRepository(s.session).checkpoints_by_codes(set(codes))
    for code in codes:
        if code not in known:
            raise CheckpointNotFound(checkpoint=code[:40])
    return {"type": "LineString", "coordinates": [[known[c].lon, known[c].lat] for c in codes]}


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
            "name": _name(s.locale, c.name_ar, c.name_en),
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
        problems=_named((problems or Problems()).render(s.locale), words),
        live=_check_route(s, values) if check else None,
        checkpoints=checkpoints,
        known={c["code"] for c in checkpoints},
        kinds=[(k.value, words[f"kind_{k.value}"]) for k in VehicleKind],
        units=[(u.value, words[f"unit_{u.value}"]) for u in CargoUnit],
        map_json=_map_json(s),
        tile_url=s.hub.settings.tile_url or "",
    )


FIELDS = {
    "origin": "origin",
    "destination": "destination",
    "route": "route",
    "checkpoints": "route",
    "corridor_m": "corridor",
    "vehicle": "vehicle",
    "vehicle.plate": "plate",
    "vehicle.kind": "vehicle_kind",
    "vehicle.vin": "vin",
    "vehicle.container_number": "container",
    "driver": "driver",
    "driver.name_ar": "driver_name_ar",
    "driver.name_latin": "driver_name_latin",
    "driver.id_number": "id_number",
    "cargo": "cargo",
    "description": "description",
    "quantity": "quantity",
    "unit": "unit",
    "gross_mass_kg": "gross_mass",
    "hs_code": "hs_code",
    "un_number": "un_number",
    "seals": "seals",
    "valid_from": "valid_from",
    "valid_until": "valid_until",
    "note": "amend_note",
}
INDEXED = re.compile(r"^(cargo|checkpoints|seals)\[(\d+)\]\.?(.*)$")


def _named(problems: dict[str, dict[str, str]], words: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each problem with the name of its field as the form labels it, for the summary."""
    for path, problem in problems.items():
        found = INDEXED.match(path)
        if found is None:
            problem["field"] = words.get(FIELDS.get(path, ""), "")
            continue
        kind, index, rest = found.groups()
        n = str(int(index) + 1)
        if kind == "checkpoints":
            problem["field"] = words["stop_n"].replace("{n}", n)
        elif kind == "seals":
            problem["field"] = words["seals"]
        else:
            line = words["cargo_line_n"].replace("{n}", n)
            problem["field"] = f"{line}, {words.get(FIELDS.get(rest, ''), '')}".rstrip(", ")
    return problems


def _map_json(s: Screen) -> str:
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": zone["geometry"],
            "properties": {
                "kind": "zone",
                "authority": zone["properties"]["authority"],
                "name": zone["properties"]["name_ar" if s.locale is Locale.AR else "name_en"],
            },
        }
        for zone in zone_features(s.session, s.hub.clock.now())
    ]
    features += [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "kind": "checkpoint",
                "code": c.code,
                "open": c.status == "open",
                "name": _name(s.locale, c.name_ar, c.name_en),
            },
        }
        for c in list_checkpoints(s.session)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def _qr(token: str) -> str:
    """The permit's QR as inline SVG that scales with its box (segno sets only a fixed size)."""
    svg = make_qr(token).svg
    return SVG_SIZE.sub(r'viewBox="0 0 \1 \2" width="\1" height="\2"', svg, count=1)


def _plain(number: float) -> str:
    text = repr(float(number))
    return text[:-2] if text.endswith(".0") else text


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
        "rejected": [
            {
                "id": r.id,
                "authority": getattr(r.authority_name, s.locale.value) or r.authority,
                "reason": None
                if r.reason_label is None
                else getattr(r.reason_label, s.locale.value),
                "reason_code": None if r.reason_code is None else r.reason_code.value,
                "note": r.note,
            }
            for r in out.reviews
            if r.status is ReviewStatus.REJECTED
        ],
    }


def _values_of(s: Screen, record: ApplicationRecord) -> Values:
    version = ClearanceRepository(s.session).version(record.id, record.current_version)
    assert version is not None  # noqa: S101 - every application has its current version
    data = version.content
    window = data.get("window", {})
    by_checkpoints = bool(data.get("checkpoints"))
    return Values(
        client_reference=record.client_reference,
        origin=data["origin"],
        destination=data["destination"],
        route_mode="checkpoints" if by_checkpoints else "drawn",
        checkpoints=list(data["checkpoints"]) if by_checkpoints else ["", ""],
        route="" if by_checkpoints else json.dumps(version.route_geojson),
        corridor_m=_plain(version.corridor_m),
        vehicle_plate=data["vehicle"]["plate"],
        vehicle_kind=data["vehicle"]["kind"],
        vehicle_vin=data["vehicle"].get("vin") or "",
        vehicle_container=data["vehicle"].get("container_number") or "",
        driver_name_ar=data["driver"]["name_ar"],
        driver_name_latin=data["driver"]["name_latin"],
        driver_id_number=version.driver_id_number,
        cargo=[
            {
                "description": line["description"],
                "hs_code": line.get("hs_code") or "",
                "quantity": _plain(line["quantity"]),
                "unit": line["unit"],
                "gross_mass_kg": _plain(line["gross_mass_kg"]),
                "un_number": line.get("un_number") or "",
            }
            for line in data["cargo"]
        ],
        seals=", ".join(data.get("seals", [])),
        valid_from=show_time(datetime.fromisoformat(window["valid_from"])),
        valid_until=show_time(datetime.fromisoformat(window["valid_until"])),
    )


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
    if (other := _applicant(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    action = f"/applications/{application_id}/amend"
    try:
        s.check_csrf(form)
        summary = _summary(s, _own(s, application_id))
    except TansiqError as error:
        return s.error(error)
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


@router.get("/applications/{application_id}/appeal")
def appeal_form(application_id: RecordId, s: Current) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    try:
        summary = _summary(s, _own(s, application_id))
    except TansiqError as error:
        return s.error(error)
    return s.show("trader_appeal.html", app=summary, chosen="", grounds="", error=None)


@router.post("/applications/{application_id}/appeal")
def appeal(application_id: RecordId, s: Current, form: FormData) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    try:
        s.check_csrf(form)
        summary = _summary(s, _own(s, application_id))
    except TansiqError as error:
        return s.error(error)
    chosen, grounds = one(form, "review_id") or "", one(form, "grounds") or ""
    problems = Problems()
    body = model_of(AppealIn, {"review_id": chosen or None, "grounds": grounds}, problems)
    try:
        if body is None:
            raise FormInvalid
        service.appeal_rejection(s.session, s.me, application_id, body, _env(s))
    except TansiqError as error:
        s.session.rollback()
        return s.show(
            "trader_appeal.html",
            STATUS_BY_CATEGORY[error.category],
            app=summary,
            chosen=chosen,
            grounds=grounds,
            error=error.render(s.locale),
            problems=problems.render(s.locale),
        )
    return s.go(f"/applications/{application_id}")


@router.get("/applications/{application_id}/withdraw")
def withdraw_form(application_id: RecordId, s: Current) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    try:
        summary = _summary(s, _own(s, application_id))
    except TansiqError as error:
        return s.error(error)
    return s.show("trader_withdraw.html", app=summary, reason="", error=None)


@router.post("/applications/{application_id}/withdraw")
def withdraw(application_id: RecordId, s: Current, form: FormData) -> Response:
    if (other := _applicant(s)) is not None:
        return other
    assert s.me is not None  # noqa: S101 - _applicant checked
    try:
        s.check_csrf(form)
        summary = _summary(s, _own(s, application_id))
    except TansiqError as error:
        return s.error(error)
    reason = one(form, "reason") or ""
    try:
        if len(reason) > 2000:
            raise FormInvalid
        service.withdraw_application(s.session, s.me, application_id, reason, _env(s))
    except TansiqError as error:
        s.session.rollback()
        return s.show(
            "trader_withdraw.html",
            STATUS_BY_CATEGORY[error.category],
            app=summary,
            reason=reason,
            error=error.render(s.locale),
        )
    return s.go(f"/applications/{application_id}")


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
    for record in service.list_applications(s.session, s.me, limit=LIST_LIMIT):
        if record.applicant_party_id != s.me.party_id:
            continue
        out = application_out(s.session, record, s.locale)
        for permit in out.permits:
            token = tokens.token_of(permit.id)
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
