"""Bad input gets a coded, bilingual error, never a 500, and stores nothing and tells nobody:
Arabic, HTML and SQL text is stored as text; phone numbers, ID numbers and e-mail addresses in
free text are refused; malformed GeoJSON and reversed windows are refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.incidents.conftest import get, incident, post, road_closure


def snapshot(client: TestClient, headers: dict[str, str]) -> Any:
    return (
        get(client, "/api/v1/incidents", headers),
        get(client, "/api/v1/advisories", headers),
        get(client, "/api/v1/inbox", headers),
    )


def refused(
    client: TestClient, headers: dict[str, str], path: str, body: Any, status: int, code: str
) -> None:
    before = snapshot(client, headers)
    messages = set()
    for lang in ("en", "ar"):
        response = client.post(path, json=body, headers={**headers, "Accept-Language": lang})
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["code"] == code, error
        messages.add(error["message"])
    assert len(messages) == 2, messages  # one in each language
    assert snapshot(client, headers) == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"description": "Call the driver on +964 770 123 4567"}, "text.phone_number"),
        ({"description": "Driver ID ٠١٢٣٤٥٦٧٨٩ was at the scene"}, "text.id_number"),
        ({"description": "His number is 0770-123-4567"}, "text.id_number"),
        ({"description": "write to someone@example.org"}, "text.email"),
        ({"sub_type": "sniper_fire", "event_type": "protest"}, "incident.sub_type_mismatch"),
        ({"location": {"type": "Point", "coordinates": [41.05]}}, "geojson.invalid"),
        ({"location": {"type": "Circle", "coordinates": [41.05, 34.4]}}, "geojson.invalid"),
        ({"location": "POINT(41 34)"}, "request.invalid"),
        ({"location": {"type": "Point", "coordinates": [34.4, 41.05]}}, "location.swapped"),
        ({"location": {"type": "Point", "coordinates": [2.35, 48.85]}}, "location.outside_area"),
        ({"occurred_at": "2030-01-01T00:00:00+00:00"}, "incident.in_future"),
        ({"relevant_until": "2026-11-25T09:00:00+00:00"}, "window.reversed"),
    ],
)
def test_a_bad_incident_is_refused_and_nothing_changes(
    client: TestClient, tokens: Tokens, clock: FixedClock, overrides: dict[str, Any], code: str
) -> None:
    status = 422
    refused(
        client,
        tokens("west.liaison"),
        "/api/v1/incidents",
        incident(clock, **overrides),
        status,
        code,
    )


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"geometry": {"type": "Point", "coordinates": [41.05, 34.4]}}, "geojson.invalid"),
        (
            {"geometry": {"type": "LineString", "coordinates": [[41.05, 34.4], [41.06, 95]]}},
            "geojson.invalid",
        ),
        ({"valid_until": "2026-11-25T11:00:00+00:00"}, "window.reversed"),
        (
            {
                "valid_from": "2026-11-20T00:00:00+00:00",
                "valid_until": "2026-11-21T00:00:00+00:00",
            },
            "window.ended",
        ),
        ({"valid_until": "2028-01-01T00:00:00+00:00"}, "window.too_long"),
        ({"checkpoint": "BRIDGE-W"}, "advisory.checkpoint_not_allowed"),
        ({"kind": "checkpoint_closed", "geometry": None}, "advisory.checkpoint_required"),
        ({"kind": "checkpoint_closed", "checkpoint": "NOWHERE"}, "advisory.checkpoint_not_found"),
        ({"description": "contact +963 11 555 0101"}, "text.phone_number"),
    ],
)
def test_a_bad_advisory_is_refused_and_nothing_changes(
    client: TestClient, tokens: Tokens, clock: FixedClock, overrides: dict[str, Any], code: str
) -> None:
    status = 404 if code.endswith("not_found") else 422
    refused(
        client,
        tokens("west.admin"),
        "/api/v1/advisories",
        road_closure(clock, **overrides),
        status,
        code,
    )


@pytest.mark.parametrize(
    "text",
    [
        "اشتباك مسلح قرب الجسر، الطريق مغلق",
        "<script>alert('x')</script><b>bold</b>",
        "'; DROP TABLE incidents; --",
        "Crater at km 12.5, reported 2026-11-25 at 11:40, lane 3 of 4",
    ],
)
def test_hostile_or_foreign_text_is_stored_as_text(
    client: TestClient, tokens: Tokens, clock: FixedClock, text: str
) -> None:
    reported = post(
        client, "/api/v1/incidents", tokens("west.liaison"), incident(clock, description=text)
    )
    assert (
        get(client, f"/api/v1/incidents/{reported['id']}", tokens("trader"))["description"] == text
    )


def test_a_withdrawn_advisory_cannot_be_withdrawn_or_cosigned_again(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    closure = post(client, "/api/v1/advisories", tokens("west.liaison"), road_closure(clock))
    path = f"/api/v1/advisories/{closure['id']}"
    own = client.post(path + "/cosignature", headers=tokens("west.admin"))
    assert own.json()["error"]["code"] == "advisory.own_cosign"
    cosigned = post(client, path + "/cosignature", tokens("east.admin"), {})
    assert [c["party"]["en"] for c in cosigned["cosigned_by"]] == ["East Force"]
    assert (
        client.post(path + "/withdrawal", json={}, headers=tokens("east.admin")).status_code == 403
    )
    post(client, path + "/withdrawal", tokens("west.liaison"), {"note": "cleared"})
    for action, who in (("/withdrawal", "west.liaison"), ("/cosignature", "relief")):
        again = client.post(path + action, json={}, headers=tokens(who))
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "advisory.illegal_transition"
