"""Use cases for zones of control, checkpoints and route resolution. Services flush only."""

from __future__ import annotations

import json
import math
import re
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

import shapely
from sqlalchemy.orm import Session

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import Clock, ensure_utc
from tansiq.core.errors import ErrorDetail, NotFound, TansiqError
from tansiq.core.geojson import GeoJSONInvalid, parse_features, parse_geometry
from tansiq.core.i18n import N_
from tansiq.core.text import BilingualText, normalise_text
from tansiq.geo.domain import (
    BadValidity,
    CheckpointEntry,
    CheckpointStatus,
    ClosedNeedsReason,
    RouteResolution,
    ZoneEntry,
    check_corridor,
    in_force_windows,
)
from tansiq.geo.index import SpatialIndex
from tansiq.geo.models import CheckpointRecord, ZoneMapOutlineRecord, ZoneMapRecord, ZoneRecord
from tansiq.geo.outlines import map_outlines
from tansiq.geo.repository import GeoRepository
from tansiq.parties import access
from tansiq.parties.domain import NotAnAuthority, PartyKind, Principal
from tansiq.parties.models import PartyRecord
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import get_party

ZONE_TYPES = ("Polygon", "MultiPolygon")
CHECKPOINT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$")
MAX_NAME = 200


class CheckpointNotFound(NotFound):
    code = "checkpoint.not_found"
    message = N_('No checkpoint "{checkpoint}".')


class ZoneMapNotFound(NotFound):
    code = "zone_map.not_found"
    message = N_("No zone map {zone_map}.")


class RouteInvalid(TansiqError):
    code = "route.invalid"
    message = N_("The route must be a valid GeoJSON LineString in longitude, latitude.")


class CheckpointsInvalid(TansiqError):
    code = "checkpoint.import_invalid"
    message = N_("The checkpoints are not valid; nothing was imported.")


def require_authority(session: Session, ref: str | int) -> PartyRecord:
    party = get_party(session, ref)
    if party.kind != PartyKind.AUTHORITY:
        raise NotAnAuthority(party=party.code)
    return party


def import_zone_map(
    session: Session,
    principal: Principal,
    *,
    authority: str | int,
    document: Any,
    valid_from: datetime | None,
    valid_until: datetime | None,
    clock: Clock,
    rewind: bool = False,
    source_name: str = "",
) -> ZoneMapRecord:
    """Store a new zone map for ``authority``; it supersedes the previous one from its start.

    Every feature is validated first; one bad feature means nothing is stored.
    """
    party = require_authority(session, authority)
    access.require(access.can_manage_geography(principal, party.id))
    start = clock.now() if valid_from is None else ensure_utc(valid_from)
    end = None if valid_until is None else ensure_utc(valid_until)
    if end is not None and end <= start:
        raise BadValidity
    features = parse_features(document, ZONE_TYPES, rewind=rewind)
    # Before anything is written: merging the zones takes a second for a map of hundreds.
    outlines = map_outlines([feature.geometry for feature in features])
    repo = GeoRepository(session)
    zone_map = ZoneMapRecord(
        authority_id=party.id,
        valid_from=start,
        valid_until=end,
        imported_at=clock.now(),
        imported_by=principal.user_id,
        source_name=normalise_text(source_name)[:MAX_NAME],
        zone_count=len(features),
    )
    repo.add(zone_map)
    repo.flush()
    zones = []
    for feature in features:
        fallback = f"{party.code} #{feature.index + 1}"
        name = _name(feature.properties, fallback)
        minx, miny, maxx, maxy = feature.geometry.bounds
        zones.append(
            ZoneRecord(
                map_id=zone_map.id,
                authority_id=party.id,
                feature_index=feature.index,
                feature_ref=feature.feature_id,
                name_ar=name.ar,
                name_en=name.en,
                geometry_wkb=shapely.to_wkb(feature.geometry),
                min_lon=minx,
                min_lat=miny,
                max_lon=maxx,
                max_lat=maxy,
                properties=_plain_properties(feature.properties),
            )
        )
    repo.add_all(zones)
    repo.add_all(
        [
            ZoneMapOutlineRecord(map_id=zone_map.id, level=level, geometry_wkb=wkb)
            for level, wkb in outlines.items()
        ]
    )
    repo.bump_revision()
    repo.flush()
    return zone_map


