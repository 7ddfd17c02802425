"""The administrator's zone map and checkpoint pages through HTTP: uploads refused feature by
feature with nothing stored, checkpoints added, closed and reopened, other authorities'
refused."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.geo.models import CheckpointRecord, ZoneMapRecord
from tests.web.admin_forms import HOSTILE, coded, count, post, refused
from tests.web.pages import sign_in

SQUARE = [[41.0, 34.3], [41.02, 34.3], [41.02, 34.32], [41.0, 34.32], [41.0, 34.3]]
BOWTIE = [[41.0, 34.3], [41.02, 34.32], [41.02, 34.3], [41.0, 34.32], [41.0, 34.3]]


def zone_map(*rings: list[list[float]], names: tuple[str, ...] = ()) -> str:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"name_en": names[i] if i < len(names) else f"Zone {i}"},
        }
        for i, ring in enumerate(rings)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


# -- zone maps --


def test_a_good_zone_map_is_stored_and_shown_on_the_map(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin")
    response = post(
        client,
        "/admin/zones",
        "/admin/zones",
        {
            "authority": "west-command",
            "document": zone_map(SQUARE, names=("Hill post",)),
            "source_name": "hill.geojson",
            "valid_from": "2026-12-01T00:00",
        },
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert 'role="status"' in page.text
    assert "Hill post" in page.text  # in the map's data
    assert 'class="uploaded"' in page.text
    assert 'data-state="future"' in page.text


def test_malformed_geojson_shows_every_feature_problem_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin", "ar")
    document = zone_map(SQUARE, BOWTIE, names=("Good field", "Crossed field"))
    response = refused(
        client,
        session,
        ZoneMapRecord,
        "/admin/zones",
        {"authority": "west-command", "document": document, "source_name": "bad.geojson"},
        status=422,
        code="geojson.invalid",
    )
    assert 'data-feature="1" data-code="geojson.self_intersection"' in response.text
    assert "Crossed field" in response.text
    assert "Good field" not in response.text.split('admin-table problems"')[1].split("</table>")[0]
    assert "&#34;Crossed field&#34;" in response.text  # the text is kept, escaped


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("", "geojson.missing"),
        ("{not json", "geojson.not_json"),
        ("[" * 5000, "geojson.not_json"),
        ('"text"', "geojson.invalid"),
        ('{"type": "FeatureCollection", "features": []}', "geojson.invalid"),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}', "geojson"),
    ],
)
def test_unreadable_zone_maps_are_coded_never_a_500(
    client: TestClient, session: Session, document: str, code: str
) -> None:
    sign_in(client, "west.admin")
    before = count(session, ZoneMapRecord)
    response = post(
        client, "/admin/zones", "/admin/zones", {"authority": "west-command", "document": document}
    )
    assert response.status_code == 422, response.text
    assert f'data-code="{code}' in response.text
    assert count(session, ZoneMapRecord) == before


def test_a_bad_time_and_an_end_before_the_start_are_coded(client: TestClient) -> None:
    sign_in(client, "west.admin")
    bad = post(
        client,
        "/admin/zones",
        "/admin/zones",
        {"authority": "west-command", "document": zone_map(SQUARE), "valid_from": "tomorrow"},
    )
    assert 'data-code="form.bad_time"' in bad.text
    assert 'value="tomorrow"' in bad.text
    backwards = post(
        client,
        "/admin/zones",
        "/admin/zones",
        {
            "authority": "west-command",
            "document": zone_map(SQUARE),
            "valid_from": "2027-01-01T00:00",
            "valid_until": "2026-01-01T00:00",
        },
    )
    assert 'data-code="zone_map.bad_validity"' in backwards.text


def test_another_authoritys_zones_are_refused(client: TestClient, session: Session) -> None:
    sign_in(client, "east.admin")
    refused(
        client,
        session,
        ZoneMapRecord,
        "/admin/zones",
        {"authority": "west-command", "document": zone_map(SQUARE)},
        status=403,
        code="auth.forbidden",
    )


def test_a_body_over_the_limit_is_a_coded_413_on_the_page(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin", "ar")
    before = count(session, ZoneMapRecord)
    response = client.post(
        "/admin/zones", data={"authority": "west-command", "document": "x" * (1024 * 1024 + 1)}
    )
    assert response.status_code == 413
    assert 'data-code="request.too_large"' in response.text
    assert 'dir="rtl"' in response.text
    assert count(session, ZoneMapRecord) == before


# -- checkpoints --


def test_an_admin_adds_a_checkpoint_and_closes_and_reopens_it(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin")
    response = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints",
        {
            "code": "W-HILL",
            "authority": "west-command",
            "name_ar": "التل",
            "name_en": "Hill",
            "lat": "34.41",
            "lon": "41.03",
        },
    )
    assert response.status_code == 303, response.text
    assert 'data-checkpoint="W-HILL"' in client.get("/admin/checkpoints").text
    closed = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints/W-HILL/status",
        {"status": "closed", "reason": "Road works"},
    )
    assert closed.status_code == 303
    record = session.scalar(select(CheckpointRecord).where(CheckpointRecord.code == "W-HILL"))
    assert record is not None
    assert (record.status, record.status_reason) == ("closed", "Road works")
    reopened = post(
        client, "/admin/checkpoints", "/admin/checkpoints/W-HILL/status", {"status": "open"}
    )
    assert reopened.status_code == 303


def test_closing_without_a_reason_is_coded(client: TestClient) -> None:
    sign_in(client, "west.admin")
    coded(
        client,
        "/admin/checkpoints",
        {"status": "closed"},
        status=422,
        code="checkpoint.reason_required",
        action="/admin/checkpoints/W-GATE/status",
    )


@pytest.mark.parametrize(
    ("values", "status", "code"),
    [
        ({"code": "W-GATE", "lat": "34.4", "lon": "41.0"}, 409, "checkpoint.exists"),
        ({"code": "W-NEW", "lat": "north", "lon": "41.0"}, 422, "geojson.invalid"),
        ({"code": "W-NEW", "lat": "nan", "lon": "inf"}, 422, "geojson.invalid"),
        ({"code": "W-NEW", "lat": "134.4", "lon": "41.0"}, 422, "geojson.invalid"),
        ({"code": "bad code!", "lat": "34.4", "lon": "41.0"}, 422, "checkpoint.import_invalid"),
    ],
)
def test_a_bad_checkpoint_is_coded_with_values_kept(
    client: TestClient, session: Session, values: dict[str, str], status: int, code: str
) -> None:
    sign_in(client, "west.admin")
    response = refused(
        client,
        session,
        CheckpointRecord,
        "/admin/checkpoints",
        {"authority": "west-command", "name_en": HOSTILE, **values},
        status=status,
        code=code,
    )
    assert f'value="{values["lat"]}"' in response.text
    assert HOSTILE not in response.text


def test_another_authoritys_checkpoint_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, "east.admin")
    response = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints",
        {"code": "E-WEST", "authority": "west-command", "name_en": "X", "lat": "34", "lon": "41"},
    )
    assert response.status_code == 403
    status = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints/W-GATE/status",
        {"status": "closed", "reason": "mine now"},
    )
    assert status.status_code == 403
    record = session.scalar(select(CheckpointRecord).where(CheckpointRecord.code == "W-GATE"))
    assert record is not None
    assert record.status == "open"
