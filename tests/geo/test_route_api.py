"""Route → required authorities on the demo town, through the HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.demo.service import demo_file
from tests.factories import line, token_for

ROADS = {f["properties"]["code"]: f for f in demo_file("roads.geojson")["features"]}


@pytest.fixture
def trader(session: Session, clock: FixedClock) -> dict[str, str]:
    return token_for(session, clock, "trader")


def resolve(client: TestClient, headers: dict[str, str], route: Any, **extra: Any) -> Any:
    response = client.post(
        "/api/v1/routes/resolve", json={"route": route, **extra}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_route_through_the_contested_overlap_requires_both_authorities(
    client: TestClient, trader: dict[str, str]
) -> None:
    result = resolve(client, trader, ROADS["bridge-road"])

    assert [a["authority"] for a in result["authorities"]] == ["west-command", "east-force"]
    west = result["authorities"][0]
    assert {z["name"]["en"] for z in west["zones"]} == {
        "West Bank sector",
        "Bridge Market (claimed)",
    }
    assert west["checkpoints"] == ["W-GATE", "BRIDGE-W"]
    assert result["authorities"][1]["checkpoints"] == ["BRIDGE-E", "E-GATE"]


def test_checkpoints_come_back_in_route_order_both_ways(
    client: TestClient, trader: dict[str, str]
) -> None:
    forward = ROADS["bridge-road"]["geometry"]
    backward = {**forward, "coordinates": forward["coordinates"][::-1]}

    there = resolve(client, trader, forward)["checkpoints"]
    back = resolve(client, trader, backward)["checkpoints"]

    assert [c["code"] for c in there] == ["W-GATE", "BRIDGE-W", "BRIDGE-E", "E-GATE"]
    assert [c["code"] for c in back] == ["E-GATE", "BRIDGE-E", "BRIDGE-W", "W-GATE"]
    assert [c["distance_along_m"] for c in there] == sorted(c["distance_along_m"] for c in there)
    assert [a["authority"] for a in resolve(client, trader, backward)["authorities"]] == [
        "east-force",
        "west-command",
    ]


def test_route_inside_one_zone_requires_only_that_authority(
    client: TestClient, trader: dict[str, str]
) -> None:
    result = resolve(client, trader, ROADS["west-road"])

    assert [a["authority"] for a in result["authorities"]] == ["west-command"]
    assert [c["code"] for c in result["checkpoints"]] == ["W-SOUTH", "W-NORTH"]
    assert 6000 < result["route_length_m"] < 7000
    assert result["metric_crs"] == "EPSG:32637"


def test_route_outside_every_zone_requires_nobody(
    client: TestClient, trader: dict[str, str]
) -> None:
    result = resolve(client, trader, line((40.0, 33.0), (40.1, 33.1)))
    assert result["authorities"] == []
    assert result["checkpoints"] == []


def test_the_map_in_force_at_the_given_time_decides(
    client: TestClient, trader: dict[str, str]
) -> None:
    # A road entirely inside the bridge market, away from the west bank: in 2025 the west's
    # map did not claim the market, from June 2026 it does.
    market = line((41.104, 34.398), (41.107, 34.402))

    before = resolve(client, trader, market, at="2026-03-01T00:00:00Z", corridor_m=50)
    after = resolve(client, trader, market, at="2026-07-01T00:00:00Z", corridor_m=50)

    assert [a["authority"] for a in before["authorities"]] == ["east-force"]
    assert [a["authority"] for a in after["authorities"]] == ["west-command", "east-force"]


def test_corridor_width_is_measured_in_metres(client: TestClient, trader: dict[str, str]) -> None:
    # A road running north 150 m east of West Gate (41.040, 34.400): 150 m is 0.00164° here.
    near = line((41.04164, 34.38), (41.04164, 34.42))

    narrow = resolve(client, trader, near, corridor_m=200)["checkpoints"]
    wide = resolve(client, trader, near, corridor_m=400)["checkpoints"]

    assert "W-GATE" not in [c["code"] for c in narrow]
    hit = next(c for c in wide if c["code"] == "W-GATE")
    assert 140 < hit["offset_m"] < 160


def test_closed_checkpoints_on_the_route_are_reported_closed(
    client: TestClient, trader: dict[str, str]
) -> None:
    quarry = line((41.14, 34.36), (41.14, 34.38))
    result = resolve(client, trader, quarry)
    assert [(c["code"], c["status"]) for c in result["checkpoints"]] == [("E-QUARRY", "closed")]


def test_zone_changes_are_seen_by_the_next_resolution(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    admin = token_for(session, clock, "admin")
    road = line((40.50, 33.50), (40.52, 33.52))
    assert resolve(client, admin, road)["authorities"] == []

    ring = [[40.49, 33.49], [40.53, 33.49], [40.53, 33.53], [40.49, 33.53], [40.49, 33.49]]
    zones = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name_en": "Far sector"},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        ],
    }
    response = client.post(
        "/api/v1/authorities/east-force/zone-maps",
        json=zones,
        headers=admin,
        params={"valid_from": "2026-01-01T00:00:00Z"},
    )
    assert response.status_code == 201, response.text

    assert [a["authority"] for a in resolve(client, admin, road)["authorities"]] == ["east-force"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"route": {"type": "Point", "coordinates": [41.0, 34.0]}}, 422, "route.invalid"),
        ({"route": line((41.0, 34.0), (41.0, 34.0))}, 422, "route.invalid"),
        ({"route": line((41.0, 34.0), (41.1, 134.0))}, 422, "route.invalid"),
        ({"route": line((41.0, 34.0), (41.1, 34.0)), "corridor_m": 0}, 422, "route.bad_corridor"),
        (
            {"route": line((41.0, 34.0), (41.1, 34.0)), "corridor_m": 10**9},
            422,
            "route.bad_corridor",
        ),
        ({"route": line((41.0, 34.0), (41.1, 34.0)), "at": "yesterday"}, 422, "request.invalid"),
        ({"route": "LINESTRING(41 34, 42 35)"}, 422, "request.invalid"),
        ({}, 422, "request.invalid"),
    ],
)
def test_bad_routes_get_coded_errors(
    client: TestClient, trader: dict[str, str], body: Any, status: int, code: str
) -> None:
    response = client.post("/api/v1/routes/resolve", json=body, headers=trader)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_route_resolution_needs_a_token(client: TestClient) -> None:
    response = client.post("/api/v1/routes/resolve", json={"route": ROADS["west-road"]})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.required"


def test_resolution_time_defaults_to_the_hub_clock(
    client: TestClient, trader: dict[str, str], clock: FixedClock
) -> None:
    result = resolve(client, trader, ROADS["west-road"])
    assert datetime.fromisoformat(result["at"]) == clock.now()
    assert clock.now().tzinfo is UTC
