"""Geo's pages, for administrators: zone maps per authority (upload a new version, see it on
the map, or every refused feature with its coded error) and checkpoints (add one, open or
close it). The base layers' page and the maps' area answers are in ``map_pages``."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import shapely
from fastapi import APIRouter, Response

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_, Locale
from tansiq.core.text import name_in
from tansiq.geo import map_layers, places, service
from tansiq.geo.domain import CheckpointStatus
from tansiq.parties import directory
from tansiq.parties.admin_gate import act, act_on_page, view
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import managed_authorities, name_of
from tansiq.parties.domain import Principal
from tansiq.web.forms import FRESH, BadChoice, FormState, Posted, PostedForm, parse_time, record_id
from tansiq.web.maps import MapView, zone_feature

router = APIRouter(include_in_schema=False)


class BadGeoJSONText(TansiqError):
    code = "geojson.not_json"
    message = N_("The zone map is not valid JSON (line {line}, column {column}).")


class NoDocument(TansiqError):
    code = "geojson.missing"
    message = N_("Choose a GeoJSON file or paste its text.")


class CheckpointExists(TansiqError):
    code = "checkpoint.exists"
    message = N_('A checkpoint with the code "{checkpoint}" already exists.')
    category = ErrorCategory.CONFLICT


def _window_state(start: datetime | None, end: datetime | None, now: datetime) -> str:
    if start is None or (end is not None and end <= now):
        return "past"
    return "future" if now < start else "in_force"


def _map_features(s: Viewer, highlight: int | None) -> MapView:
    """Every checkpoint, and the zones in force now loaded by area as the map moves (or, for
    ``highlight``, that map's zones drawn bolder in place of its authority's current ones)."""
    now = s.hub.clock.now()
    shown = places.zone_map(s.session, highlight) if highlight else None
    replaced = None if shown is None else _current_map(s, shown.authority_id)
    features = []
    if shown is not None:
        party = directory.party(s.session, shown.authority_id)
        code = "" if party is None else party.code
        features += [
            zone_feature(
                json.loads(shapely.to_geojson(shapely.from_wkb(zone.geometry_wkb))),
                code,
                name_in(s.locale, zone.name_ar, zone.name_en),
                focus=True,
            )
            for zone in places.zones_of_map(s.session, shown.id)
        ]
    return map_layers.map_of(
        s.session,
        s.locale,
        features + map_layers.checkpoints(s.session, s.locale),
        map_layers.live(s.session, now, without_map=replaced),
    )


def _current_map(s: Viewer, authority_id: int) -> int | None:
    now = s.hub.clock.now()
    for view_ in service.list_zone_maps(s.session, authority_id):
        if _window_state(view_.in_force_from, view_.in_force_until, now) == "in_force":
            return view_.record.id
    return None


def _zones(
    s: Viewer,
    me: Principal,
    form: FormState = FRESH,
    *,
    uploaded: int | None = None,
) -> Response:
    now = s.hub.clock.now()
    authorities = []
    for party in managed_authorities(s.session, me):
        shown_maps = [
            {
                "id": v.record.id,
                "source": v.record.source_name,
                "zones": v.record.zone_count,
                "valid_from": ensure_utc(v.record.valid_from),
                "valid_until": None
                if v.record.valid_until is None
                else ensure_utc(v.record.valid_until),
                "in_force_from": v.in_force_from,
                "in_force_until": v.in_force_until,
                "state": _window_state(v.in_force_from, v.in_force_until, now),
                "uploaded": v.record.id == uploaded,
            }
            for v in reversed(service.list_zone_maps(s.session, party.id))
        ]
        authorities.append(
            {"code": party.code, "name": name_of(party, s.locale), "maps": shown_maps}
        )
    return s.show(
        "admin_zones.html",
        form.status,
        authorities=authorities,
        **form.shown(),
        uploaded=uploaded,
        max_bytes=s.hub.settings.max_body_bytes,
        map=_map_features(s, uploaded),
        tile_url=s.hub.settings.tile_url or "",
    )


@router.get("/admin/zones")
def zones_page(s: Current, uploaded: str = "") -> Response:
    return view(s, lambda me: _zones(s, me, uploaded=record_id(uploaded)))


def posted_document(body: Posted, not_json: type[TansiqError] = BadGeoJSONText) -> Any:
    """The GeoJSON pasted in the form's ``document`` field, or ``not_json`` naming where the
    text stops being JSON."""
    text = body.form.get("document", [""])[0]
    if not text.strip():
        raise NoDocument
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise not_json(line=error.lineno, column=error.colno) from None
    except RecursionError:  # absurdly deep nesting is not GeoJSON either
        raise not_json(line=1, column=1) from None


def feature_names(document: Any, locale: Locale) -> dict[int, str]:
    """Each feature's name, if it has one, so the error table can say which is which."""
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        return {}
    names: dict[int, str] = {}
    for index, feature in enumerate(features[:10_000]):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            first = "name_ar" if locale is Locale.AR else "name_en"
            name = next(
                (
                    properties[key]
                    for key in (first, "name", "name_en", "name_ar")
                    if isinstance(properties.get(key), str) and properties[key]
                ),
                None,
            )
            if isinstance(name, str):
                names[index] = name[:200]
    return names