@dataclass(frozen=True)
class ZoneMapView:
    record: ZoneMapRecord
    in_force_from: datetime | None
    in_force_until: datetime | None


def list_zone_maps(session: Session, authority: str | int | None = None) -> list[ZoneMapView]:
    """Every map (current and past) with the window in which it is, or was, in force."""
    repo = GeoRepository(session)
    authority_id = None if authority is None else require_authority(session, authority).id
    windows = in_force_windows(repo.map_windows_source())
    return [
        ZoneMapView(record, *windows.get(record.id, (None, None)))
        for record in repo.zone_maps(authority_id)
    ]


def zones_in_force(
    session: Session, at: datetime, authority: str | int | None = None
) -> list[tuple[ZoneRecord, ZoneMapView]]:
    """The zones of every map in force at ``at`` ("which map was in force at time T")."""
    at = ensure_utc(at)
    views = {
        view.record.id: view
        for view in list_zone_maps(session, authority)
        if view.in_force_from is not None
        and view.in_force_from <= at
        and (view.in_force_until is None or at < view.in_force_until)
    }
    zones = GeoRepository(session).zones_of_maps(sorted(views))
    return [(zone, views[zone.map_id]) for zone in zones]


def zone_features(
    session: Session,
    at: datetime,
    authority: str | int | None = None,
    *,
    near: shapely.Geometry | None = None,
) -> list[dict[str, Any]]:
    """The zones in force at ``at`` as GeoJSON Features (WGS84), with who holds each and when
    its map is in force: what the API, the CLI and the map all show. ``near``: only the zones
    that touch that area (tested before any zone is written out as GeoJSON)."""
    rows = zones_in_force(session, at, authority)
    shapes = shapely.from_wkb([zone.geometry_wkb for zone, _ in rows])
    if near is not None and len(rows):
        keep = shapely.intersects(shapes, near)
        rows = [row for row, kept in zip(rows, keep.tolist(), strict=True) if kept]
        shapes = shapes[keep]
    codes = {
        pid: party.code
        for pid, party in PartyRepository(session)
        .parties_by_ids({zone.authority_id for zone, _ in rows})
        .items()
    }
    return [
        {
            "type": "Feature",
            "id": zone.id,
            "geometry": json.loads(shapely.to_geojson(shape)),
            "properties": {
                "zone_id": zone.id,
                "map_id": zone.map_id,
                "authority": codes[zone.authority_id],
                "name_ar": zone.name_ar,
                "name_en": zone.name_en,
                "in_force_from": _iso(view.in_force_from),
                "in_force_until": _iso(view.in_force_until),
            },
        }
        for (zone, view), shape in zip(rows, shapes, strict=True)
    ]


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def import_checkpoints(
    session: Session,
    principal: Principal,
    *,
    document: Any,
    clock: Clock,
    authority: str | int | None = None,
) -> list[CheckpointRecord]:
    """Create or update checkpoints (matched by ``code``) from a GeoJSON FeatureCollection of
    Points. Properties: ``code``, ``authority`` (unless given), ``name_ar``/``name_en``,
    optional ``status`` and ``status_reason``. All or nothing."""
    features = parse_features(document, ("Point",))
    default_authority = None if authority is None else require_authority(session, authority)
    authorities = _AuthorityLookup(PartyRepository(session))
    problems: list[ErrorDetail] = []
    rows: list[_CheckpointRow] = []
    for feature in features:
        row = _checkpoint_row(
            feature.index, feature.properties, default_authority, authorities, problems
        )
        if row is not None:
            rows.append(row._replace(lon=feature.geometry.x, lat=feature.geometry.y))
    counts = Counter(row.code for row in rows)
    problems.extend(
        ErrorDetail(
            "checkpoint.duplicate_code",
            N_('The code "{checkpoint}" appears more than once.'),
            {"checkpoint": code},
        )
        for code, count in sorted(counts.items())
        if count > 1
    )
    if problems:
        raise CheckpointsInvalid(problems)
    for party_id in {row.party.id for row in rows}:
        access.require(access.can_manage_geography(principal, party_id))
    repo = GeoRepository(session)
    existing = repo.checkpoints_by_codes(set(counts))
    now = clock.now()
    stored = []
    for row in rows:
        record = existing.get(row.code)
        if record is None:
            record = CheckpointRecord(
                code=row.code,
                created_at=now,
                name_ar=row.code,
                name_en=row.code,
                status=CheckpointStatus.OPEN,
                status_reason="",
            )
            repo.add(record)
        elif record.authority_id != row.party.id:
            access.require(access.can_manage_geography(principal, record.authority_id))
        # What the file does not say is kept: an import never reopens a closed checkpoint
        # or wipes its names by omission.
        record.authority_id = row.party.id
        if row.name is not None:
            record.name_ar, record.name_en = row.name.ar, row.name.en
        if row.status is not None:
            record.status, record.status_reason = row.status, row.reason
        record.lon, record.lat = row.lon, row.lat
        record.updated_at = now
        stored.append(record)
    repo.bump_revision()
    repo.flush()
    return stored


