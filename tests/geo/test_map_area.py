"""A map's area through HTTP: zones and base layers of a bounding box, for the API's bearer
and for the signed-in page, with the same need-to-know as the whole zone list (members only,
maps in force only), every bad box coded, outlines clipped and simplified by zoom, and a
change to the geography seen at once despite the cache."""

from __future__ import annotations

import html
import importlib.util
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import text
from sqlalchemy.orm import Session

from tansiq.geo import outlines, visible
from tests.conftest import Tokens
from tests.factories import collection, square
from tests.web.pages import sign_in

TOWN = "41.03,34.36,41.17,34.44"  # the demo town, both banks
EAST_ONLY = "41.12,34.36,41.17,34.44"
FAR_AWAY = "10,10,10.5,10.5"


def area(
    client: TestClient, headers: dict[str, str], bbox: str, zoom: int = 13, **more: Any
) -> Any:
    response = client.get(
        "/api/v1/map/zones", params={"bbox": bbox, "zoom": zoom, **more}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def kinds(answer: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in answer["features"] if f["properties"]["kind"] == kind]


@pytest.mark.parametrize(
    ("bbox", "code"),
    [
        ("", "map.bbox_invalid"),
        ("a,b,c,d", "map.bbox_invalid"),
        ("41,34,42", "map.bbox_invalid"),
        ("41,34,42,35,1", "map.bbox_invalid"),
        ("NaN,34,42,35", "map.bbox_not_finite"),
        ("41,34,inf,35", "map.bbox_not_finite"),
        ("41,34,200,35", "map.bbox_out_of_range"),
        ("41,-91,42,35", "map.bbox_out_of_range"),
        ("42,34,41,35", "map.bbox_swapped"),
        ("41,35,42,34", "map.bbox_swapped"),
        ("41,34,41,35", "map.bbox_swapped"),
        ("30,30,40,31", "map.bbox_too_large"),
        ("30,20,31,30", "map.bbox_too_large"),
    ],
)
def test_a_bad_box_is_coded_on_the_api_and_the_page(
    client: TestClient, tokens: Tokens, bbox: str, code: str
) -> None:
    for url in ("/api/v1/map/zones", "/api/v1/map/base"):
        api = client.get(url, params={"bbox": bbox, "zoom": 12}, headers=tokens("trader"))
        assert api.status_code == 422, api.text
        assert api.json()["error"]["code"] == code
    sign_in(client, "trader", "ar")
    for url in ("/map/zones.json", "/map/base.json"):
        page = client.get(url, params={"bbox": bbox, "zoom": 12})
        assert page.status_code == 422, page.text
        error = page.json()["error"]
        assert error["code"] == code
        assert error["message"] != code  # words, in the reader's (Arabic) language
        assert any("\u0600" <= ch <= "\u06ff" for ch in error["message"])


@pytest.mark.parametrize("zoom", ["-1", "23", "x", "1.5"])
def test_a_bad_zoom_is_coded(client: TestClient, tokens: Tokens, zoom: str) -> None:
    api = client.get(
        "/api/v1/map/zones", params={"bbox": TOWN, "zoom": zoom}, headers=tokens("trader")
    )
    assert api.status_code == 422
    assert api.json()["error"]["code"] == "request.invalid"
    sign_in(client, "trader")
    page = client.get("/map/zones.json", params={"bbox": TOWN, "zoom": zoom})
    assert page.status_code == 422
    assert page.json()["error"]["code"] == "map.bad_zoom"


def test_only_members_see_zones_and_base_layers(client: TestClient, tokens: Tokens) -> None:
    for url in ("/api/v1/map/zones", "/api/v1/map/base"):
        anonymous = client.get(url, params={"bbox": TOWN, "zoom": 12})
        assert anonymous.status_code == 401
        assert anonymous.json()["error"]["code"] == "auth.required"
        forged = client.get(
            url, params={"bbox": TOWN, "zoom": 12}, headers={"Authorization": "Bearer nope"}
        )
        assert forged.status_code == 401
    for url in ("/map/zones.json", "/map/base.json"):
        page = client.get(url, params={"bbox": TOWN, "zoom": 12})
        assert page.status_code == 401
        assert page.json()["error"]["code"] == "auth.required"
    # Every member sees what every member sees through /zones: the same zones, no more.
    every = client.get("/api/v1/zones", headers=tokens("relief")).json()["features"]
    for user in ("trader", "relief", "east.officer", "municipality", "admin"):
        answer = area(client, tokens(user), TOWN)
        assert sorted(z["properties"]["zone_id"] for z in kinds(answer, "zone")) == sorted(
            z["properties"]["zone_id"] for z in every
        )


def test_only_the_maps_in_force_at_the_time_asked_are_shown(
    client: TestClient, tokens: Tokens
) -> None:
    now = area(client, tokens("trader"), TOWN)
    names = {z["properties"]["name_en"] for z in kinds(now, "zone")}
    assert "Bridge Market (claimed)" in names  # the west's 2026 map is in force
    assert kinds(now, "contested")  # the bridge market strip, both authorities
    [strip] = kinds(now, "contested")
    assert strip["properties"]["authorities"] == ["east-force", "west-command"]
    before = area(client, tokens("trader"), TOWN, at="2025-06-01T00:00:00Z")
    names = {z["properties"]["name_en"] for z in kinds(before, "zone")}
    assert names == {"West Bank sector", "East Bank sector"}
    assert not kinds(before, "contested")
    ages_ago = area(client, tokens("trader"), TOWN, at="2020-01-01T00:00:00Z")
    assert ages_ago["features"] == []


def test_the_box_chooses_the_zones_and_clips_them(client: TestClient, tokens: Tokens) -> None:
    east = area(client, tokens("trader"), EAST_ONLY)
    assert {z["properties"]["authority"] for z in kinds(east, "zone")} == {"east-force"}
    [zone] = kinds(east, "zone")
    west, _south, east_edge, _north = shape(zone["geometry"]).bounds
    assert west >= 41.12 - 0.05 * 0.05 - 1e-9  # clipped to the box and its small margin
    assert east_edge <= 41.17 + 0.05 * 0.05 + 1e-9
    assert area(client, tokens("trader"), FAR_AWAY)["features"] == []
    # Colours are the hub's, not the answer's: the east keeps its colour wherever one looks.
    town = area(client, tokens("trader"), TOWN)
    colour = {z["properties"]["authority"]: z["properties"]["colour"] for z in kinds(town, "zone")}
    assert zone["properties"]["colour"] == colour["east-force"]
    assert colour["east-force"] != colour["west-command"]


def test_outlines_are_simplified_by_zoom(client: TestClient, tokens: Tokens) -> None:
    sign_in(client, "west.admin")
    wiggly = [[41.2 + 0.1 * i / 400, 34.5 + 0.0005 * ((-1) ** i)] for i in range(401)] + [
        [41.3, 34.6],
        [41.2, 34.6],
        [41.2, 34.5 + 0.0005],
    ]
    wiggly[-1] = wiggly[0]
    document = collection(
        {
            "type": "Feature",
            "properties": {"name_en": "Wiggly"},
            "geometry": {"type": "Polygon", "coordinates": [wiggly]},
        }
    )
    stored = client.post(
        "/api/v1/authorities/west-command/zone-maps",
        params={"valid_from": "2026-11-01T00:00:00Z"},
        json=document,
        headers=tokens("west.admin"),
    )
    assert stored.status_code == 201, stored.text
    box = "41.19,34.49,41.31,34.61"

    def points(zoom: int) -> int:
        answer = area(client, tokens("trader"), box, zoom)
        [zone] = [z for z in kinds(answer, "zone") if z["properties"]["name_en"] == "Wiggly"]
        return len(shapely.get_coordinates(shape(zone["geometry"])))

    far, near = points(8), points(18)
    assert far < 10 < 400 < near  # 55 m teeth vanish at zoom 8 (300 m a pixel), kept at 18
    answer = area(client, tokens("trader"), box, 8)
    assert answer["tolerance_m"] > 100
    assert area(client, tokens("trader"), box, 18)["tolerance_m"] < 1


def test_a_change_to_the_geography_shows_at_once(client: TestClient, tokens: Tokens) -> None:
    box = "40.5,33.5,40.7,33.7"
    assert area(client, tokens("trader"), box)["features"] == []  # now cached, empty
    stored = client.post(
        "/api/v1/authorities/east-force/zone-maps",
        params={"valid_from": "2026-11-01T00:00:00Z"},
        json=collection(square(40.6, 33.6, name_en="New post")),
        headers=tokens("east.admin"),
    )
    assert stored.status_code == 201, stored.text
    names = [z["properties"]["name_en"] for z in kinds(area(client, tokens("trader"), box), "zone")]
    assert names == ["New post"]
    # A map replaced by a later one of its authority drops out; the page can leave one out.
    map_id = stored.json()["id"]
    without = area(client, tokens("trader"), box, without_map=map_id)
    assert without["features"] == []


def test_the_page_answer_matches_the_api(client: TestClient, tokens: Tokens) -> None:
    api = client.get(
        "/api/v1/map/zones", params={"bbox": TOWN, "zoom": 13}, headers=tokens("trader")
    )
    sign_in(client, "trader")
    page = client.get("/map/zones.json", params={"bbox": TOWN, "zoom": "13"})
    assert page.status_code == 200
    assert page.json() == api.json()
    assert page.headers["cache-control"].startswith("private")


def test_the_demo_towns_base_layers_come_by_area(client: TestClient, tokens: Tokens) -> None:
    answer = client.get(
        "/api/v1/map/base", params={"bbox": TOWN, "zoom": 13}, headers=tokens("trader")
    ).json()
    by_kind: dict[str, list[str]] = {}
    for feature in answer["features"]:
        p = feature["properties"]
        by_kind.setdefault(p["kind"], []).append(p["name_en"])
        assert p["name_ar"]
        assert p["rank"] in (1, 2, 3)
    assert set(by_kind) == {"roads", "rivers", "built_up", "places"}
    assert "Wadi River" in by_kind["rivers"]
    assert "Bridge Road" in by_kind["roads"]
    assert "Jisr al-Wadi" in by_kind["places"]
    far = client.get(
        "/api/v1/map/base", params={"bbox": FAR_AWAY, "zoom": 13}, headers=tokens("trader")
    ).json()
    assert far["features"] == []


def test_the_trader_form_no_longer_carries_every_zone(client: TestClient) -> None:
    sign_in(client, "trader")
    page = client.get("/applications/new")
    assert page.status_code == 200
    assert "West Bank sector" not in page.text  # zones come by area, not inline
    found = re.search(r"data-map='([^']*)'", page.text)
    assert found is not None
    document = json.loads(html.unescape(found.group(1)))
    assert document["tansiq"]["zones"] == "/map/zones.json"
    assert document["tansiq"]["base"] == "/map/base.json"
    west, south, east, north = document["tansiq"]["bounds"]
    assert (west, south, east, north) == (41.03, 34.36, 41.17, 34.44)  # zones and checkpoints
    shown = {f["properties"]["kind"] for f in document["features"]}
    assert shown == {"checkpoint"}  # checkpoints stay: the form picks from them
    closed = [f for f in document["features"] if f["properties"]["status"] == "closed"]
    assert [f["properties"]["code"] for f in closed] == ["E-QUARRY"]
    assert 'data-legend="cp-closed"' in page.text
    assert 'data-legend="base-rivers"' in page.text


def test_the_openapi_documents_the_area_and_its_codes(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/map/zones"]["get"]
    for code in (
        "map.bbox_invalid",
        "map.bbox_not_finite",
        "map.bbox_swapped",
        "map.bbox_too_large",
        "map.bbox_out_of_range",
    ):
        assert code in operation["description"]
    assert {"200", "401", "422"} <= set(operation["responses"])
    assert "MapAreaOut" in str(operation["responses"]["200"])


def test_at_must_carry_its_zone(client: TestClient, tokens: Tokens) -> None:
    naive = datetime(2026, 1, 1).isoformat()  # noqa: DTZ001 - the request is the point
    response = client.get(
        "/api/v1/map/zones",
        params={"bbox": TOWN, "zoom": 12, "at": naive},
        headers=tokens("trader"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "request.invalid"


@pytest.fixture
def crowded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every area holds "too many" zones: the view a zoomed-out map of thousands gets."""
    monkeypatch.setattr(visible, "DETAIL_ZONES", 1)


def test_a_crowded_area_shows_each_authoritys_ground_as_one_outline(
    client: TestClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    zones = area(client, tokens("trader"), TOWN)
    assert zones["detail"] == "zones"
    # Zones one by one take the contested ground from the stored outlines up to zoom 12, and
    # from the zones themselves closer in: the same strip either way.
    [far] = kinds(area(client, tokens("trader"), TOWN, zoom=12), "contested")
    [near] = kinds(zones, "contested")
    assert shape(near["geometry"]).symmetric_difference(shape(far["geometry"])).area < (
        0.05 * shape(near["geometry"]).area
    )
    monkeypatch.setattr(visible, "DETAIL_ZONES", 1)
    outlines = area(client, tokens("trader"), TOWN, zoom=11)  # another zoom: not cached
    assert outlines["detail"] == "outlines"
    assert not kinds(outlines, "zone")
    shown = {o["properties"]["authority"]: o for o in kinds(outlines, "outline")}
    assert set(shown) == {"east-force", "west-command"}
    east = client.get("/api/v1/parties/east-force", headers=tokens("trader"))
    assert shown["east-force"]["properties"]["name_en"] == east.json()["name"]["en"]
    # No zone's name or id: the outline tells what the zones in force tell, and no more.
    assert not any("zone_id" in f["properties"] for f in outlines["features"])
    zone_names = {z["properties"]["name_en"] for z in kinds(zones, "zone")}
    assert zone_names.isdisjoint(json.dumps(outlines["features"], ensure_ascii=False).split('"'))
    # The same ground as the zones (within the simplification), the same colours, and the
    # ground both claim still marked.
    for code, outline in shown.items():
        mine = [z for z in kinds(zones, "zone") if z["properties"]["authority"] == code]
        ground = shapely.union_all([shape(z["geometry"]) for z in mine])
        drawn = shape(outline["geometry"])
        assert ground.symmetric_difference(drawn).area < 0.01 * ground.area
        assert outline["properties"]["colour"] == mine[0]["properties"]["colour"]
    [strip] = kinds(outlines, "contested")
    assert strip["properties"]["authorities"] == ["east-force", "west-command"]
    assert shape(strip["geometry"]).intersects(shape(kinds(zones, "contested")[0]["geometry"]))


@pytest.mark.usefixtures("crowded")
def test_outlines_keep_the_need_to_know_of_zones(client: TestClient, tokens: Tokens) -> None:
    anonymous = client.get("/api/v1/map/zones", params={"bbox": TOWN, "zoom": 10})
    assert anonymous.status_code == 401
    assert client.get("/map/zones.json", params={"bbox": TOWN, "zoom": 10}).status_code == 401
    for user in ("trader", "relief", "east.officer", "municipality", "admin"):
        answer = area(client, tokens(user), TOWN)
        assert {o["properties"]["authority"] for o in kinds(answer, "outline")} == {
            "east-force",
            "west-command",
        }
    # Only the maps in force at the time asked: the 2025 maps' ground, nothing before 2025.
    before = area(client, tokens("trader"), TOWN, at="2025-06-01T00:00:00Z")
    assert not kinds(before, "contested")
    assert area(client, tokens("trader"), TOWN, at="2020-01-01T00:00:00Z")["features"] == []
    sign_in(client, "trader")
    page = client.get("/map/zones.json", params={"bbox": TOWN, "zoom": "13"})
    assert page.json() == area(client, tokens("trader"), TOWN)


def test_an_answer_too_heavy_for_its_zones_shows_outlines_coarser_until_it_fits(
    client: TestClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert area(client, tokens("trader"), TOWN, zoom=12)["detail"] == "zones"
    monkeypatch.setattr(visible, "MOST_BYTES", 1_000)  # the town's zones take 1.6 kB
    fine = area(client, tokens("trader"), TOWN, zoom=14)
    assert fine["detail"] == "outlines"
    assert len(json.dumps(fine).encode()) > 1_000  # outlines have their own cap, not this one
    monkeypatch.setattr(visible, "OUTLINE_BYTES", 100)  # nothing fits: the coarsest level
    coarse = area(client, tokens("trader"), TOWN, zoom=13)

    def points(answer: dict[str, Any]) -> int:
        return sum(len(shapely.get_coordinates(shape(f["geometry"]))) for f in answer["features"])

    assert points(coarse) < points(fine)
    assert {o["properties"]["authority"] for o in kinds(coarse, "outline")} == {
        "east-force",
        "west-command",
    }


def test_outlines_are_stored_at_import_and_back_filled_by_the_migration(session: Session) -> None:
    """0026 gives maps imported before it the outlines their import would have stored."""
    path = Path(__file__).resolve().parents[2] / "src/tansiq/migrations/versions/0026_map_levels.py"
    spec = importlib.util.spec_from_file_location("map_levels_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    read = text("SELECT map_id, level, geometry_wkb FROM zone_map_outlines ORDER BY map_id, level")
    imported = [(m, level, bytes(wkb)) for m, level, wkb in session.execute(read)]
    maps = session.execute(text("SELECT count(*) FROM zone_maps")).scalar_one()
    assert maps > 0
    assert len(imported) == maps * len(outlines.LEVELS)
    session.execute(text("DELETE FROM zone_map_outlines"))

    migration._fill_outlines(session.connection())

    filled = [(m, level, bytes(wkb)) for m, level, wkb in session.execute(read)]
    assert [(m, level) for m, level, _ in filled] == [(m, level) for m, level, _ in imported]
    for (_m, _l, made), (_m2, _l2, back) in zip(imported, filled, strict=True):
        assert shapely.equals(shapely.from_wkb(made), shapely.from_wkb(back))
