"""Use cases for the deployment's base layers: roads, rivers, built-up areas and place names,
uploaded by the hub's admins as GeoJSON like zone maps, stored in the database and drawn under
the zones of every map. Nothing is fetched from outside. Services flush only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import shapely
from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorDetail, TansiqError
from tansiq.core.geojson import parse_features
from tansiq.core.i18n import N_
from tansiq.core.text import normalise_text
from tansiq.geo.domain import BASE_LAYER_TYPES, BaseLayerKind
from tansiq.geo.models import BaseFeatureRecord, BaseLayerRecord
from tansiq.geo.repository import GeoRepository
from tansiq.parties import access
from tansiq.parties.domain import Principal

MAX_NAME = 200
# A place's rank says from which zoom its name is drawn: 1 a town (always), 2 a quarter or
# village, 3 a landmark (close up only). Roads and rivers rank 1 (main) to 3 (minor).
RANKS = (1, 2, 3)
PLACE_RANKS = {
    "city": 1,
    "town": 1,
    "village": 2,
    "suburb": 2,
    "quarter": 2,
    "neighbourhood": 3,
    "hamlet": 3,
    "landmark": 3,
}


class UnknownBaseLayer(TansiqError):
    code = "base_layer.unknown_kind"
    message = N_(
        'There is no base layer "{kind}"; the layers are roads, rivers, built_up and places.'
    )


class BaseLayerInvalid(TansiqError):
    code = "base_layer.invalid"
    message = N_("The base layer is not valid; nothing was stored.")


def layer_kind(text: str) -> BaseLayerKind:
    """The layer named ``text``, or the coded refusal that lists the layers there are."""
    if text not in tuple(BaseLayerKind):
        raise UnknownBaseLayer(kind=text[:40])
    return BaseLayerKind(text)


def import_base_layer(
    session: Session,
    principal: Principal,
    *,
    kind: BaseLayerKind,
    document: Any,
    clock: Clock,
    source_name: str = "",
) -> BaseLayerRecord:
    """Store a new upload of one base layer; from now on maps draw it instead of the last.

    The deployment owns its base layers, so only the hub's admins upload them. Every feature is
    validated first (GeoJSON, geometry type, size); one bad feature means nothing is stored.
    """
    access.require(access.can_manage_base_layers(principal))
    features = parse_features(document, BASE_LAYER_TYPES[kind], rewind=True)
    problems: list[ErrorDetail] = []
    rows = []
    for feature in features:
        rank = _rank(feature.properties)
        if rank is None:
            problems.append(
                ErrorDetail(
                    "base_layer.bad_rank",
                    N_('"rank" must be 1, 2 or 3 (1 the most important).'),
                    feature=feature.index,
                    path=f"$.features[{feature.index}].properties.rank",
                )
            )
            continue
        name_ar = _text(feature.properties.get("name_ar"))
        name_en = _text(feature.properties.get("name_en")) or _text(feature.properties.get("name"))
        if kind is BaseLayerKind.PLACES and not (name_ar or name_en):
            problems.append(
                ErrorDetail(
                    "base_layer.place_unnamed",
                    N_("A place needs a name (name_ar, name_en or name)."),
                    feature=feature.index,
                    path=f"$.features[{feature.index}].properties",
                )
            )
            continue
        minx, miny, maxx, maxy = feature.geometry.bounds
        rows.append(
            BaseFeatureRecord(
                kind=kind,
                name_ar=name_ar,
                name_en=name_en,
                rank=rank,
                geometry_wkb=shapely.to_wkb(feature.geometry),
                min_lon=minx,
                min_lat=miny,
                max_lon=maxx,
                max_lat=maxy,
            )
        )
    if problems:
        raise BaseLayerInvalid(problems)
    repo = GeoRepository(session)
    layer = BaseLayerRecord(
        kind=kind,
        uploaded_at=clock.now(),
        uploaded_by=principal.user_id,
        source_name=normalise_text(source_name)[:MAX_NAME],
        feature_count=len(rows),
    )
    repo.add(layer)
    repo.flush()
    for row in rows:
        row.layer_id = layer.id
    repo.add_all(rows)
    repo.flush()
    return layer


def list_base_layers(session: Session) -> list[tuple[BaseLayerRecord, bool]]:
    """Every upload, newest of each kind first, with whether it is the one maps draw."""
    repo = GeoRepository(session)
    current = {record.id for record in repo.current_base_layers().values()}
    return [(record, record.id in current) for record in repo.base_layers()]


def _rank(properties: Mapping[str, Any]) -> int | None:
    value = properties.get("rank")
    if value is None:
        place = properties.get("place")
        return PLACE_RANKS.get(place, 2) if isinstance(place, str) else 2
    if isinstance(value, bool) or value not in RANKS:
        return None
    return int(value)


def _text(value: Any) -> str:
    return normalise_text(value)[:MAX_NAME] if isinstance(value, str) else ""
