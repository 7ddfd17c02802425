"""Tansiq's advisories as CAP 1.2 alerts, and CAP 1.2 alerts as advisories. Pure: no storage,
no web.

How each kind of advisory is carried (docs/api.md, "CAP 1.2 and Atom", says the same):

- **area unsafe**: the area's polygons (outer rings; a hole in an unsafe area is exported as
  unsafe, the safe side of the error). On import, CAP polygons and circles become a Polygon or
  MultiPolygon, a circle drawn with 64 sides.
- **road closed**: CAP has no lines, so the stretch travels twice. A parameter
  ``tansiq:road`` holds the LineString itself as CAP "latitude,longitude" pairs separated by
  spaces (the order CAP's polygons use, so one document has one convention); and the area
  holds a thin polygon around it (``ROAD_HALF_WIDTH_M`` each side), so any CAP reader that
  knows nothing of Tansiq still draws the closed stretch. On import the parameter wins.
- **checkpoint closed**: a geocode ``tansiq:checkpoint`` holds the checkpoint's code; the area
  has a circle around the checkpoint for other readers. On import the code names the checkpoint.

An event code ``tansiq:advisory`` names the kind. Without it (an alert from another system),
the kind is found from what is there: a checkpoint geocode, then a road parameter, then any
polygon or circle (area unsafe).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry.polygon import orient

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, Locale, translate
from tansiq.incidents.cap import cap_number
from tansiq.incidents.cap_model import (
    MAX_POINTS,
    Alert,
    Area,
    CapFieldInvalid,
    CapFieldMissing,
    CapTooManyPoints,
    Category,
    Certainty,
    Circle,
    Info,
    MsgType,
    NamedValue,
    Position,
    Reference,
    ResponseType,
    Scope,
    Severity,
    Status,
    Urgency,
    shown,
)
from tansiq.incidents.domain import ADVISORY_KIND_LABELS, AdvisoryKind
from tansiq.incidents.domain import Severity as OurSeverity

KIND_CODE = "tansiq:advisory"
ROAD_PARAMETER = "tansiq:road"
CHECKPOINT_GEOCODE = "tansiq:checkpoint"
ROAD_HALF_WIDTH_M = 25.0
CHECKPOINT_RADIUS_KM = 0.15
CIRCLE_SIDES = 64
MAX_KEY = 300  # characters of "sender,identifier", as advisories.cap_identifier holds them
LANGUAGES = (Locale.AR, Locale.EN)
RESTRICTION = "Parties taking part in the Tansiq hub only."
_METRES_PER_DEGREE = 111_320.0

_CATEGORY = {
    AdvisoryKind.ROAD_CLOSED: Category.TRANSPORT,
    AdvisoryKind.CHECKPOINT_CLOSED: Category.TRANSPORT,
    AdvisoryKind.AREA_UNSAFE: Category.SAFETY,
}
_TO_CAP_SEVERITY = {
    OurSeverity.MINOR: Severity.MINOR,
    OurSeverity.MODERATE: Severity.MODERATE,
    OurSeverity.SEVERE: Severity.SEVERE,
    OurSeverity.EXTREME: Severity.EXTREME,
}
# CAP's "Unknown" is taken as severe, the advisories' own default: better warned than not.
_FROM_CAP_SEVERITY = {cap: ours for ours, cap in _TO_CAP_SEVERITY.items()} | {
    Severity.UNKNOWN: OurSeverity.SEVERE
}


class CapNotActual(TansiqError):
    code = "cap.not_actual"
    message = N_(
        'Only a CAP alert whose status is "Actual" becomes an advisory; this one is "{status}". '
        "Nothing was imported."
    )


class CapMessageUnsupported(TansiqError):
    code = "cap.message_unsupported"
    message = N_(
        'A CAP message of type "{msg_type}" cannot be imported as an advisory; send an '
        '"Alert", an "Update" or a "Cancel".'
    )


class CapNoLanguage(TansiqError):
    code = "cap.no_language"
    message = N_("The CAP alert has no <info> in Arabic or in English; nothing was imported.")


class CapLanguageRepeated(TansiqError):
    code = "cap.language_repeated"
    message = N_(
        'The CAP alert has more than one <info> in the language "{language}"; send one per '
        "language."
    )


class CapInfosDisagree(TansiqError):
    code = "cap.infos_disagree"
    message = N_(
        'The CAP <info> blocks disagree on "{field}": every language must describe the same '
        "advisory."
    )


class CapNoPlace(TansiqError):
    code = "cap.no_place"
    message = N_(
        'The CAP element "{field}" has no polygon, circle, road or checkpoint that Tansiq can '
        "place on the map; nothing was imported."
    )


@dataclass(frozen=True)
class CapAdvisory:
    """What an advisory is, as a CAP alert carries it (an import's result, an export's input).

    ``geometry`` is GeoJSON: a LineString (road closed), a Polygon or MultiPolygon (area
    unsafe), the checkpoint's Point (checkpoint closed; None when it comes from CAP, where the
    code names it). ``description`` is the issuer's own words."""

    kind: AdvisoryKind
    geometry: dict[str, Any] | None
    checkpoint: str | None
    valid_from: datetime
    valid_until: datetime
    severity: OurSeverity
    description: str
    public: bool


