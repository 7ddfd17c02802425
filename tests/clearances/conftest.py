"""Helpers for clearance tests: a standard application and the demo users' tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tansiq.demo.service import demo_file
from tests.conftest import Tokens

__all__ = ["ROADS", "Tokens", "application_body", "decide", "review_of", "submit"]

ROADS = {f["properties"]["code"]: f["geometry"] for f in demo_file("roads.geojson")["features"]}


def application_body(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    now = clock.now()
    body: dict[str, Any] = {
        "client_reference": "WT-2026-0001",
        "vehicle": {"plate": "12 345 AB", "kind": "truck", "container_number": "CSQU3054383"},
        "driver": {
            "name_ar": "سمير الحلبي",
            "name_latin": "Samir al-Halabi",
            "id_number": "0123-456-789",
        },
        "cargo": [
            {
                "description": "Wheat flour, 50 kg bags",
                "hs_code": "1101.00",
                "quantity": 400,
                "unit": "bags",
                "gross_mass_kg": 20_400,
            }
        ],
        "seals": ["SEAL-7781"],
        "origin": "West Gate depot",
        "destination": "Grain Market, east bank",
        "route": ROADS["bridge-road"],
        "corridor_m": 200,
        "valid_from": (now + timedelta(hours=1)).isoformat(),
        "valid_until": (now + timedelta(days=3)).isoformat(),
    }
    body.update(overrides)
    return body


def submit(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> Any:
    response = client.post("/api/v1/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def review_of(application: Any, authority: str) -> Any:
    return next(r for r in application["reviews"] if r["authority"] == authority)


def decide(client: TestClient, headers: dict[str, str], review: Any, **decision: Any) -> Any:
    body = {"expected_version": review["lock_version"], **decision}
    return client.post(f"/api/v1/reviews/{review['id']}/decision", json=body, headers=headers)


def east_rejects(
    client: TestClient, tokens: Tokens, application: Any, **note: str
) -> dict[str, Any]:
    """East Force's reviewer rejects ``application`` (the route is closed, with ``note`` if
    given); the review it decided."""
    east: dict[str, Any] = review_of(application, "east-force")
    rejected = decide(
        client, tokens("east.reviewer"), east, decision="reject", reason_code="route_closed", **note
    )
    assert rejected.status_code == 200, rejected.text
    return east


def all_approve(client: TestClient, tokens: Tokens, application: Any) -> None:
    """Both authorities the demo's bridge road crosses approve ``application``."""
    for user, authority in (("west.reviewer", "west-command"), ("east.reviewer", "east-force")):
        review = review_of(application, authority)
        assert decide(client, tokens(user), review, decision="approve").status_code == 200
