"""The layers geo gives every page's map: the zones in force at a time and the checkpoints, as
GeoJSON features with names in the reader's language; and ``map_of``, which hands them with
the authorities' names to the shell's map builder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import shapely
from sqlalchemy.orm import Session

from tansiq.core.i18n import Locale
from tansiq.core.text import name_in
from tansiq.geo.service import list_checkpoints, zone_features
from tansiq.parties.directory import names_by_code
from tansiq.web.maps import MapView, authorities_of, build_map, zone_feature


def zones(
    session: Session,
    locale: Locale,
    at: datetime,
    *,
    near: shapely.Geometry | None = None,
    highlight: frozenset[int] = frozenset(),
    leave_out_map: int | None = None,
) -> list[dict[str, Any]]:
    """Zones in force at ``at`` (``highlight``: zone ids drawn heavier; ``leave_out_map``: a
    map whose zones another layer shows instead)."""
    return [
        zone_feature(
            zone["geometry"],
            zone["properties"]["authority"],
            name_in(locale, zone["properties"]["name_ar"], zone["properties"]["name_en"]),
            required=zone["properties"]["zone_id"] in highlight,
        )
        for zone in zone_features(session, at, near=near)
        if zone["properties"]["map_id"] != leave_out_map
    ]


def checkpoints(
    session: Session, locale: Locale, *, near: shapely.Geometry | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "kind": "checkpoint",
                "code": c.code,
                "open": c.status == "open",
                "name": name_in(locale, c.name_ar, c.name_en),
            },
        }
        for c in list_checkpoints(session)
        if near is None or near.contains(shapely.Point(c.lon, c.lat))
    ]


def map_of(session: Session, locale: Locale, features: list[dict[str, Any]]) -> MapView:
    """The map of ``features``, its legend naming the authorities whose zones it shows."""
    return build_map(features, names_by_code(session, authorities_of(features), locale))
