"""What the application page's map shows, as one JSON document for the map script."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import shapely
from sqlalchemy.orm import Session

from tansiq.clearances.schemas import ApplicationOut
from tansiq.core.i18n import Locale
from tansiq.geo.service import list_checkpoints, zones_in_force
from tansiq.parties.repository import PartyRepository


def map_data(session: Session, locale: Locale, at: datetime, application: ApplicationOut) -> str:
    """Zones in force at ``at``, every checkpoint and the application's route (GeoJSON)."""
    zones = zones_in_force(session, at)
    parties = PartyRepository(session).parties_by_ids({zone.authority_id for zone, _ in zones})
    features: list[dict[str, Any]] = []
    for zone, _view in zones:
        party = parties.get(zone.authority_id)
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(shapely.from_wkb(zone.geometry_wkb)),
                "properties": {
                    "kind": "zone",
                    "authority": "" if party is None else party.code,
                    "name": zone.name_ar if locale is Locale.AR else zone.name_en,
                },
            }
        )
    for checkpoint in list_checkpoints(session):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [checkpoint.lon, checkpoint.lat]},
                "properties": {
                    "kind": "checkpoint",
                    "code": checkpoint.code,
                    "open": checkpoint.status == "open",
                    "name": checkpoint.name_ar if locale is Locale.AR else checkpoint.name_en,
                },
            }
        )
    features.append(
        {"type": "Feature", "geometry": application.route, "properties": {"kind": "route"}}
    )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
