"""The deconfliction pages: what concerns my party (to acknowledge, sorted by deadline,
emergencies first; what we notified, with each party's receipt), one notification (why each
party was included, acknowledged when, conflicts and the proposed shift), and the form that
notifies a movement or a site on the map. Parse → service → render, with the API's models."""

from __future__ import annotations

import json
from datetime import timedelta, tzinfo
from typing import Any

import numpy as np
import shapely
from babel.dates import get_day_names
from fastapi import APIRouter, Response
from pydantic import ValidationError
from pyproj import Transformer

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import translate
from tansiq.core.localtime import input_value
from tansiq.core.projection import WGS84, utm_epsg
from tansiq.core.text import name_in
from tansiq.deconfliction import access, queries, service, words
from tansiq.deconfliction.domain import AcknowledgementState, ConcernCode, NotificationKind
from tansiq.deconfliction.filing import DeconflictionEnv
from tansiq.deconfliction.planning import Plan, reference
from tansiq.deconfliction.render import notification_out, summaries_out
from tansiq.deconfliction.schemas import (
    AcknowledgeIn,
    MovementIn,
    NotificationOut,
    SiteIn,
)
from tansiq.deconfliction.thread_pages import threads_about
from tansiq.geo import map_layers
from tansiq.parties.access import is_hub_admin
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import parties_by_ids
from tansiq.web.deps import RecordId
from tansiq.web.forms import parse_time
from tansiq.web.screen import FormData, one

router = APIRouter(include_in_schema=False)
FIELDS = (
    "checkpoints", "route", "corridor_m", "start", "end", "repeat", "until", "vehicles",
    "vehicle_kind", "markings", "purpose", "contact", "place", "note", "lon", "lat",
    "radius_m", "site_type", "name", "reconfirm_days",
)  # fmt: skip


def _env(s: Viewer) -> DeconflictionEnv:
    return service.env_of(s.hub.settings, s.hub.clock, s.hub.caches)


@router.get("/deconfliction")
def overview(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    now = s.hub.clock.now()
    incoming = [
        {
            "ref": reference(n.kind, n.id),
            "id": n.id,
            "kind": translate(words.KIND[n.kind], s.locale),
            "emergency": n.emergency,
            "state": translate(words.STATE[ack.state], s.locale),
            "pending": ack.state is AcknowledgementState.PENDING,
            "deadline": ack.deadline,
            "overdue": service.is_overdue(ack, now),
            "left": ack.deadline - now,
        }
        for ack, n in queries.incoming(s.session, s.me, 100)
    ]
    filed = summaries_out(
        s.session,
        queries.notifications(s.session, s.me, filed=True, status=None, limit=50, offset=0),
    )
    counts = queries.summary(s.session)
    return s.show(
        "deconfliction.html",
        incoming=incoming,
        filed=[_summary(s, f) for f in filed],
        can_notify=access.can_notify(s.me),
        counts=counts,
        map=_map(s),
        notifications=json.dumps(_layer(s, queries.on_the_map(s.session, s.me, s.hub.clock))),
        tile_url=s.hub.settings.tile_url or "",
    )


@router.get("/deconfliction/new")
def new_notification(s: Current, kind: str = "movement") -> Response:
    if s.me is None:
        return s.sign_in_first()
    site = kind == "site"
    start = s.hub.clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)
    values = {
        "corridor_m": "200",
        "start": input_value(start, s.zone),
        "end": input_value(start + timedelta(hours=2), s.zone),
        "vehicles": "1",
        "radius_m": "100",
        "reconfirm_days": "30",
    }
    return _form(s, site, values)


