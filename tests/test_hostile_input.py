"""Hostile and odd input found in review: each gets a coded answer, never a 500, and nothing
stored changes that should not."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.geojson import GeoJSONInvalid, parse_features
from tansiq.db.engine import is_postgresql, make_engine
from tansiq.demo.service import demo_file, load_demo
from tansiq.settings import Settings
from tests.conftest import NOW, PATIENT_BUSY_TIMEOUT_MS, DatabaseFactory
from tests.factories import collection, square, token_for

ZONES = "/api/v1/authorities/west-command/zone-maps"
BRIDGE = next(
    f["geometry"]
    for f in demo_file("roads.geojson")["features"]
    if f["properties"]["code"] == "bridge-road"
)


@pytest.fixture
def west(session: Session, clock: FixedClock) -> dict[str, str]:
    return token_for(session, clock, "west.admin")


@pytest.fixture
def trader(session: Session, clock: FixedClock) -> dict[str, str]:
    return token_for(session, clock, "trader")


def error_code(response: Any) -> str:
    assert response.status_code < 500, response.text
    return str(response.json()["error"]["code"])


def test_zone_whose_projection_is_invalid_does_not_break_routing(
    client: TestClient, west: dict[str, str], trader: dict[str, str]
) -> None:
    # Valid in degrees; its holes end up across the long straight edges once projected.
    shell = [[40, 33], [42, 33], [42, 35], [40, 35], [40, 33]]
    holes = [
        [[x, y], [x, y + 0.005], [x + 0.005, y + 0.005], [x + 0.005, y], [x, y]]
        for i in range(12)
        for j in range(12)
        for x, y in [(round(40.001 + i * 0.0099, 4), round(33.001 + j * 0.0099, 4))]
    ]
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [shell, *holes]},
    }
    imported = client.post(
        ZONES, json=feature, headers=west, params={"valid_from": "2026-11-01T00:00:00Z"}
    )
    assert imported.status_code == 201, imported.text

    route = {"type": "LineString", "coordinates": [[40.0, 34.4], [41.16, 34.4]]}
    response = client.post("/api/v1/routes/resolve", json={"route": route}, headers=trader)

    assert response.status_code == 200, response.text
    assert "west-command" in [a["authority"] for a in response.json()["authorities"]]


def test_a_far_away_checkpoint_does_not_move_everyones_projection(
    client: TestClient, session: Session, clock: FixedClock, trader: dict[str, str]
) -> None:
    east = token_for(session, clock, "east.admin")
    before = client.post("/api/v1/routes/resolve", json={"route": BRIDGE}, headers=trader).json()
    far = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [-120, -40]},
        "properties": {"code": "FAR-1", "authority": "east-force"},
    }
    assert client.post("/api/v1/checkpoints", json=far, headers=east).status_code == 201

    after = client.post("/api/v1/routes/resolve", json={"route": BRIDGE}, headers=trader).json()

    assert after["metric_crs"] == before["metric_crs"] == "EPSG:32637"
    assert after["route_length_m"] == before["route_length_m"]
    assert 11_000 < after["route_length_m"] < 11_100


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"at": "2026-06-01T00:00:00"}, "field.timezone_aware"),
        ({"at": "9999-12-31T23:59:59-01:00"}, "time.out_of_range"),
        ({"at": "2026-13-45T00:00:00Z"}, "field.datetime_from_date_parsing"),
    ],
)
def test_bad_times_are_coded(
    client: TestClient, trader: dict[str, str], params: dict[str, str], code: str
) -> None:
    response = client.get("/api/v1/zones", params=params, headers=trader)
    assert response.status_code == 422
    found = response.json()["error"]
    assert code in [found["code"], *[d["code"] for d in found.get("details", [])]]


def test_naive_route_time_is_refused(client: TestClient, trader: dict[str, str]) -> None:
    response = client.post(
        "/api/v1/routes/resolve",
        headers=trader,
        json={"route": BRIDGE, "at": "2026-06-01T00:00:00"},
    )
    assert error_code(response) == "request.invalid"


@pytest.mark.parametrize(
    "body",
    [
        '{"route": {"type": {"a": 1}, "coordinates": []}}',
        '{"route": {"type": "LineString", "coordinates": [[1%s, 1], [1, 1]]}}' % ("0" * 400),
        '{"route": {"type": "\\ud800", "coordinates": []}}',
        '{"route": {"type": "LineString", "coordinates": [[179.9, 0], [-179.9, 0]]}}',
    ],
)
def test_odd_routes_are_coded(client: TestClient, trader: dict[str, str], body: str) -> None:
    response = client.post(
        "/api/v1/routes/resolve",
        content=body,
        headers={**trader, "Content-Type": "application/json"},
    )
    assert error_code(response) == "route.invalid"
    assert response.status_code == 422


def test_lone_surrogates_in_names_are_replaced_not_a_crash(
    client: TestClient, west: dict[str, str]
) -> None:
    body = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","id":"\\udfff",'
        '"geometry":{"type":"Point","coordinates":[41.05,34.41]},"properties":'
        '{"code":"NEW-1","authority":"west-command","name_en":"gate \\ud800",'
        '"name_ar":"\\ud83d\\ude00 بوابة"}}]}'
    )
    response = client.post(
        "/api/v1/checkpoints", content=body, headers={**west, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()[0]["name"] == {"en": "gate \ufffd", "ar": "\U0001f600 بوابة"}


def test_unknown_authority_with_surrogates_is_coded(
    client: TestClient, west: dict[str, str]
) -> None:
    body = (
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[41.05,34.41]},'
        '"properties":{"code":"NEW-2","authority":"\\ud800x"}}'
    )
    response = client.post(
        "/api/v1/checkpoints", content=body, headers={**west, "Content-Type": "application/json"}
    )
    details = response.json()["error"]["details"]
    assert details[0]["code"] == "checkpoint.unknown_authority"


@pytest.mark.parametrize(
    "token_id", ["2147483648", "9223372036854775808", "-99999999999999999999", "0"]
)
def test_ids_beyond_the_database_are_coded(
    client: TestClient, trader: dict[str, str], token_id: str
) -> None:
    response = client.delete(f"/api/v1/auth/tokens/{token_id}", headers=trader)
    assert error_code(response) == "request.invalid"


def test_revoking_an_unknown_token(client: TestClient, trader: dict[str, str]) -> None:
    response = client.delete("/api/v1/auth/tokens/999999", headers=trader)
    assert response.status_code == 404
    assert error_code(response) == "auth.token_not_found"


def test_reimport_keeps_what_the_file_does_not_say(
    client: TestClient, west: dict[str, str]
) -> None:
    closed = client.put(
        "/api/v1/checkpoints/W-GATE/status",
        headers=west,
        json={"status": "closed", "reason": "shelling"},
    )
    assert closed.status_code == 200
    moved = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [41.041, 34.4]},
        "properties": {"code": "W-GATE", "authority": "west-command"},
    }

    response = client.post("/api/v1/checkpoints", json=moved, headers=west)

    stored = response.json()[0]
    assert stored["status"] == "closed"
    assert stored["status_reason"] == "shelling"
    assert stored["name"]["en"] == "West Gate"
    assert stored["lon"] == 41.041


def test_names_longer_than_the_column_after_normalisation_are_refused(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    # U+0958 decomposes under NFC into two code points: 200 become 400.
    body = {"code": "p-long", "kind": "trader", "name_en": "\u0958" * 200}
    response = client.post("/api/v1/parties", json=body, headers=token_for(session, clock, "admin"))
    assert error_code(response) == "name.too_long"


def test_one_hub_only(client: TestClient, session: Session, clock: FixedClock) -> None:
    body = {"code": "hub-two", "kind": "hub", "name_en": "Second hub"}
    response = client.post("/api/v1/parties", json=body, headers=token_for(session, clock, "admin"))
    assert response.status_code == 409
    assert error_code(response) == "party.hub_exists"


def test_too_large_in_arabic_with_the_usual_headers(
    client: TestClient, west: dict[str, str]
) -> None:
    huge = b"[" + b"1," * 600_000 + b"1]"
    response = client.post(
        f"{ZONES}?lang=ar", content=huge, headers={**west, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-language"] == "ar"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "بايت" in response.json()["error"]["message"]


def test_pydantic_problems_are_said_in_arabic(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/tokens", json={"username": 5}, headers={"Accept-Language": "ar"}
    )
    details = response.json()["error"]["details"]
    assert {d["code"] for d in details} == {"field.string_type", "field.missing"}
    assert all(not any("a" <= ch <= "z" for ch in d["message"]) for d in details)


def test_documents_are_capped_in_features() -> None:
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [41.0, 34.0]},
        "properties": {},
    }
    with pytest.raises(GeoJSONInvalid) as raised:
        parse_features(collection(*[point] * 10_001), ("Point",))
    assert raised.value.details[0].code == "geojson.too_many_features"


def test_concurrent_writers_get_answers_not_500s(databases: DatabaseFactory) -> None:
    """Eight clients import the same new checkpoint at once on a real database file."""
    engine = make_engine(databases.migrated_url("race"), busy_timeout_ms=PATIENT_BUSY_TIMEOUT_MS)
    with Session(engine) as session:
        load_demo(session, FixedClock(NOW))
        session.commit()
        headers = token_for(session, FixedClock(NOW), "west.admin")
    hub = HubContext.from_settings(
        Settings(database_url="sqlite://"), clock=FixedClock(NOW), engine=engine
    )
    app = create_app(hub)
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [41.05, 34.41]},
        "properties": {"code": "RACE-1", "authority": "west-command"},
    }
    zones = collection(square(41.0, 34.0))
    answers: list[tuple[str, int, str]] = []

    def write(kind: int) -> None:
        with TestClient(app) as client:
            if kind % 2:
                response = client.post("/api/v1/checkpoints", json=point, headers=headers)
            else:
                response = client.post(ZONES, json=zones, headers=headers)
            code = response.json()["error"]["code"] if response.status_code >= 400 else ""
            answers.append(("checkpoint" if kind % 2 else "zones", response.status_code, code))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    postgresql = is_postgresql(engine)
    engine.dispose()

    zone_answers = [answer for answer in answers if answer[0] == "zones"]
    checkpoint_answers = sorted(answer for answer in answers if answer[0] == "checkpoint")
    assert zone_answers == [("zones", 201, "")] * 4
    if not postgresql:
        # SQLite serialises writers (BEGIN IMMEDIATE): each import sees the one before it.
        assert checkpoint_answers == [("checkpoint", 201, "")] * 4
        return
    # PostgreSQL runs them side by side: two imports that both found no RACE-1 both insert
    # it, and the later one meets the unique key. That one is the coded conflict (nothing
    # stored, retry), never a 500; the first import always stores the checkpoint.
    assert checkpoint_answers[0] == ("checkpoint", 201, ""), answers
    for answer in checkpoint_answers[1:]:
        assert answer in {("checkpoint", 201, ""), ("checkpoint", 409, "request.conflict")}
