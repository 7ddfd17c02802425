"""Bad input gets a coded, bilingual error, never a 500, and stores nothing: a wrong location
is never shared."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.deconfliction.conftest import API, WEST_ONLY, movement, post, site


def line(*points: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


def refused(
    client: TestClient, headers: dict[str, str], path: str, body: Any, status: int, code: str
) -> None:
    before = client.get(API + "/summary", headers=headers).json()
    inbox = client.get("/api/v1/inbox", headers=headers).json()
    messages = set()
    for lang in ("en", "ar"):
        response = client.post(API + path, json=body, headers={**headers, "Accept-Language": lang})
        assert response.status_code == status, response.text
        error = response.json()["error"]
        assert error["code"] == code
        messages.add(error["message"])
    assert len(messages) == 2, messages  # one in each language
    assert client.get(API + "/summary", headers=headers).json() == before
    assert client.get("/api/v1/inbox", headers=headers).json() == inbox


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {
                "checkpoints": None,
                "route": line((41.05, 34.38), (41.07, 34.40), (41.07, 34.38), (41.05, 34.40)),
            },
            "route.self_intersecting",
        ),
        (
            {"checkpoints": None, "route": line(*[(41.05 + i * 1e-5, 34.39) for i in range(1500)])},
            "route.too_many_points",
        ),
        ({"checkpoints": None, "route": line((34.39, 41.05), (34.40, 41.07))}, "location.swapped"),
        (
            {"checkpoints": None, "route": line((2.35, 48.85), (2.36, 48.86))},
            "location.outside_area",
        ),
        (
            {"checkpoints": None, "route": line((41.2, 34.39), (41.19, 34.38))},
            "location.crosses_no_zone",
        ),
        ({"checkpoints": ["W-GATE", "NOWHERE"]}, "checkpoint.not_found"),
        ({"checkpoints": None}, "movement.route_or_checkpoints"),
        ({"route": WEST_ONLY}, "movement.route_or_checkpoints"),
        (
            {"checkpoints": None, "route": {"type": "Point", "coordinates": [41.05, 34.39]}},
            "movement.route_invalid",
        ),
        ({"corridor_m": 0}, "route.bad_corridor"),
        ({"place": "East Gate"}, "location.place_mismatch"),
        ({"place": "Atlantis"}, "location.unknown_place"),
        ({"repetition": {"frequency": "daily", "until": "2027-02-01"}}, "repetition.too_long"),
        ({"repetition": {"frequency": "weekly", "until": "2026-12-01"}}, "repetition.no_days"),
        (
            {"repetition": {"frequency": "weekly", "until": "2026-12-01", "weekdays": [9]}},
            "repetition.bad_weekday",
        ),
    ],
)
def test_a_bad_movement_is_refused_and_nothing_is_shared(
    client: TestClient, tokens: Tokens, clock: FixedClock, overrides: dict[str, Any], code: str
) -> None:
    status = 404 if code == "checkpoint.not_found" else 422
    refused(client, tokens("relief"), "/movements", movement(clock, **overrides), status, code)


def test_windows_in_the_past_or_reversed_are_refused(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    now = clock.now()
    past = movement(
        clock,
        start=(now - timedelta(hours=3)).isoformat(),
        end=(now - timedelta(hours=1)).isoformat(),
    )
    refused(client, tokens("relief"), "/movements", past, 422, "window.in_past")
    backwards = movement(clock, end=(now + timedelta(hours=1)).isoformat())
    refused(client, tokens("relief"), "/movements", backwards, 422, "window.reversed")


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"geometry": {"type": "Point", "coordinates": [3.0, 40.0]}}, "location.outside_area"),
        ({"geometry": {"type": "Point", "coordinates": [34.41, 41.12]}}, "location.swapped"),
        ({"radius_m": 0.5}, "site.bad_radius"),
        ({"radius_m": None}, "site.bad_radius"),
        (
            {"geometry": {"type": "LineString", "coordinates": [[41.1, 34.4], [41.2, 34.4]]}},
            "site.geometry_invalid",
        ),
    ],
)
def test_a_bad_site_is_refused(
    client: TestClient, tokens: Tokens, overrides: dict[str, Any], code: str
) -> None:
    refused(client, tokens("relief"), "/sites", site(**overrides), 422, code)


def test_a_huge_route_is_refused_before_it_is_read(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    points = [(41.05 + i * 1e-7, 34.39) for i in range(100_000)]
    body = movement(clock, checkpoints=None, route=line(*points))
    response = client.post(API + "/movements", json=body, headers=tokens("relief"))
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request.too_large"


HOSTILE = "<script>alert(1)</script>'; DROP TABLE parties; -- قافلة «الإغاثة»"


def test_arabic_html_and_sql_in_every_field_are_stored_as_written(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = movement(clock, markings=HOSTILE, contact=HOSTILE, note=HOSTILE)
    filed = post(client, "/movements", tokens("relief"), body)
    assert filed["content"]["markings"] == HOSTILE
    assert filed["content"]["contact"] == HOSTILE
    shown = post(client, "/sites", tokens("relief"), site(name=HOSTILE, note=HOSTILE))
    assert shown["content"]["name"] == HOSTILE
    withdrawn = post(
        client, f"/notifications/{filed['id']}/withdrawal", tokens("relief"), {"note": HOSTILE}
    )
    assert withdrawn["end_note"] == HOSTILE
    assert client.get("/api/v1/parties", headers=tokens("admin")).status_code == 200


def test_nobody_acknowledges_for_another_party(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    filed = post(client, "/movements", tokens("relief"), movement(clock))
    path = f"/notifications/{filed['id']}/acknowledgement"
    answer = {"version": 1, "answer": "received"}
    # The notifier was not asked; a party it never reached does not even see it.
    refused(client, tokens("relief"), path, answer, 403, "acknowledgement.not_reached")
    refused(client, tokens("trader"), path, answer, 404, "notification.not_found")
    refused(client, tokens("municipality"), path, answer, 404, "notification.not_found")
    # A version that does not exist, a concern without its note, pending as an answer.
    west = tokens("west.liaison")
    refused(
        client, west, path, {"version": 2, "answer": "received"}, 403, "acknowledgement.not_reached"
    )
    refused(
        client,
        west,
        path,
        {"version": 1, "answer": "received_with_concern", "concern": "other"},
        422,
        "acknowledgement.note_required",
    )
    refused(
        client,
        west,
        path,
        {"version": 1, "answer": "pending"},
        422,
        "acknowledgement.not_an_answer",
    )
    refused(
        client,
        west,
        path,
        {"version": 1, "answer": "received", "concern": "timing"},
        422,
        "acknowledgement.concern_not_allowed",
    )
    # A reviewer of a reached party reads it but does not speak for the party.
    refused(client, tokens("west.reviewer"), path, answer, 403, "acknowledgement.not_reached")


def test_only_the_notifier_changes_it_and_a_closed_one_stays_closed(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    relief = tokens("relief")
    filed = post(client, "/movements", relief, movement(clock))
    number = filed["id"]
    refused(
        client,
        tokens("west.liaison"),
        f"/notifications/{number}/withdrawal",
        {},
        403,
        "auth.forbidden",
    )
    refused(client, tokens("trader"), "/movements", movement(clock), 403, "auth.forbidden")
    refused(
        client,
        relief,
        f"/movements/{number}/versions",
        movement(clock, expected_version=3),
        409,
        "notification.version_mismatch",
    )
    refused(client, relief, f"/sites/{number}/versions", site(), 422, "notification.kind_mismatch")
    refused(
        client,
        relief,
        f"/movements/{number}/shift",
        {"expected_version": 1},
        409,
        "movement.nothing_to_shift",
    )
    post(client, f"/notifications/{number}/withdrawal", relief, {"note": "postponed"})
    refused(
        client,
        relief,
        f"/notifications/{number}/withdrawal",
        {},
        409,
        "notification.closed",
    )
    refused(
        client, relief, f"/movements/{number}/versions", movement(clock), 409, "notification.closed"
    )