@dataclass(frozen=True)
class CapMessage:
    """An imported CAP message: who sent it, what it says, what it updates or cancels."""

    identifier: str  # "sender,identifier" (CAP's own key for a message), stored with the advisory
    sender: str
    msg_type: MsgType
    references: tuple[str, ...]  # the same key for each earlier message it updates or cancels
    advisory: CapAdvisory | None  # None for a Cancel


@dataclass(frozen=True)
class Issuer:
    """Who an exported alert comes from, and the names it shows in each language."""

    sender: str  # CAP sender: the hub's own identifier, no spaces or commas
    party_ar: str
    party_en: str
    place_ar: str = ""  # e.g. the checkpoint's name, for areaDesc
    place_en: str = ""


def message_key(sender: str, identifier: str) -> str:
    return f"{sender},{identifier}"


# Export ----------------------------------------------------------------------------------------


def advisory_alert(
    advisory: CapAdvisory,
    *,
    identifier: str,
    issuer: Issuer,
    sent: datetime,
    web: str = "",
    msg_type: MsgType = MsgType.ALERT,
    references: tuple[Reference, ...] = (),
) -> Alert:
    """The advisory as a CAP 1.2 alert with one ``<info>`` in Arabic and one in English.

    An advisory that changed since its first alert is an ``Update`` of it, one withdrawn its
    ``Cancel``: ``references`` names that first alert."""
    infos = tuple(_info(advisory, issuer, locale, sent, web) for locale in LANGUAGES)
    return Alert(
        identifier=identifier,
        sender=issuer.sender,
        sent=sent.replace(microsecond=0),
        status=Status.ACTUAL,
        msg_type=msg_type,
        scope=Scope.PUBLIC if advisory.public else Scope.RESTRICTED,
        restriction="" if advisory.public else RESTRICTION,
        references=references,
        infos=infos,
    )


def _info(advisory: CapAdvisory, issuer: Issuer, locale: Locale, sent: datetime, web: str) -> Info:
    label = translate(ADVISORY_KIND_LABELS[advisory.kind], locale)
    place = issuer.place_ar if locale is Locale.AR else issuer.place_en
    parameters: tuple[NamedValue, ...] = ()
    if advisory.kind is AdvisoryKind.ROAD_CLOSED:
        line = [(float(lon), float(lat)) for lon, lat, *_ in _shape_of(advisory)["coordinates"]]
        pairs = " ".join(f"{cap_number(lat)},{cap_number(lon)}" for lon, lat in line)
        parameters = (NamedValue(ROAD_PARAMETER, pairs),)
    return Info(
        language=locale.value,
        categories=(_CATEGORY[advisory.kind],),
        event=label,
        response_types=(ResponseType.AVOID,),
        urgency=Urgency.IMMEDIATE if advisory.valid_from <= sent else Urgency.EXPECTED,
        severity=_TO_CAP_SEVERITY[advisory.severity],
        certainty=Certainty.OBSERVED,
        event_codes=(NamedValue(KIND_CODE, advisory.kind.value),),
        onset=advisory.valid_from.replace(microsecond=0),
        expires=advisory.valid_until.replace(microsecond=0),
        sender_name=issuer.party_ar if locale is Locale.AR else issuer.party_en,
        headline=f"{label}: {place}" if place else label,
        description=advisory.description,
        web=web,
        parameters=parameters,
        areas=(_area(advisory, place or label),),
    )