@router.post("/deconfliction/new")
def file_notification(s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    site = one(form, "kind") == "site"
    values = {name: (one(form, name) or "").strip() for name in FIELDS}
    values["weekdays"] = ",".join(day for day in form.get("weekdays", [])[:7] if day.isdigit())
    flags = {name: one(form, name) == "on" for name in ("emergency", "confirm_no_zone")}
    try:
        s.check_csrf(form)
        body = _body(values, flags, site, s.zone)
        env = _env(s)
        if one(form, "op") == "check":
            plan = (
                service.preview_site(s.session, s.me, body, env)  # type: ignore[arg-type]
                if site
                else service.preview_movement(s.session, s.me, body, env)  # type: ignore[arg-type]
            )
            return _form(s, site, values, flags, preview=_preview(s, plan))
        record = (
            service.file_site(s.session, s.me, body, env)  # type: ignore[arg-type]
            if site
            else service.file_movement(s.session, s.me, body, env)  # type: ignore[arg-type]
        )
    except TansiqError as error:
        s.session.rollback()
        return _form(s, site, values, flags, error=error.render(s.locale), status=422)
    except ValidationError as error:
        problems = [
            {"field": ".".join(str(p) for p in problem["loc"]), "code": problem["type"]}
            for problem in error.errors()[:20]
        ]
        return _form(s, site, values, flags, problems=problems, status=422)
    return s.go(f"/deconfliction/{record.id}")


@router.get("/deconfliction/{notification_id}")
def notification_page(notification_id: RecordId, s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        shown = notification_out(s.session, s.me, notification_id, s.hub.clock, via="page")
        reads = (
            queries.site_reads(s.session, s.me, notification_id)
            if shown.kind is NotificationKind.SITE
            and (shown.notifier == _my_code(s) or is_hub_admin(s.me))
            else []
        )
    except TansiqError as error:
        return s.error(error)
    now = s.hub.clock.now()
    mine = next((a for a in shown.acknowledgements if a.party == _my_code(s)), None)
    return s.show(
        "deconfliction_one.html",
        n=shown,
        ref=shown.reference,
        kind=translate(words.KIND[shown.kind], s.locale),
        status=translate(words.STATUS[shown.status], s.locale),
        notifier=name_in(s.locale, shown.notifier_name.ar, shown.notifier_name.en),
        facts=_facts(s, shown),
        parties=[_party(s, a, now) for a in shown.acknowledgements],
        mine=None if mine is None else _party(s, mine, now),
        is_notifier=shown.notifier == _my_code(s),
        can_speak=access.can_notify(s.me),
        concerns=[(c.value, translate(words.CONCERN[c], s.locale)) for c in ConcernCode],
        reads=[
            {"party": code, "user": user, "at": r.read_at, "via": r.via} for r, code, user in reads
        ],
        map=_map(s),
        notifications=json.dumps(_layer_out(s, shown)),
        focus=True,
        tile_url=s.hub.settings.tile_url or "",
        threads=threads_about(s, notification_id),
    )


@router.post("/deconfliction/{notification_id}/acknowledge")
def acknowledge(notification_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    concern = one(form, "concern") or None
    try:
        s.check_csrf(form)
        body = AcknowledgeIn.model_validate(
            {
                "version": one(form, "version") or "0",
                "answer": AcknowledgementState.RECEIVED
                if concern is None
                else AcknowledgementState.RECEIVED_WITH_CONCERN,
                "concern": concern,
                "note": (one(form, "note") or "")[:2000],
            }
        )
        service.acknowledge(s.session, s.me, notification_id, body, s.hub.clock)
    except TansiqError as error:
        return s.error(error)
    except ValidationError:
        return s.go(f"/deconfliction/{notification_id}")
    return s.go(f"/deconfliction/{notification_id}")


@router.post("/deconfliction/{notification_id}/withdraw")
def withdraw(notification_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        note = (one(form, "note") or "")[:2000]
        service.withdraw(s.session, s.me, notification_id, note, s.hub.clock)
    except TansiqError as error:
        return s.error(error)
    return s.go(f"/deconfliction/{notification_id}")


@router.post("/deconfliction/{notification_id}/shift")
def apply_shift(notification_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        version = int(one(form, "version") or "0")
        service.apply_shift(s.session, s.me, notification_id, version, _env(s))
    except TansiqError as error:
        return s.error(error)
    except ValueError:
        return s.go(f"/deconfliction/{notification_id}")
    return s.go(f"/deconfliction/{notification_id}")


@router.post("/deconfliction/{notification_id}/reconfirm")
def reconfirm(notification_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        service.reconfirm_site(s.session, s.me, notification_id, _env(s))
    except TansiqError as error:
        return s.error(error)
    return s.go(f"/deconfliction/{notification_id}")


# --- helpers -----------------------------------------------------------------------------------


def _form(
    s: Viewer,
    site: bool,
    values: dict[str, str],
    flags: dict[str, bool] | None = None,
    *,
    preview: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    problems: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    def choices(table: dict[Any, str]) -> list[tuple[str, str]]:
        return [(key.value, translate(label, s.locale)) for key, label in table.items()]

    return s.show(
        "deconfliction_new.html",
        status,
        site=site,
        v=values,
        flags=flags or {},
        preview=preview,
        error=error,
        problems=problems or [],
        purposes=choices(words.PURPOSE),
        vehicles=choices(words.VEHICLE),
        site_types=choices(words.SITE_TYPE),
        weekdays=list(get_day_names("wide", locale=s.locale.value).items()),
        map=_map(s),
        notifications="[]",
        tile_url=s.hub.settings.tile_url or "",
    )


def _body(
    values: dict[str, str], flags: dict[str, bool], site: bool, zone: tzinfo
) -> MovementIn | SiteIn:
    """The form as the API's model: the same checks, the same coded errors."""
    data: dict[str, Any] = {
        "contact": values["contact"],
        "place": values["place"] or None,
        "note": values["note"],
        **flags,
    }
    if site:
        data |= {
            "geometry": {
                "type": "Point",
                "coordinates": [_number(values["lon"]), _number(values["lat"])],
            },
            "radius_m": values["radius_m"] or None,
            "site_type": values["site_type"],
            "name": values["name"],
            "reconfirm_days": values["reconfirm_days"] or 30,
        }
        return SiteIn.model_validate(data)
    codes = [c.strip() for c in values["checkpoints"].split(",") if c.strip()]
    route = json.loads(values["route"]) if values["route"].startswith("{") else None
    start = parse_time(values["start"], "start", zone)
    end = parse_time(values["end"], "end", zone)
    data |= {
        "checkpoints": None if route is not None else codes,
        "route": route,
        "corridor_m": values["corridor_m"] or None,
        "start": start.isoformat() if start else "",
        "end": end.isoformat() if end else "",
        "vehicles": values["vehicles"],
        "vehicle_kind": values["vehicle_kind"],
        "markings": values["markings"],
        "purpose": values["purpose"],
    }
    if values["repeat"] in ("daily", "weekly") and values["until"]:
        days = [int(day) for day in values.get("weekdays", "").split(",") if day]
        data["repetition"] = {"frequency": values["repeat"], "until": values["until"]}
        data["repetition"] |= {"weekdays": days} if values["repeat"] == "weekly" else {}
    return MovementIn.model_validate(data)


def _number(value: str) -> float | str:
    try:
        return float(value)
    except ValueError:
        return value


def _preview(s: Viewer, plan: Plan) -> dict[str, Any]:
    public = {
        pid: [why for why in reasons if why["reason"] != "conflict"]
        for pid, reasons in plan.reasons.items()
    }
    parties = parties_by_ids(s.session, {pid for pid, why in public.items() if why})
    return {
        "parties": [
            {
                "name": name_in(s.locale, p.name_ar, p.name_en),
                "why": [_why(s, why) for why in public[p.id]],
            }
            for p in parties.values()
        ],
        "conflicts": plan.clashes,
        # A movement's: whole minutes, as the conflicts page proposes it; None: no shift within
        # the horizon clears them all. A site is not moved in time.
        "movement": plan.kind is NotificationKind.MOVEMENT,
        "shift": None if plan.shift is None else round(plan.shift.total_seconds() / 60),
    }


def _why(s: Viewer, why: dict[str, Any]) -> str:
    name = name_in(s.locale, str(why.get("name_ar", "")), str(why.get("name_en", "")))
    return translate(
        words.REASON[why["reason"]], s.locale, name=name, reference=why.get("reference", "")
    )


def _summary(s: Viewer, summary: Any) -> dict[str, Any]:
    return {
        "id": summary.id,
        "ref": summary.reference,
        "kind": translate(words.KIND[summary.kind], s.locale),
        "status": translate(words.STATUS[summary.status], s.locale),
        "status_code": summary.status.value,
        "emergency": summary.emergency,
        "start": summary.start,
        "until": summary.end or summary.active_until,
    }


def _party(s: Viewer, ack: Any, now: Any) -> dict[str, Any]:
    return {
        "name": name_in(s.locale, ack.party_name.ar, ack.party_name.en),
        "why": [
            _why(
                s,
                {
                    "reason": r.reason,
                    "name_ar": r.name.ar if r.name else "",
                    "name_en": r.name.en if r.name else r.checkpoint or "",
                    "reference": r.reference or "",
                },
            )
            for r in ack.reasons
        ],
        "state": translate(words.STATE[ack.state], s.locale),
        "state_code": ack.state.value,
        "concern": None if ack.concern is None else translate(words.CONCERN[ack.concern], s.locale),
        "note": ack.note,
        "deadline": ack.deadline,
        "overdue": ack.overdue,
        "left": ack.deadline - now,
        "delivered": ack.delivered_at,
        "first_read": ack.first_read_at,
        "answered": ack.answered_at,
        "answered_by": ack.answered_by,
        "reminded": ack.reminded_at,
        "escalated": ack.escalated_at,
        "version": ack.version,
    }


def _facts(s: Viewer, shown: NotificationOut) -> list[tuple[str, str]]:
    t = s.words()
    content = shown.content
    if shown.kind is NotificationKind.SITE:
        return [
            (t["dc_name"], str(content.get("name", ""))),
            (t["dc_site_type"], translate(words.SITE_TYPE[content["site_type"]], s.locale)),
            (t["dc_contact"], str(content.get("contact", ""))),
            (t["dc_note"], str(content.get("note", ""))),
        ]
    return [
        (t["dc_vehicles"], str(content["vehicles"])),
        (t["dc_vehicle_kind"], translate(words.VEHICLE[content["vehicle_kind"]], s.locale)),
        (t["dc_purpose"], translate(words.PURPOSE[content["purpose"]], s.locale)),
        (t["dc_markings"], str(content.get("markings", ""))),
        (t["dc_contact"], str(content.get("contact", ""))),
        (t["dc_note"], str(content.get("note", ""))),
    ]


def _my_code(s: Viewer) -> str:
    assert s.me is not None  # noqa: S101 - every caller checked
    found = parties_by_ids(s.session, {s.me.party_id}).get(s.me.party_id)
    return "" if found is None else found.code


def _map(s: Viewer) -> Any:
    return map_layers.map_of(
        s.session,
        s.locale,
        map_layers.zones(s.session, s.locale, s.hub.clock.now())
        + map_layers.checkpoints(s.session, s.locale),
    )


def _feature(
    kind: NotificationKind, geometry: dict[str, Any], width_m: float, ref: str, label: str
) -> dict[str, Any]:
    if kind is NotificationKind.SITE and geometry["type"] == "Point" and width_m > 0:
        geometry = _circle(geometry["coordinates"], width_m)
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {"kind": kind.value, "reference": ref, "label": label},
    }


def _layer(s: Viewer, rows: list[tuple[Any, Any]]) -> list[dict[str, Any]]:
    return [
        _feature(
            n.kind,
            v.geometry,
            v.width_m,
            reference(n.kind, n.id),
            f"{reference(n.kind, n.id)} · {translate(words.KIND[n.kind], s.locale)}",
        )
        for n, v in rows
    ]


def _layer_out(s: Viewer, shown: NotificationOut) -> list[dict[str, Any]]:
    features = [
        _feature(shown.kind, shown.geometry, shown.width_m, shown.reference, shown.reference)
    ]
    for conflict in shown.conflicts:
        features.append(
            {
                "type": "Feature",
                "geometry": conflict.place,
                "properties": {"kind": "conflict", "label": conflict.other_reference},
            }
        )
    return features


def _circle(coordinates: list[float], radius_m: float) -> dict[str, Any]:
    """A point site's radius as a polygon, for the map only."""
    lon, lat = coordinates[0], coordinates[1]
    epsg = utm_epsg(lon, lat)
    forward = Transformer.from_crs(WGS84, epsg, always_xy=True)
    back = Transformer.from_crs(epsg, WGS84, always_xy=True)
    x, y = forward.transform(lon, lat)
    ring = shapely.Point(x, y).buffer(radius_m, quad_segs=8)
    circle = shapely.transform(ring, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))
    shown: dict[str, Any] = json.loads(shapely.to_geojson(circle))
    return shown
