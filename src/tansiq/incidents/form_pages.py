"""The incidents' forms: report an incident and issue an advisory, each drawn on the map (a
point, a line or an area, with the shell's map and assets/incidents.js; typed GeoJSON without a
script), and the party's watches (start watching an area or a route; stop). The forms post the
API's models, so they make the same checks and refuse with the same coded errors; a refused
form comes back with what was chosen and typed."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from babel.units import format_unit
from fastapi import APIRouter, Response
from pydantic import ValidationError

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, translate
from tansiq.core.localtime import input_value
from tansiq.core.text import name_in
from tansiq.geo.service import list_checkpoints
from tansiq.incidents import access, page_words, service, views
from tansiq.incidents.domain import (
    ADVISORY_KIND_LABELS,
    EVENT_TYPE_LABELS,
    SUB_TYPE_LABELS,
    SUB_TYPES,
    AdvisoryKind,
    Confidence,
    LocationPrecision,
    Severity,
    TimePrecision,
)
from tansiq.incidents.pages import env, map_context
from tansiq.incidents.schemas import AdvisoryIn, IncidentIn, WatchIn
from tansiq.parties.deps import Current, Viewer
from tansiq.web.deps import RecordId
from tansiq.web.forms import parse_time
from tansiq.web.screen import FormData, one

router = APIRouter(include_in_schema=False)

INCIDENT_FIELDS = (
    "what", "occurred_at", "time_precision", "relevant_until", "location",
    "location_precision", "description", "confidence", "severity",
)  # fmt: skip
ADVISORY_FIELDS = (
    "kind", "checkpoint", "location", "valid_from", "valid_until", "severity", "description",
    "incident",
)  # fmt: skip
WATCH_FIELDS = ("name", "location", "reach_m")
# The shapes each advisory kind is drawn as (assets/incidents.js offers only those).
ADVISORY_SHAPES = {
    AdvisoryKind.ROAD_CLOSED.value: "line",
    AdvisoryKind.AREA_UNSAFE.value: "area",
    AdvisoryKind.CHECKPOINT_CLOSED.value: "",
}


class LocationMissing(TansiqError):
    code = "incident.location_missing"
    message = N_("Draw the place on the map, or type it as GeoJSON; nothing was stored.")


class LocationNotJson(TansiqError):
    code = "incident.location_not_json"
    message = N_("The place typed is not GeoJSON; nothing was stored.")


def _location(text: str) -> Any:
    if not text.strip():
        raise LocationMissing
    try:
        return json.loads(text)
    except ValueError:
        raise LocationNotJson from None


def _problems(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(p) for p in problem["loc"]), "code": problem["type"]}
        for problem in error.errors()[:20]
    ]


def _minute(s: Viewer, hours: float = 0) -> str:
    """Now (or ``hours`` from now) as the form's time fields show it: on the town's clock."""
    return input_value(s.hub.clock.now() + timedelta(hours=hours), s.zone)


def _choices(s: Viewer, table: dict[Any, str]) -> list[tuple[str, str]]:
    return [(key.value, translate(label, s.locale)) for key, label in table.items()]


# --- report an incident --------------------------------------------------------------------------


@router.get("/incidents/new")
def new_incident(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    values = {
        "occurred_at": _minute(s),
        "time_precision": TimePrecision.MINUTE.value,
        "location_precision": LocationPrecision.EXACT.value,
        "confidence": Confidence.PROBABLE.value,
        "severity": Severity.MODERATE.value,
    }
    return _incident_form(s, values)


@router.post("/incidents/new")
def report_incident(s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    values = {name: (one(form, name) or "").strip()[:5000] for name in INCIDENT_FIELDS}
    try:
        s.check_csrf(form)
        event_type, _, sub_type = values["what"].partition("/")
        occurred = parse_time(values["occurred_at"], "occurred_at", s.zone)
        until = parse_time(values["relevant_until"], "relevant_until", s.zone)
        body = IncidentIn.model_validate(
            {
                "event_type": event_type,
                "sub_type": sub_type,
                "occurred_at": "" if occurred is None else occurred.isoformat(),
                "time_precision": values["time_precision"],
                "relevant_until": None if until is None else until.isoformat(),
                "location": _location(values["location"]),
                "location_precision": values["location_precision"],
                "description": values["description"],
                "confidence": values["confidence"],
                "severity": values["severity"],
            }
        )
        record = service.record_incident(s.session, s.me, body, env(s))
    except TansiqError as error:
        s.session.rollback()
        return _incident_form(s, values, error=error.render(s.locale), status=422)
    except ValidationError as error:
        return _incident_form(s, values, problems=_problems(error), status=422)
    return s.go(f"/incidents/{record.id}")


def _incident_form(
    s: Viewer,
    values: dict[str, str],
    *,
    error: dict[str, Any] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    assert s.me is not None  # noqa: S101 - callers check
    kinds = [
        (
            translate(EVENT_TYPE_LABELS[event_type], s.locale),
            [
                (f"{event_type.value}/{sub.value}", translate(SUB_TYPE_LABELS[sub], s.locale))
                for sub in subs
            ],
        )
        for event_type, subs in SUB_TYPES.items()
    ]
    return s.show(
        "incident_new.html",
        status,
        v=values,
        error=error,
        problems=problems or [],
        allowed=access.can_report(s.me),
        kinds=kinds,
        time_precisions=_choices(s, page_words.TIME_PRECISION),
        location_precisions=_choices(s, page_words.LOCATION_PRECISION),
        confidences=_choices(s, page_words.CONFIDENCE),
        severities=_choices(s, page_words.SEVERITY),
        **map_context(s, [], draw="point line area"),
    )


# --- issue an advisory ---------------------------------------------------------------------------


@router.get("/advisories/new")
def new_advisory(s: Current, incident: str = "") -> Response:
    if s.me is None:
        return s.sign_in_first()
    values = {
        "kind": AdvisoryKind.ROAD_CLOSED.value,
        "valid_from": _minute(s),
        "valid_until": _minute(s, 24),
        "severity": Severity.SEVERE.value,
        "incident": incident[:10] if incident.isdigit() else "",
    }
    return _advisory_form(s, values)


@router.post("/advisories/new")
def issue_advisory(s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    values = {name: (one(form, name) or "").strip()[:5000] for name in ADVISORY_FIELDS}
    try:
        s.check_csrf(form)
        kind = values["kind"]
        closes = kind == AdvisoryKind.CHECKPOINT_CLOSED.value
        start = parse_time(values["valid_from"], "valid_from", s.zone)
        end = parse_time(values["valid_until"], "valid_until", s.zone)
        body = AdvisoryIn.model_validate(
            {
                "kind": kind,
                "checkpoint": values["checkpoint"] or None if closes else None,
                "geometry": None if closes else _location(values["location"]),
                "valid_from": None if start is None else start.isoformat(),
                "valid_until": "" if end is None else end.isoformat(),
                "severity": values["severity"],
                "description": values["description"],
                "incident": values["incident"] or None,
            }
        )
        record = service.issue_advisory(s.session, s.me, body, env(s))
    except TansiqError as error:
        s.session.rollback()
        return _advisory_form(s, values, error=error.render(s.locale), status=422)
    except ValidationError as error:
        return _advisory_form(s, values, problems=_problems(error), status=422)
    return s.go(f"/advisories/{record.id}")


def _advisory_form(
    s: Viewer,
    values: dict[str, str],
    *,
    error: dict[str, Any] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    me = s.me
    assert me is not None  # noqa: S101 - callers check
    closable = [
        (c.code, f"{name_in(s.locale, c.name_ar, c.name_en)} ({c.code})")
        for c in list_checkpoints(s.session)
        if access.can_close_checkpoint(me, c.authority_id)
    ]
    return s.show(
        "advisory_new.html",
        status,
        v=values,
        error=error,
        problems=problems or [],
        allowed=access.can_issue(me),
        kinds=_choices(s, ADVISORY_KIND_LABELS),
        shapes=ADVISORY_SHAPES,
        checkpoints=closable,
        severities=_choices(s, page_words.SEVERITY),
        **map_context(s, [], draw=ADVISORY_SHAPES.get(values.get("kind", ""), "line") or "line"),
    )


# --- watches -------------------------------------------------------------------------------------


@router.get("/watches")
def watches_page(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    return _watches(s, {"reach_m": "500"})


@router.post("/watches")
def start_watching(s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    values = {name: (one(form, name) or "").strip()[:5000] for name in WATCH_FIELDS}
    try:
        s.check_csrf(form)
        body = WatchIn.model_validate(
            {
                "name": values["name"],
                "geometry": _location(values["location"]),
                "reach_m": values["reach_m"] or 500,
            }
        )
        service.create_watch(s.session, s.me, body, env(s))
    except TansiqError as error:
        s.session.rollback()
        return _watches(s, values, error=error.render(s.locale), status=422)
    except ValidationError as error:
        return _watches(s, values, problems=_problems(error), status=422)
    return s.go("/watches")


@router.post("/watches/{watch_id}/stop")
def stop_watching(watch_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        service.end_watch(s.session, s.me, watch_id, s.hub.clock)
    except TansiqError as error:
        return s.error(error)
    return s.go("/watches")


def _watches(
    s: Viewer,
    values: dict[str, str],
    *,
    error: dict[str, Any] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    me = s.me
    assert me is not None  # noqa: S101 - callers check
    if not access.can_watch(me):
        return s.show("watches.html", status, allowed=False, watches=[], v=values,
                      error=error, problems=problems or [], **map_context(s, []))  # fmt: skip
    rows = views.watches(s.session, me)
    drawn = [
        {
            "type": "Feature",
            "geometry": w.geometry,
            "properties": {"kind": "watch", "severity": "", "label": w.name, "url": ""},
        }
        for w in rows
        if w.active
    ]
    context = map_context(s, [], draw="line area")
    context["hazards"] = json.dumps(drawn, ensure_ascii=False)
    return s.show(
        "watches.html",
        status,
        allowed=True,
        watches=[
            {
                "id": w.id,
                "name": w.name,
                "shape": w.geometry.get("type", ""),
                "reach": format_unit(
                    w.reach_m, "length-meter", length="short", locale=s.locale.value
                ),
                "active": w.active,
                "since": ensure_utc(w.created_at),
                "ended": None if w.ended_at is None else ensure_utc(w.ended_at),
            }
            for w in rows
        ],
        v=values,
        error=error,
        problems=problems or [],
        **context,
    )
