"""Zone map import over HTTP: every malformed GeoJSON case gets its coded error, naming the
feature, and nothing already stored changes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tests.factories import collection, square, token_for

URL = "/api/v1/authorities/west-command/zone-maps"
GOOD = square(41.0, 34.0, name_en="Good", name_ar="جيد")


def ring(*coords: tuple[Any, Any]) -> list[list[Any]]:
    return [list(c) for c in coords]


def polygon(*rings: list[list[float]]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": list(rings)},
    }


CCW = ring((41, 34), (41.1, 34), (41.1, 34.1), (41, 34.1), (41, 34))
CASES: list[tuple[str, Any, str]] = [
    ("not an object", [1, 2], "geojson.not_object"),
    (
        "wrong top-level type",
        {"type": "GeometryCollection", "geometries": []},
        "geojson.wrong_type",
    ),
    ("no features", {"type": "FeatureCollection", "features": []}, "geojson.no_features"),
    ("feature is not a Feature", collection({"type": "Polygon"}), "geojson.not_feature"),
    ("properties not an object", collection({**GOOD, "properties": [1]}), "geojson.bad_properties"),
    (
        "missing geometry",
        collection({"type": "Feature", "properties": {}, "geometry": None}),
        "geojson.missing_geometry",
    ),
    (
        "point where polygons belong",
        collection(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [41, 34]},
            }
        ),
        "geojson.wrong_geometry_type",
    ),
    ("unclosed ring", collection(polygon([*CCW[:-1], [41.0, 34.05]])), "geojson.ring_not_closed"),
    (
        "ring too short",
        collection(polygon(ring((41, 34), (41.1, 34), (41, 34)))),
        "geojson.ring_too_short",
    ),
    (
        "self-intersecting bow tie",
        collection(polygon(ring((41, 34), (41.1, 34.1), (41.1, 34), (41, 34.1), (41, 34)))),
        "geojson.self_intersection",
    ),
    (
        "latitude out of range",
        collection(polygon(ring((41, 34), (41.1, 34), (41.1, 94), (41, 34)))),
        "geojson.out_of_range",
    ),
    (
        "longitude out of range",
        collection(polygon(ring((181, 34), (182, 34), (182, 35), (181, 34)))),
        "geojson.out_of_range",
    ),
    ("clockwise outer ring", collection(polygon(CCW[::-1])), "geojson.wrong_winding"),
    (
        "counter-clockwise hole",
        collection(
            polygon(
                CCW,
                ring(
                    (41.02, 34.02), (41.05, 34.02), (41.05, 34.05), (41.02, 34.05), (41.02, 34.02)
                ),
            )
        ),
        "geojson.wrong_winding",
    ),
    (
        "hole outside the shell",
        collection(polygon(CCW, ring((42, 35), (42, 35.1), (42.1, 35.1), (42.1, 35), (42, 35)))),
        "geojson.invalid_geometry",
    ),
    (
        "text where a number belongs",
        collection(polygon(ring((41, 34), ("41.1", 34), (41.1, 34.1), (41, 34)))),
        "geojson.bad_position",
    ),
    (
        "position with one number",
        collection(polygon([[41], [41.1, 34], [41, 34.1], [41]])),
        "geojson.bad_position",
    ),
    (
        "coordinates not an array",
        collection(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": "41 34"},
            }
        ),
        "geojson.bad_coordinates",
    ),
    (
        "projected CRS",
        {**collection(GOOD), "crs": {"type": "name", "properties": {"name": "EPSG:32637"}}},
        "geojson.unsupported_crs",
    ),
    (
        "zero-area ring",
        collection(polygon(ring((41, 34), (41.1, 34), (41.2, 34), (41, 34)))),
        "geojson.ring_empty",
    ),
]


@pytest.fixture
def admin(session: Session, clock: FixedClock) -> dict[str, str]:
    return token_for(session, clock, "west.admin")


def stored_state(client: TestClient, headers: dict[str, str]) -> Any:
    maps = client.get("/api/v1/zone-maps", headers=headers).json()
    zones = client.get("/api/v1/zones", headers=headers).json()
    return maps, zones


@pytest.mark.parametrize(("label", "document", "code"), CASES, ids=[c[0] for c in CASES])
def test_malformed_geojson_is_refused_with_its_code_and_nothing_changes(
    client: TestClient, admin: dict[str, str], label: str, document: Any, code: str
) -> None:
    before = stored_state(client, admin)
    # A good feature first, so the bad one is not the first index and nothing half-imports.
    if (
        isinstance(document, dict)
        and document.get("features")
        and code not in ("geojson.unsupported_crs",)
    ):
        document = {**document, "features": [GOOD, *document["features"]]}

    response = client.post(URL, json=document, headers=admin)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "geojson.invalid"
    assert code in [detail["code"] for detail in error["details"]], error
    if isinstance(document, dict) and len(document.get("features") or []) > 1:
        assert error["details"][0]["feature"] == 1
    assert stored_state(client, admin) == before


def test_every_problem_is_reported_at_once(client: TestClient, admin: dict[str, str]) -> None:
    bad = copy.deepcopy(GOOD)
    bad["geometry"]["coordinates"][0].reverse()
    document = collection(GOOD, bad, {"type": "Feature"}, bad)

    details = client.post(URL, json=document, headers=admin).json()["error"]["details"]

    assert [(d["feature"], d["code"]) for d in details] == [
        (1, "geojson.wrong_winding"),
        (2, "geojson.missing_geometry"),
        (3, "geojson.wrong_winding"),
    ]
    assert details[0]["path"] == "$.features[1].geometry.coordinates[0]"


def test_rewind_accepts_clockwise_rings(client: TestClient, admin: dict[str, str]) -> None:
    clockwise = copy.deepcopy(GOOD)
    clockwise["geometry"]["coordinates"][0].reverse()

    response = client.post(
        URL, json=collection(clockwise), headers=admin, params={"rewind": "true"}
    )

    assert response.status_code == 201, response.text


def test_error_messages_follow_the_clients_language(
    client: TestClient, admin: dict[str, str]
) -> None:
    bad = collection(polygon(CCW[::-1]))
    english = client.post(URL, json=bad, headers=admin).json()["error"]
    arabic = client.post(URL, json=bad, headers={**admin, "Accept-Language": "ar"}).json()["error"]

    assert english["code"] == arabic["code"]
    assert english["message"] != arabic["message"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic["message"])
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic["details"][0]["message"])


def test_a_new_map_supersedes_the_old_from_its_start_and_the_old_stays_queryable(
    client: TestClient, admin: dict[str, str]
) -> None:
    first = client.post(
        URL,
        json=collection(square(45.0, 30.0, name_en="Old")),
        headers=admin,
        params={"valid_from": "2027-01-01T00:00:00Z"},
    )
    second = client.post(
        URL,
        json=collection(square(45.5, 30.0, name_en="New")),
        headers=admin,
        params={"valid_from": "2027-03-01T00:00:00Z"},
    )
    assert first.status_code == second.status_code == 201

    maps = {
        m["id"]: m
        for m in client.get(
            "/api/v1/zone-maps", headers=admin, params={"authority": "west-command"}
        ).json()
    }
    assert maps[first.json()["id"]]["in_force_until"] == "2027-03-01T00:00:00Z"
    assert maps[second.json()["id"]]["in_force_until"] is None

    def names_at(moment: str) -> set[str]:
        zones = client.get(
            "/api/v1/zones", headers=admin, params={"at": moment, "authority": "west-command"}
        ).json()
        return {f["properties"]["name_en"] for f in zones["features"]}

    assert names_at("2027-02-01T00:00:00Z") == {"Old"}
    assert names_at("2027-04-01T00:00:00Z") == {"New"}
    assert names_at("2026-12-01T00:00:00Z") == {"West Bank sector", "Bridge Market (claimed)"}


def test_validity_must_end_after_it_starts(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        URL,
        json=collection(GOOD),
        headers=admin,
        params={"valid_from": "2027-01-01T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "zone_map.bad_validity"


@pytest.mark.parametrize(
    ("username", "authority", "status", "code"),
    [
        ("east.admin", "west-command", 403, "auth.forbidden"),
        ("west.reviewer", "west-command", 403, "auth.forbidden"),
        ("trader", "west-command", 403, "auth.forbidden"),
        ("admin", "west-command", 201, None),
        ("admin", "municipality", 422, "party.not_authority"),
        ("admin", "nobody", 404, "party.not_found"),
    ],
)
def test_who_may_import_zones(
    client: TestClient,
    session: Session,
    clock: FixedClock,
    username: str,
    authority: str,
    status: int,
    code: str | None,
) -> None:
    headers = token_for(session, clock, username)
    response = client.post(
        f"/api/v1/authorities/{authority}/zone-maps", json=collection(GOOD), headers=headers
    )
    assert response.status_code == status, response.text
    if code:
        assert response.json()["error"]["code"] == code


def test_hostile_text_in_names_is_stored_verbatim_and_returned_as_data(
    client: TestClient, admin: dict[str, str]
) -> None:
    hostile = "<script>alert(1)</script>'; DROP TABLE zones; -- \u202e منطقة\x00"
    feature = square(44.0, 30.0, name_en=hostile, name_ar=hostile)

    created = client.post(
        URL, json=collection(feature), headers=admin, params={"valid_from": "2026-01-01T00:00:00Z"}
    )
    assert created.status_code == 201, created.text

    zones = client.get(
        "/api/v1/zones", headers=admin, params={"at": "2026-03-01T00:00:00Z"}
    ).json()["features"]
    names = [f["properties"]["name_en"] for f in zones]
    assert hostile.replace("\x00", "").strip() in names


def test_invalid_json_body_is_a_coded_400(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        URL,
        content=b'{"type": "FeatureCollection", "features": [',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "request.bad_json"


def test_huge_bodies_are_refused_before_parsing(client: TestClient, admin: dict[str, str]) -> None:
    huge = json.dumps(collection(*[GOOD] * 40_000)).encode()
    assert len(huge) > 10 * 1024 * 1024 / 2

    response = client.post(URL, content=huge, headers={**admin, "Content-Type": "application/json"})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request.too_large"


def test_chunked_huge_body_without_length_is_refused(
    client: TestClient, admin: dict[str, str]
) -> None:
    def chunks() -> Any:
        for _ in range(300):
            yield b" " * 10_000

    response = client.post(
        URL, content=chunks(), headers={**admin, "Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request.too_large"
