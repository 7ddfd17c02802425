"""Helpers for deconfliction tests through the HTTP API: the demo town's bodies and calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock

API = "/api/v1/deconfliction"
# Across the river: West Gate, both bridge checkpoints, East Gate (both authorities' zones).
ACROSS = ["W-GATE", "BRIDGE-W", "BRIDGE-E", "E-GATE"]
# North to south through the bridge market: crosses ACROSS near the bridge.
NORTH_SOUTH = {"type": "LineString", "coordinates": [[41.105, 34.43], [41.105, 34.37]]}
# Inside the west bank only, away from every checkpoint.
WEST_ONLY = {"type": "LineString", "coordinates": [[41.05, 34.385], [41.06, 34.39]]}


def movement(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    now = clock.now()
    body: dict[str, Any] = {
        "checkpoints": ACROSS,
        "corridor_m": 200,
        "start": (now + timedelta(hours=4)).isoformat(),
        "end": (now + timedelta(hours=6)).isoformat(),
        "vehicles": 3,
        "vehicle_kind": "truck",
        "markings": "White trucks, blue flag",
        "purpose": "humanitarian",
        "contact": "+963 11 555 0101",
    }
    body.update(overrides)
    return body


def site(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "geometry": {"type": "Point", "coordinates": [41.12, 34.41]},
        "radius_m": 150,
        "site_type": "clinic",
        "name": "River clinic",
        "contact": "+963 11 555 0102",
        "reconfirm_days": 7,
    }
    body.update(overrides)
    return body


def post(client: TestClient, path: str, headers: dict[str, str], body: Any) -> Any:
    response = client.post(API + path, json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def get(client: TestClient, path: str, headers: dict[str, str]) -> Any:
    response = client.get(API + path, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def ack_of(notification: Any, party: str) -> Any:
    return next(a for a in notification["acknowledgements"] if a["party"] == party)