@router.post("/admin/zones")
def upload_zone_map(s: Current, body: PostedForm) -> Response:
    names: dict[int, str] = {}

    def do(me: Principal) -> Response:
        document = posted_document(body)
        names.update(feature_names(document, s.locale))
        record = service.import_zone_map(
            s.session,
            me,
            authority=body.text("authority", limit=40),
            document=document,
            valid_from=parse_time(body.text("valid_from"), "valid_from", s.zone),
            valid_until=parse_time(body.text("valid_until"), "valid_until", s.zone),
            clock=s.hub.clock,
            rewind=bool(body.text("rewind")),
            source_name=body.text("source_name"),
        )
        return s.go(f"/admin/zones?uploaded={record.id}")

    def again(me: Principal, error: dict[str, Any], status: int) -> Response:
        for detail in error["details"]:
            detail["name"] = names.get(detail.get("feature", -1), "")
        return _zones(s, me, FormState(error, body.values(), status))

    return act(s, body, do, again)


def _checkpoints(s: Viewer, me: Principal, form: FormState = FRESH, *, done: str = "") -> Response:
    authorities = managed_authorities(s.session, me)
    codes = {party.id: party for party in authorities}
    rows = [
        {
            "code": record.code,
            "name": name_in(s.locale, record.name_ar, record.name_en),
            "authority": name_of(codes[record.authority_id], s.locale),
            "open": record.status == CheckpointStatus.OPEN,
            "reason": record.status_reason,
            "lon": record.lon,
            "lat": record.lat,
        }
        for record in service.list_checkpoints(s.session)
        if record.authority_id in codes
    ]
    return s.show(
        "admin_checkpoints.html",
        form.status,
        checkpoints=rows,
        authorities=[{"code": p.code, "name": name_of(p, s.locale)} for p in authorities],
        **form.shown(),
        done=done,
    )


@router.get("/admin/checkpoints")
def checkpoints_page(s: Current, done: str = "") -> Response:
    return view(s, lambda me: _checkpoints(s, me, done=done[:40]))


def _coordinate(value: str) -> Any:
    """A number if it reads as one; otherwise the text, for the GeoJSON reader to refuse
    with its coded error like any other bad coordinate."""
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


@router.post("/admin/checkpoints")
def create_checkpoint(s: Current, body: PostedForm) -> Response:
    def do(me: Principal) -> Response:
        code = body.text("code", limit=40).strip()
        if places.checkpoint_by_code(s.session, code) is not None:
            # The import matches by code and would move the existing checkpoint.
            raise CheckpointExists(checkpoint=code)
        feature = {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [
                    _coordinate(body.text("lon", limit=40)),
                    _coordinate(body.text("lat", limit=40)),
                ],
            },
            "properties": {
                "code": code,
                "authority": body.text("authority", limit=40),
                "name_ar": body.text("name_ar"),
                "name_en": body.text("name_en"),
            },
        }
        service.import_checkpoints(
            s.session,
            me,
            document={"type": "FeatureCollection", "features": [feature]},
            clock=s.hub.clock,
        )
        return s.go(f"/admin/checkpoints?done={code}")

    return act_on_page(s, body, do, _checkpoints, body.values())


@router.post("/admin/checkpoints/{code}/status")
def checkpoint_status(code: str, s: Current, body: PostedForm) -> Response:
    def do(me: Principal) -> Response:
        status = body.text("status")
        if status not in tuple(CheckpointStatus):
            raise BadChoice(field="status")
        service.set_checkpoint_status(
            s.session,
            me,
            checkpoint=code[:40],
            status=CheckpointStatus(status),
            reason=body.text("reason"),
            clock=s.hub.clock,
        )
        return s.go(f"/admin/checkpoints?done={code[:40]}")

    return act_on_page(s, body, do, _checkpoints, {"status_of": code[:40], **body.values()})
