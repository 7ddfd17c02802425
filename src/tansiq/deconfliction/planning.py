"""Everything a notification needs worked out before anything is stored or shared: its
geometry (checked for sanity), its windows, the parties it reaches and why, and its conflicts
with the other active notifications, with the earliest shift that clears them.

Reads only: a plan that fails stores nothing and tells nobody.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.geojson import GeoJSONInvalid, parse_geometry
from tansiq.core.i18n import N_
from tansiq.deconfliction.conflicts import (
    Conflict,
    Footprint,
    movement_footprint,
    site_footprint,
)
from tansiq.deconfliction.domain import (
    BadSiteRadius,
    NotificationKind,
)
from tansiq.deconfliction.models import NotificationRecord, NotificationVersionRecord
from tansiq.deconfliction.repository import Notifier
from tansiq.deconfliction.sanity import (
    Bounds,
    check_crosses_zone,
    check_in_area,
    check_place,
    check_route,
    check_site_radius,
    deployment_area,
    place_key,
)
from tansiq.deconfliction.schedule import (
    Reconfirmation,
    Repetition,
    Window,
    occurrences,
    planned_window,
    span,
)
from tansiq.deconfliction.schemas import MovementIn, SiteIn
from tansiq.deconfliction.stored import (
    ActiveMovements,
    grown_box,
    stored_clashes,
    stored_conflicts,
)
from tansiq.geo.domain import RouteResolution, check_corridor
from tansiq.geo.places import checkpoints_by_codes, zones_of_map
from tansiq.geo.service import (
    CheckpointNotFound,
    SpatialIndexCache,
    list_checkpoints,
    list_zone_maps,
    zones_in_force,
)

POLYGON_EDGE_M = 1.0  # a polygon site's outline is resolved as a corridor this wide


class RouteAndCheckpoints(TansiqError):
    code = "movement.route_or_checkpoints"
    message = N_("Give the route as a GeoJSON LineString or as checkpoints, exactly one of them.")


class SiteGeometryInvalid(TansiqError):
    code = "site.geometry_invalid"
    message = N_("A site is a GeoJSON Point with a radius, or a Polygon, in longitude, latitude.")


class RouteGeometryInvalid(TansiqError):
    code = "movement.route_invalid"
    message = N_("The route must be a valid GeoJSON LineString in longitude, latitude.")


class NothingToShift(TansiqError):
    code = "movement.nothing_to_shift"
    message = N_("This version has no conflict, or no shift within the horizon clears them.")
    category = ErrorCategory.CONFLICT


@dataclass(frozen=True)
class Policy:
    """The deployment's rules for deconfliction, from the settings."""

    default_corridor_m: float
    max_corridor_m: float
    emergency_after: timedelta
    routine_after: timedelta
    site_margin_m: float
    shift_horizon: timedelta
    area: Bounds | None
    area_margin_m: float
    place_tolerance_m: float
    zone: ZoneInfo


@dataclass(frozen=True)
class Plan:
    """A notification's version, worked out: ready to store and share."""

    kind: NotificationKind
    geometry: dict[str, Any]  # GeoJSON, longitude/latitude, only the geometry kept
    shape_wkb: bytes  # the same, as WKB
    width_m: float
    window: Window | None  # a movement's first occurrence
    occurrences: tuple[Window, ...]  # a movement's occurrences; a site's active window
    content: dict[str, Any]
    emergency: bool
    reconfirm_days: int | None
    reasons: dict[int, list[dict[str, Any]]]  # party id → why it is included
    conflicts: list[Conflict]  # with their places; a preview only counts them (``clashes``)
    clashes: int  # how many notifications it conflicts with
    located: bool  # its conflicts worked out with their places (what filing stores)
    others: dict[int, Notifier]  # the conflicting notifications (id, kind, notifier), by id
    shift: timedelta | None
    epsg: int
    footprint: Footprint = field(repr=False)

    @property
    def active(self) -> Window:
        return span(self.occurrences)


def reference(kind: NotificationKind, notification_id: int) -> str:
    """What people call a notification: M-12 for a movement, S-7 for a site."""
    return f"{'M' if kind is NotificationKind.MOVEMENT else 'S'}-{notification_id}"


