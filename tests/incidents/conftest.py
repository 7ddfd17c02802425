"""Helpers for incidents tests through the HTTP API: the demo town's roads and calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tansiq.demo.service import demo_file

ROADS = {f["properties"]["code"]: f["geometry"] for f in demo_file("roads.geojson")["features"]}
# A stretch of the Bridge Road on the west bank, between West Gate and the West Road.
BRIDGE_ROAD_STRETCH = {"type": "LineString", "coordinates": [[41.05, 34.4], [41.06, 34.4]]}
# A point on the East Road, far from the Bridge Road.
ON_EAST_ROAD = {"type": "Point", "coordinates": [41.13, 34.41]}


def incident(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_type": "armed_clash",
        "sub_type": "exchange_of_fire",
        "occurred_at": (clock.now() - timedelta(minutes=20)).isoformat(),
        "time_precision": "minute",
        "location": {"type": "Point", "coordinates": [41.055, 34.401]},
        "location_precision": "exact",
        "description": "Exchange of fire near the road, two vehicles burning",
        "confidence": "probable",
        "severity": "severe",
    }
    body.update(overrides)
    return body


def road_closure(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "road_closed",
        "geometry": BRIDGE_ROAD_STRETCH,
        "valid_until": (clock.now() + timedelta(days=2)).isoformat(),
        "description": "Bridge Road closed by a crater",
    }
    body.update(overrides)
    return body


def post(client: TestClient, path: str, headers: dict[str, str], body: Any) -> Any:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def get(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()
