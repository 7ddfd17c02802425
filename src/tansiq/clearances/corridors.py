"""Permits' corridors, as incidents' impact reads them: a permit's route and corridor live with
the application version it was issued on, and its holder is the applicant's party. Registered
with ``tansiq.incidents.corridors`` on import (incidents sits below clearances in the layers,
so it cannot ask for them itself)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import shapely
from sqlalchemy.orm import Session

from tansiq.clearances.models import ApplicationRecord, ApplicationVersionRecord
from tansiq.clearances.repository import ClearanceRepository
from tansiq.core.geojson import GeoJSONInvalid, parse_geometry
from tansiq.incidents.corridors import register_permit_reader, register_permit_source
from tansiq.incidents.index import Corridor
from tansiq.incidents.repository import Box
from tansiq.incidents.repository_corridors import CHUNK
from tansiq.incidents.shapes import grown_box
from tansiq.permits.models import PermitRecord


def permit_corridors(session: Session, box: Box, start: datetime, end: datetime) -> list[Corridor]:
    """Every active permit valid in ``[start, end)`` whose corridor's box meets ``box``."""
    rows = ClearanceRepository(session).active_permit_routes(start, end)
    return [c for c in _corridors(rows) if _meets(c, box)]


def active_permit_corridors(session: Session, ids: Sequence[int] | None) -> list[Corridor]:
    """Every active permit whatever its time, or those of ``ids`` still active (for the
    incidents' corridor cache)."""
    repo = ClearanceRepository(session)
    if ids is None:
        return _corridors(repo.active_permit_routes(None, None))
    unique = sorted(set(ids))
    return [
        corridor
        for at in range(0, len(unique), CHUNK)
        for corridor in _corridors(repo.active_permit_routes(None, None, unique[at : at + CHUNK]))
    ]


def _meets(corridor: Corridor, box: Box) -> bool:
    west, south, east, north = grown_box(corridor.shape, corridor.reach_m)
    return not (east < box[0] or north < box[1] or west > box[2] or south > box[3])


def _corridors(
    rows: Sequence[tuple[PermitRecord, ApplicationRecord, ApplicationVersionRecord]],
) -> list[Corridor]:
    found = []
    for permit, application, version in rows:
        try:
            route = parse_geometry(version.route_geojson, ("LineString",))
        except GeoJSONInvalid:
            continue  # a stored route is valid; one that is not cannot be placed
        found.append(
            Corridor(
                kind="permit",
                label=permit.number,
                target_id=permit.id,
                subject_id=application.id,
                shape=shapely.LineString(route.coords),
                reach_m=version.corridor_m / 2.0,
                windows=((permit.valid_from, permit.valid_until),),
                party_ids=(application.applicant_party_id, *permit.authority_ids),
            )
        )
    return found


register_permit_source(permit_corridors)
register_permit_reader(active_permit_corridors)
