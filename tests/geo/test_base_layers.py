"""The deployment's base layers through HTTP: the hub's admins upload roads, rivers, built-up
areas and place names (API and page); bad GeoJSON, a wrong geometry type, a bad rank or too
big a file get coded bilingual errors and store nothing; an upload replaces its kind on every
map; nobody else may upload."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.core.geojson import MAX_FEATURES
from tansiq.geo.models import BaseFeatureRecord, BaseLayerRecord
from tests.conftest import Tokens
from tests.factories import collection, square
from tests.web.admin_forms import coded, count, post, refused
from tests.web.pages import sign_in

ROAD = {
    "type": "Feature",
    "properties": {"name_ar": "طريق التل", "name_en": "Hill Road", "rank": 1},
    "geometry": {"type": "LineString", "coordinates": [[41.05, 34.38], [41.06, 34.39]]},
}
TWO_PART_ROAD = {
    "type": "Feature",
    "properties": {"name_en": "Ring Road"},
    "geometry": {
        "type": "MultiLineString",
        "coordinates": [[[41.0, 34.3], [41.01, 34.31]], [[41.02, 34.32], [41.03, 34.33]]],
    },
}
TOWN = "41.03,34.36,41.17,34.44"


def upload(
    client: TestClient, tokens: Tokens, kind: str, document: Any, user: str = "admin"
) -> Any:
    return client.post(
        f"/api/v1/base-layers/{kind}",
        params={"source_name": "test.geojson"},
        json=document,
        headers=tokens(user),
    )


def road_names(client: TestClient, tokens: Tokens) -> set[str]:
    answer = client.get(
        "/api/v1/map/base", params={"bbox": TOWN, "zoom": 14}, headers=tokens("trader")
    ).json()
    return {
        f["properties"]["name_en"] for f in answer["features"] if f["properties"]["kind"] == "roads"
    }


def test_an_upload_replaces_its_kind_on_every_map(
    client: TestClient, tokens: Tokens, session: Session
) -> None:
    assert "Bridge Road" in road_names(client, tokens)
    response = upload(client, tokens, "roads", collection(ROAD, TWO_PART_ROAD))
    assert response.status_code == 201, response.text
    assert response.json()["feature_count"] == 2
    assert response.json()["current"] is True
    assert road_names(client, tokens) == {"Hill Road"}  # Ring Road lies outside the town
    layers = client.get("/api/v1/base-layers", headers=tokens("trader")).json()
    roads = [layer for layer in layers if layer["kind"] == "roads"]
    assert [layer["current"] for layer in roads] == [True, False]  # the demo's kept, not drawn
    rivers = [layer for layer in layers if layer["kind"] == "rivers"]
    assert [layer["current"] for layer in rivers] == [True]


@pytest.mark.parametrize("user", ["west.admin", "trader", "municipality", "east.reviewer"])
def test_only_the_hubs_admins_upload(
    client: TestClient, tokens: Tokens, session: Session, user: str
) -> None:
    before = count(session, BaseLayerRecord)
    response = upload(client, tokens, "roads", collection(ROAD), user)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "auth.forbidden"
    assert count(session, BaseLayerRecord) == before
    assert client.get("/api/v1/base-layers").status_code == 401


BAD: list[tuple[str, str, Any, str]] = [
    ("unknown layer", "motorways", collection(ROAD), "base_layer.unknown_kind"),
    ("a polygon as a road", "roads", collection(square(41.0, 34.0)), "geojson.invalid"),
    ("a line as a place", "places", collection(ROAD), "geojson.invalid"),
    ("not GeoJSON", "rivers", {"type": "Topology"}, "geojson.invalid"),
    ("no features", "rivers", collection(), "geojson.invalid"),
    (
        "a bad rank",
        "roads",
        collection({**ROAD, "properties": {"name_en": "X", "rank": 9}}),
        "base_layer.invalid",
    ),
    (
        "an unnamed place",
        "places",
        collection(
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Point", "coordinates": [41, 34]},
            }
        ),
        "base_layer.invalid",
    ),
]


@pytest.mark.parametrize(
    ("kind", "document", "code"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_a_bad_layer_is_coded_and_stores_nothing(
    client: TestClient, tokens: Tokens, session: Session, kind: str, document: Any, code: str
) -> None:
    before = count(session, BaseFeatureRecord), count(session, BaseLayerRecord)
    response = upload(client, tokens, kind, document)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert (count(session, BaseFeatureRecord), count(session, BaseLayerRecord)) == before
    assert "Bridge Road" in road_names(client, tokens)


def test_too_big_a_layer_is_coded_and_stores_nothing(
    client: TestClient, tokens: Tokens, session: Session
) -> None:
    before = count(session, BaseFeatureRecord)
    response = upload(client, tokens, "roads", collection(*[ROAD] * (MAX_FEATURES + 1)))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request.too_large"
    dot = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [41, 34]}}
    many = client.post(
        "/api/v1/base-layers/places",
        content=json.dumps(collection(*[dot] * (MAX_FEATURES + 1)), separators=(",", ":")),
        headers={**tokens("admin"), "Content-Type": "application/json"},
    )
    assert many.status_code == 422, many.text
    [detail] = many.json()["error"]["details"]
    assert detail["code"] == "geojson.too_many_features"
    assert count(session, BaseFeatureRecord) == before


def test_the_wrong_geometry_type_names_the_feature(client: TestClient, tokens: Tokens) -> None:
    response = upload(client, tokens, "built_up", collection(square(41.0, 34.0), ROAD))
    [detail] = response.json()["error"]["details"]
    assert detail["code"] == "geojson.wrong_geometry_type"
    assert detail["feature"] == 1
    arabic = client.post(
        "/api/v1/base-layers/built_up",
        json=collection(ROAD),
        headers={**tokens("admin"), "Accept-Language": "ar"},
    ).json()["error"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic["message"])


# -- the page --


def test_the_page_uploads_a_layer_and_shows_it(client: TestClient, session: Session) -> None:
    sign_in(client, "admin")
    response = post(
        client,
        "/admin/base-layers",
        "/admin/base-layers",
        {"kind": "roads", "document": json.dumps(collection(ROAD)), "source_name": "hill.geojson"},
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert 'role="status"' in page.text
    assert 'class="uploaded"' in page.text
    assert "hill.geojson" in page.text
    assert 'data-current="false"' in page.text  # the demo's roads, superseded
    assert 'data-legend="base-roads"' in page.text


@pytest.mark.parametrize(
    ("document", "code", "status"),
    [
        ("", "geojson.missing", 422),
        ("{not json", "geojson.not_json", 422),
        (json.dumps(collection(square(41.0, 34.0))), "geojson.invalid", 422),
        ("x" * (1024 * 1024 + 1), "request.too_large", 413),
    ],
)
def test_the_page_codes_every_bad_upload_in_both_languages(
    client: TestClient, session: Session, document: str, code: str, status: int
) -> None:
    sign_in(client, "admin", "ar")
    response = refused(
        client,
        session,
        BaseFeatureRecord,
        "/admin/base-layers",
        {"kind": "roads", "document": document},
        status=status,
        code=code,
    )
    assert 'lang="en"' in response.text  # the other language's words beside the reader's


def test_the_page_names_a_wrong_type_by_feature(client: TestClient) -> None:
    sign_in(client, "admin")
    response = coded(
        client,
        "/admin/base-layers",
        {
            "kind": "roads",
            "document": json.dumps(collection(ROAD, square(41.0, 34.0, name_en="Block"))),
        },
        status=422,
        code="geojson.invalid",
    )
    assert "geojson.wrong_geometry_type" in response.text
    assert "Block" in response.text


def test_an_authoritys_admin_may_not_open_the_page(client: TestClient) -> None:
    sign_in(client, "west.admin")
    assert client.get("/admin/base-layers").status_code == 403
    assert "/admin/base-layers" not in client.get("/admin").text
    sign_in(client, "admin")
    assert "/admin/base-layers" in client.get("/admin").text