def set_checkpoint_status(
    session: Session,
    principal: Principal,
    *,
    checkpoint: str,
    status: CheckpointStatus,
    reason: str,
    clock: Clock,
) -> CheckpointRecord:
    repo = GeoRepository(session)
    record = repo.checkpoint_by_code(checkpoint)
    if record is None:
        raise CheckpointNotFound(checkpoint=checkpoint)
    access.require(access.can_manage_geography(principal, record.authority_id))
    reason = normalise_text(reason)
    if status is CheckpointStatus.CLOSED and not reason:
        raise ClosedNeedsReason
    record.status, record.status_reason = status, reason
    record.updated_at = clock.now()
    repo.bump_revision()
    repo.flush()
    return record


def list_checkpoints(
    session: Session, authority: str | int | None = None
) -> list[CheckpointRecord]:
    authority_id = None if authority is None else require_authority(session, authority).id
    return list(GeoRepository(session).checkpoints(authority_id))


class SpatialIndexCache:
    """One spatial index per hub process, rebuilt when the stored revision moves on.

    Several processes may share one database: each compares the revision counter (bumped in
    the same transaction as every zone or checkpoint change) before using its index.
    """

    def __init__(self, epsg: int | None = None) -> None:
        self.epsg = epsg
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._index: SpatialIndex | None = None

    def get(self, session: Session) -> SpatialIndex:
        repo = GeoRepository(session)
        revision = repo.revision()
        with self._lock:
            if self._index is None or self._revision != revision:
                self._index = build_index(session, self.epsg)
                self._revision = revision
            return self._index


def spatial_index_cache(caches: ProcessCaches, epsg: int | None) -> SpatialIndexCache:
    """This hub's spatial index cache, kept in the hub's per-process caches."""
    return caches.get(SpatialIndexCache, lambda: SpatialIndexCache(epsg))


def build_index(session: Session, epsg: int | None = None) -> SpatialIndex:
    repo = GeoRepository(session)
    windows = in_force_windows(repo.map_windows_source())
    records = repo.zones_of_maps(sorted(windows))
    shapes = shapely.from_wkb([record.geometry_wkb for record in records])
    zones = [
        (
            ZoneEntry(
                zone_id=record.id,
                map_id=record.map_id,
                authority_id=record.authority_id,
                name=BilingualText(record.name_ar, record.name_en),
                in_force_from=windows[record.map_id][0],
                in_force_until=windows[record.map_id][1],
            ),
            shape,
        )
        for record, shape in zip(records, shapes, strict=True)
    ]
    checkpoints = [
        CheckpointEntry(
            checkpoint_id=record.id,
            code=record.code,
            authority_id=record.authority_id,
            name=BilingualText(record.name_ar, record.name_en),
            status=record.status,
            lon=record.lon,
            lat=record.lat,
        )
        for record in repo.checkpoints()
    ]
    return SpatialIndex(zones, checkpoints, epsg=epsg)