def plan_movement(
    session: Session,
    body: MovementIn,
    policy: Policy,
    index: SpatialIndexCache,
    now: datetime,
    notification_id: int = 0,
    movements: ActiveMovements | None = None,
    *,
    located: bool = True,
) -> Plan:
    route = _route(session, body)
    check_route(route)
    width = check_corridor(
        policy.default_corridor_m if body.corridor_m is None else body.corridor_m,
        policy.max_corridor_m,
    )
    check_in_area(route, _area(session, policy))
    if body.place:
        check_place(
            shapely.Point(route.coords[0]),
            body.place,
            _gazetteer(session, now),
            policy.place_tolerance_m,
        )
    window = planned_window(body.start, body.end, now)
    repetition = None
    if body.repetition is not None:
        repetition = Repetition(
            body.repetition.frequency, body.repetition.until, frozenset(body.repetition.weekdays)
        )
    windows = occurrences(window, repetition, policy.zone)
    resolutions = _resolve(session, index, route, width, span(windows), policy)
    reasons = _reasons(resolutions)
    epsg = resolutions[0].epsg
    if not body.confirm_no_zone:
        check_crosses_zone(
            route, lambda _: any(a.zones for r in resolutions for a in r.authorities)
        )
    footprint = movement_footprint(notification_id, route, width, windows, epsg)
    content = {
        "vehicles": body.vehicles,
        "vehicle_kind": body.vehicle_kind.value,
        "markings": body.markings,
        "purpose": body.purpose.value,
        "contact": body.contact,
        "place": body.place or "",
        "note": body.note,
        "checkpoints": body.checkpoints or [],
        "repetition": None if body.repetition is None else body.repetition.model_dump(mode="json"),
    }
    plan = Plan(
        kind=NotificationKind.MOVEMENT,
        geometry=_geojson(route),
        shape_wkb=shapely.to_wkb(route),
        width_m=width,
        window=window,
        occurrences=windows,
        content=content,
        emergency=body.emergency,
        reconfirm_days=None,
        reasons=reasons,
        conflicts=[],
        clashes=0,
        located=False,
        others={},
        shift=None,
        epsg=epsg,
        footprint=footprint,
    )
    return _with_conflicts(session, plan, policy, movements, located)


def plan_site(
    session: Session,
    body: SiteIn,
    policy: Policy,
    index: SpatialIndexCache,
    now: datetime,
    notification_id: int = 0,
    movements: ActiveMovements | None = None,
    *,
    located: bool = True,
) -> Plan:
    try:
        geometry = parse_geometry(body.geometry, ("Point", "Polygon"))
    except GeoJSONInvalid as error:
        raise SiteGeometryInvalid(error.details) from None
    if isinstance(geometry, shapely.Point):
        if body.radius_m is None:
            raise BadSiteRadius(minimum=1, count=5000)
        radius = check_site_radius(body.radius_m)
        outline = shapely.LineString([geometry.coords[0], geometry.coords[0]])
        corridor = 2 * radius
        anchor = geometry
    else:
        radius = 0.0
        outline = shapely.LineString(geometry.exterior.coords)
        corridor = POLYGON_EDGE_M
        anchor = geometry.centroid
    check_in_area(geometry, _area(session, policy))
    if body.place:
        check_place(anchor, body.place, _gazetteer(session, now), policy.place_tolerance_m)
    active = Reconfirmation(now, timedelta(days=body.reconfirm_days)).active
    resolutions = _resolve(session, index, outline, corridor, active, policy)
    reasons = _reasons(resolutions)
    epsg = resolutions[0].epsg
    if not body.confirm_no_zone:
        check_crosses_zone(
            geometry, lambda _: any(a.zones for r in resolutions for a in r.authorities)
        )
    footprint = site_footprint(
        notification_id, geometry, radius, policy.site_margin_m, active, epsg
    )
    content = {
        "site_type": body.site_type.value,
        "name": body.name,
        "contact": body.contact,
        "place": body.place or "",
        "note": body.note,
    }
    plan = Plan(
        kind=NotificationKind.SITE,
        geometry=_geojson(geometry),
        shape_wkb=shapely.to_wkb(geometry),
        width_m=radius,
        window=None,
        occurrences=(active,),
        content=content,
        emergency=body.emergency,
        reconfirm_days=body.reconfirm_days,
        reasons=reasons,
        conflicts=[],
        clashes=0,
        located=False,
        others={},
        shift=None,
        epsg=epsg,
        footprint=footprint,
    )
    return _with_conflicts(session, plan, policy, movements, located)


def footprint_of(
    notification: NotificationRecord,
    version: NotificationVersionRecord,
    windows: Sequence[Window],
    policy: Policy,
    epsg: int,
) -> Footprint:
    """A stored notification's footprint (its current version) in the metric CRS ``epsg``."""
    geometry = shape(version.geometry)
    if notification.kind is NotificationKind.MOVEMENT:
        return movement_footprint(notification.id, geometry, version.width_m, windows, epsg)
    active = Window(notification.active_from, notification.active_until)
    return site_footprint(
        notification.id, geometry, version.width_m, policy.site_margin_m, active, epsg
    )