def _area(advisory: CapAdvisory, description: str) -> Area:
    geometry = advisory.geometry
    if advisory.kind is AdvisoryKind.CHECKPOINT_CLOSED:
        circles: tuple[Circle, ...] = ()
        if geometry is not None:
            lon, lat = geometry["coordinates"][:2]
            circles = (Circle((float(lon), float(lat)), CHECKPOINT_RADIUS_KM),)
        code = NamedValue(CHECKPOINT_GEOCODE, advisory.checkpoint or "")
        return Area(description, circles=circles, geocodes=(code,))
    shape = shapely.geometry.shape(_shape_of(advisory))
    if advisory.kind is AdvisoryKind.ROAD_CLOSED:
        shape = _thin_polygon(shape)
    polygons = getattr(shape, "geoms", [shape])
    return Area(description, polygons=tuple(_ring(polygon) for polygon in polygons))


def _shape_of(advisory: CapAdvisory) -> dict[str, Any]:
    """A road's or an area's geometry, which the advisories' rules say it always has."""
    if advisory.geometry is None:
        raise ValueError(f"a {advisory.kind.value} advisory without its geometry")
    return advisory.geometry


def _ring(polygon: shapely.Polygon) -> tuple[Position, ...]:
    return tuple((float(x), float(y)) for x, y, *_ in polygon.exterior.coords)


def _thin_polygon(line: shapely.LineString) -> shapely.Polygon:
    """The road with ``ROAD_HALF_WIDTH_M`` on each side, in local metres and back."""
    lon0, lat0 = line.coords[0][:2]
    scale_x = _METRES_PER_DEGREE * math.cos(math.radians(lat0))
    local = shapely.transform(line, lambda c: (c - (lon0, lat0)) * (scale_x, _METRES_PER_DEGREE))
    band = local.buffer(ROAD_HALF_WIDTH_M, quad_segs=2).simplify(1.0)
    back = shapely.transform(band, lambda c: c / (scale_x, _METRES_PER_DEGREE) + (lon0, lat0))
    return shapely.set_precision(back, 1e-7)


# Import ----------------------------------------------------------------------------------------


def alert_message(alert: Alert) -> CapMessage:
    """What an imported alert asks for: an advisory to issue, or earlier ones to cancel.

    Refuses, with a coded error naming the element, an alert that is not "Actual", a message
    type that is no advisory, an alert with no Arabic or English ``<info>``, languages that
    disagree, and an alert with no place or no end."""
    if alert.status is not Status.ACTUAL:
        raise CapNotActual(status=alert.status.value)
    if alert.msg_type not in (MsgType.ALERT, MsgType.UPDATE, MsgType.CANCEL):
        raise CapMessageUnsupported(msg_type=alert.msg_type.value)
    key = message_key(alert.sender, alert.identifier)
    if len(key) > MAX_KEY:  # kept with the advisory, so a second import is no copy
        raise CapFieldInvalid(field="alert/identifier", value=shown(alert.identifier))
    references = tuple(message_key(ref.sender, ref.identifier) for ref in alert.references)
    if alert.msg_type is MsgType.CANCEL:
        if not references:
            raise CapFieldMissing(field="alert/references")
        return CapMessage(key, alert.sender, alert.msg_type, references, None)
    found: dict[str, tuple[CapAdvisory, str]] = {}
    for index, info in enumerate(alert.infos, start=1):
        language = info.language.split("-")[0].lower()
        if language not in LANGUAGES:
            continue  # another language: the Arabic and English blocks carry the advisory
        if language in found:
            raise CapLanguageRepeated(language=shown(info.language))
        path = f"alert/info[{index}]"
        found[language] = (_advisory(info, alert, path), path)
    if not found:
        raise CapNoLanguage
    advisories = [advisory for advisory, _ in found.values()]
    first = advisories[0]
    for other in advisories[1:]:
        for name in ("kind", "geometry", "checkpoint", "valid_from", "valid_until", "severity"):
            if getattr(other, name) != getattr(first, name):
                raise CapInfosDisagree(field=name)
    descriptions = dict.fromkeys(a.description for a in advisories if a.description)
    advisory = replace(first, description="\n\n".join(descriptions))
    return CapMessage(key, alert.sender, alert.msg_type, references, advisory)


def _advisory(info: Info, alert: Alert, path: str) -> CapAdvisory:
    kind = _kind(info, path)
    ours = any(code.name == KIND_CODE for code in info.event_codes)
    geometry: dict[str, Any] | None = None
    checkpoint: str | None = None
    if kind is AdvisoryKind.CHECKPOINT_CLOSED:
        checkpoint = _checkpoint(info, path)
    elif kind is AdvisoryKind.ROAD_CLOSED:
        geometry = _road(info, path)
    else:
        geometry = _areas(info, path)
    if info.expires is None:
        raise CapFieldMissing(field=f"{path}/expires")
    return CapAdvisory(
        kind=kind,
        geometry=geometry,
        checkpoint=checkpoint,
        valid_from=info.onset or info.effective or alert.sent,
        valid_until=info.expires,
        severity=_FROM_CAP_SEVERITY[info.severity],
        # Another system's alert may say it all in its headline; ours never do.
        description=info.description or ("" if ours else info.headline),
        public=alert.scope is Scope.PUBLIC,
    )