def resolve_route(
    session: Session,
    cache: SpatialIndexCache,
    *,
    route: Any,
    corridor_m: float,
    max_corridor_m: float,
    at: datetime,
) -> RouteResolution:
    """The authorities a route needs and the checkpoints on it (see :class:`SpatialIndex`)."""
    try:
        line = parse_geometry(route, ("LineString",))
    except GeoJSONInvalid as error:
        raise RouteInvalid(error.details) from None
    check_corridor(corridor_m, max_corridor_m)
    return cache.get(session).resolve(line, corridor_m, ensure_utc(at))


def _name(properties: Mapping[str, Any], fallback: str) -> BilingualText:
    ar = _text(properties.get("name_ar"))
    en = _text(properties.get("name_en")) or _text(properties.get("name"))
    if not ar and not en:
        return BilingualText(fallback, fallback)
    return BilingualText(ar, en)


def _text(value: Any) -> str:
    return normalise_text(value)[:MAX_NAME] if isinstance(value, str) else ""


def _plain_properties(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Keep only simple JSON values, so stored properties never surprise a reader later."""
    return {
        normalise_text(str(key))[:100]: (
            normalise_text(value)[:1000] if isinstance(value, str) else value
        )
        for key, value in list(properties.items())[:50]
        if isinstance(value, str | bool | int)
        or value is None
        or (isinstance(value, float) and math.isfinite(value))
    }


class _CheckpointRow(NamedTuple):
    code: str
    party: PartyRecord
    name: BilingualText | None
    status: CheckpointStatus | None
    reason: str
    lon: float = 0.0
    lat: float = 0.0


class _AuthorityLookup:
    """Authorities by code, each looked up once per import."""

    def __init__(self, parties: PartyRepository) -> None:
        self.parties = parties
        self.known: dict[str, PartyRecord | None] = {}

    def get(self, code: str) -> PartyRecord | None:
        if code not in self.known:
            party = self.parties.party_by_code(code)
            self.known[code] = party if party and party.kind == PartyKind.AUTHORITY else None
        return self.known[code]


def _checkpoint_row(
    index: int,
    properties: Mapping[str, Any],
    default_authority: PartyRecord | None,
    authorities: _AuthorityLookup,
    problems: list[ErrorDetail],
) -> _CheckpointRow | None:
    def problem(code: str, message: str, **params: Any) -> None:
        problems.append(ErrorDetail(code, message, params, feature=index))

    code = properties.get("code")
    if not isinstance(code, str) or not CHECKPOINT_CODE.fullmatch(code):
        problem(
            "checkpoint.bad_code",
            N_("A checkpoint needs a code of 2 to 40 letters, digits, '-' or '_'."),
        )
        return None
    party = default_authority
    ref = properties.get("authority")
    if ref is not None:
        party = authorities.get(normalise_text(ref)) if isinstance(ref, str) else None
        if party is None:
            problem(
                "checkpoint.unknown_authority",
                N_('"{party}" is not a known authority.'),
                party=str(ref)[:40],
            )
            return None
    if party is None:
        problem(
            "checkpoint.no_authority",
            N_('A checkpoint needs the code of its operating "authority".'),
        )
        return None
    has_name = any(_text(properties.get(key)) for key in ("name_ar", "name_en", "name"))
    name = _name(properties, code) if has_name else None
    raw_status = properties.get("status")
    if raw_status is not None and raw_status not in tuple(CheckpointStatus):
        problem("checkpoint.bad_status", N_('A checkpoint\'s status is "open" or "closed".'))
        return None
    status = None if raw_status is None else CheckpointStatus(raw_status)
    reason = _text(properties.get("status_reason"))
    if status is CheckpointStatus.CLOSED and not reason:
        problem("checkpoint.reason_required", N_("Closing a checkpoint needs a reason."))
        return None
    return _CheckpointRow(code, party, name, status, reason)