def _with_conflicts(
    session: Session,
    plan: Plan,
    policy: Policy,
    movements: ActiveMovements | None,
    located: bool,
) -> Plan:
    """The plan with its conflicts, the earliest shift that clears them (movements), and the
    notifiers of what it conflicts with among the parties it reaches. Unless ``located``
    (a preview, which shows how many and the shift, and never whom: see
    ``schemas.PreviewOut``), only counted: their places and notifiers are left out."""
    box = grown_box(shapely.from_wkb(plan.shape_wkb), plan.footprint.reach_m + policy.site_margin_m)
    if not located:
        checked = stored_clashes(session, plan.footprint, plan.kind, policy, box, movements)
        return replace(plan, clashes=len(checked.clashes), shift=checked.shift)
    result = stored_conflicts(session, plan.footprint, plan.kind, policy, box, movements)
    found, others, shift = result.conflicts, result.others, result.shift
    reasons = {party: list(why) for party, why in plan.reasons.items()}
    for conflict in found:
        other = others[conflict.notification_id]
        reasons.setdefault(other.notifier_party_id, []).append(
            {
                "reason": "conflict",
                "notification": other.id,
                "reference": reference(other.kind, other.id),
            }
        )
    return replace(
        plan,
        conflicts=found,
        clashes=len(found),
        located=True,
        others={c.notification_id: others[c.notification_id] for c in found},
        shift=shift,
        reasons=reasons,
    )


def _route(session: Session, body: MovementIn) -> shapely.LineString:
    if (body.route is None) == (body.checkpoints is None):
        raise RouteAndCheckpoints
    if body.checkpoints is not None:
        known = checkpoints_by_codes(session, set(body.checkpoints))
        missing = [code for code in body.checkpoints if code not in known]
        if missing:
            raise CheckpointNotFound(checkpoint=missing[0])
        return shapely.LineString([(known[c].lon, known[c].lat) for c in body.checkpoints])
    try:
        line = parse_geometry(body.route, ("LineString",))
    except GeoJSONInvalid as error:
        raise RouteGeometryInvalid(error.details) from None
    assert isinstance(line, shapely.LineString)  # noqa: S101 - parse_geometry checked the type
    return line


def _geojson(geometry: BaseGeometry) -> dict[str, Any]:
    shown: dict[str, Any] = dict(mapping(geometry))
    return {"type": shown["type"], "coordinates": _lists(shown["coordinates"])}


def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_lists(item) for item in value]
    return value


def area_of(session: Session, policy: Policy) -> BaseGeometry:
    """The deployment's area: the one set, or every zone's box grown by the margin."""
    return _area(session, policy)


def _area(session: Session, policy: Policy) -> BaseGeometry:
    if policy.area is not None:
        return shapely.box(*policy.area)
    bounds: list[Bounds] = []
    for view in list_zone_maps(session):
        if view.in_force_from is None:
            continue  # a map that is never in force
        for zone in zones_of_map(session, view.record.id):
            found = shapely.from_wkb(zone.geometry_wkb).bounds
            bounds.append((found[0], found[1], found[2], found[3]))
    return deployment_area(bounds, policy.area_margin_m)


def _gazetteer(session: Session, now: datetime) -> Mapping[str, tuple[float, float]]:
    """Place names in either language (and checkpoint codes) → longitude, latitude: the
    checkpoints, and the zones in force (their centres)."""
    places: dict[str, tuple[float, float]] = {}
    for zone, _ in zones_in_force(session, now):
        centre = shapely.from_wkb(zone.geometry_wkb).centroid
        for name in (zone.name_ar, zone.name_en):
            if name:
                places[place_key(name)] = (centre.x, centre.y)
    for checkpoint in list_checkpoints(session):
        for name in (checkpoint.name_ar, checkpoint.name_en, checkpoint.code):
            if name:
                places[place_key(name)] = (checkpoint.lon, checkpoint.lat)
    return places


def _resolve(
    session: Session,
    cache: SpatialIndexCache,
    line: shapely.LineString,
    corridor_m: float,
    window: Window,
    policy: Policy,
) -> list[RouteResolution]:
    """The route's resolution at every moment a different zone map could be in force during
    ``window``: its start, and each later start of a map within it."""
    index = cache.get(session)
    moments = {window.start} | {
        view.in_force_from
        for view in list_zone_maps(session)
        if view.in_force_from is not None and window.start < view.in_force_from < window.end
    }
    return [index.resolve(line, corridor_m, moment) for moment in sorted(moments)]


def _reasons(resolutions: Sequence[RouteResolution]) -> dict[int, list[dict[str, Any]]]:
    reasons: dict[int, list[dict[str, Any]]] = {}
    seen: set[tuple[int, str, Any]] = set()
    for resolution in resolutions:
        for authority in resolution.authorities:
            why = reasons.setdefault(authority.authority_id, [])
            for zone in authority.zones:
                if (authority.authority_id, "zone", zone.zone_id) not in seen:
                    seen.add((authority.authority_id, "zone", zone.zone_id))
                    why.append(
                        {
                            "reason": "zone",
                            "zone_id": zone.zone_id,
                            "name_ar": zone.name.ar,
                            "name_en": zone.name.en,
                        }
                    )
            for hit in authority.checkpoints:
                code = hit.checkpoint.code
                if (authority.authority_id, "checkpoint", code) not in seen:
                    seen.add((authority.authority_id, "checkpoint", code))
                    why.append(
                        {
                            "reason": "checkpoint",
                            "checkpoint": code,
                            "name_ar": hit.checkpoint.name.ar,
                            "name_en": hit.checkpoint.name.en,
                        }
                    )
    return reasons