def _kind(info: Info, path: str) -> AdvisoryKind:
    for index, code in enumerate(info.event_codes, start=1):
        if code.name == KIND_CODE:
            try:
                return AdvisoryKind(code.value)
            except ValueError:
                field = f"{path}/eventCode[{index}]/value"
                raise CapFieldInvalid(field=field, value=shown(code.value)) from None
    if any(code.name == CHECKPOINT_GEOCODE for area in info.areas for code in area.geocodes):
        return AdvisoryKind.CHECKPOINT_CLOSED
    if any(parameter.name == ROAD_PARAMETER for parameter in info.parameters):
        return AdvisoryKind.ROAD_CLOSED
    return AdvisoryKind.AREA_UNSAFE


def _checkpoint(info: Info, path: str) -> str:
    for area_index, area in enumerate(info.areas, start=1):
        for index, code in enumerate(area.geocodes, start=1):
            if code.name == CHECKPOINT_GEOCODE:
                if not code.value:
                    field = f"{path}/area[{area_index}]/geocode[{index}]/value"
                    raise CapFieldMissing(field=field)
                return code.value
    raise CapNoPlace(field=f"{path}/area")


def _road(info: Info, path: str) -> dict[str, Any]:
    for index, parameter in enumerate(info.parameters, start=1):
        if parameter.name == ROAD_PARAMETER:
            field = f"{path}/parameter[{index}]/value"
            pairs = parameter.value.split()
            if len(pairs) > MAX_POINTS:
                raise CapTooManyPoints(field=field, count=MAX_POINTS)
            line = [_pair(pair, field) for pair in pairs]
            if len(line) < 2:
                raise CapFieldInvalid(field=field, value=shown(parameter.value))
            return {"type": "LineString", "coordinates": [list(p) for p in line]}
    raise CapNoPlace(field=f"{path}/parameter")


def _pair(pair: str, field: str) -> Position:
    try:
        lat_text, lon_text = pair.split(",")
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise CapFieldInvalid(field=field, value=shown(pair)) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CapFieldInvalid(field=field, value=shown(pair))
    return (lon, lat)


def _areas(info: Info, path: str) -> dict[str, Any]:
    polygons: list[shapely.Polygon] = []
    for area_index, area in enumerate(info.areas, start=1):
        polygons.extend(orient(shapely.Polygon(ring)) for ring in area.polygons)
        for index, circle in enumerate(area.circles, start=1):
            if circle.radius_km <= 0:
                field = f"{path}/area[{area_index}]/circle[{index}]"
                raise CapFieldInvalid(field=field, value=_circle_text(circle))
            polygons.append(_disc(circle))
    if not polygons:
        raise CapNoPlace(field=f"{path}/area")
    if len(polygons) == 1:
        return _mapping(polygons[0])
    return _mapping(shapely.MultiPolygon(polygons))


def _circle_text(circle: Circle) -> str:
    lon, lat = circle.centre
    return f"{cap_number(lat)},{cap_number(lon)} {cap_number(circle.radius_km)}"


def _disc(circle: Circle) -> shapely.Polygon:
    """The circle as a polygon of ``CIRCLE_SIDES`` sides, counter-clockwise."""
    lon, lat = circle.centre
    metres = circle.radius_km * 1000.0
    scale_x = _METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01)
    ring: Sequence[tuple[float, float]] = [
        (
            round(lon + metres * math.cos(angle) / scale_x, 7),
            round(lat + metres * math.sin(angle) / _METRES_PER_DEGREE, 7),
        )
        for angle in (2 * math.pi * step / CIRCLE_SIDES for step in range(CIRCLE_SIDES))
    ]
    return shapely.Polygon(ring)


def _mapping(shape: shapely.Polygon | shapely.MultiPolygon) -> dict[str, Any]:
    """GeoJSON as the rest of Tansiq writes it: lists, not tuples."""
    mapped: dict[str, Any] = shapely.geometry.mapping(shape)
    return {"type": mapped["type"], "coordinates": _lists(mapped["coordinates"])}


def _lists(value: Any) -> Any:
    if isinstance(value, tuple | list) and value and isinstance(value[0], float | int):
        return [float(number) for number in value]
    return [_lists(item) for item in value]
