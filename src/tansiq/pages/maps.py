"""What the application page's map shows, as one JSON document for the map script."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.clearances.schemas import ApplicationOut
from tansiq.core.i18n import Locale
from tansiq.geo.service import list_checkpoints, zone_features


def map_data(session: Session, locale: Locale, at: datetime, application: ApplicationOut) -> str:
    """Zones in force at ``at``, every checkpoint and the application's route (GeoJSON)."""
    features: list[dict[str, Any]] = [
        {
            "type": "Feature",
            "geometry": zone["geometry"],
            "properties": {
                "kind": "zone",
                "authority": zone["properties"]["authority"],
                "name": zone["properties"]["name_ar" if locale is Locale.AR else "name_en"],
            },
        }
        for zone in zone_features(session, at)
    ]
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
