"""The scan push's lean route (checkpoints/push.py) answers the usual push as the documented
FastAPI route does, and hands every other request to it, so the coded errors stay the same."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tansiq.app import create_app
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.checkpoints.push import PushRoute
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.checkpoints.test_sync import device, event
from tests.clearances.conftest import Tokens

PATH = "/api/v1/sync/events"


def post(
    client: TestClient, headers: dict[str, str], body: bytes, kind: str = "application/json"
) -> Any:
    return client.post(PATH, content=body, headers={**headers, "Content-Type": kind})


def test_the_lean_route_is_tried_first_and_answers_as_the_documented_route(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    assert isinstance(client.app.router.routes[0], PushRoute)  # type: ignore[attr-defined]
    gate = device(client, tokens, "W-GATE", "west.admin")
    answers = []
    # The usual push (the lean route), then the same kind of push in a JSON type only the
    # documented route reads (handed over to it): each stores its two good events, refuses
    # the third by index, in the reader's language.
    for kind in ("application/json", "application/vnd.tansiq+json"):
        events = [event(clock.now() - timedelta(minutes=i)) for i in range(2)]
        events.append({**event(clock.now()), "version": 0})
        response = post(
            client,
            {**gate, "Accept-Language": "ar"},
            json.dumps({"events": events}).encode(),
            kind,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.headers["x-content-type-options"] == "nosniff"
        answers.append(response.json())
    assert answers[0] == answers[1]
    assert answers[0]["stored"] == 2
    [refused] = answers[0]["rejected"]
    assert refused["index"] == 2
    assert refused["code"] == "scan.greater_than_equal"
    assert refused["field"] == "version"
    assert refused["message"] != "This scan event is not valid; it was not stored."  # Arabic
    with hub.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ScanEventRecord)) == 4


def test_the_lean_route_leaves_the_apps_named_routes_reachable(client: TestClient) -> None:
    """``url_for`` asks every route in turn; the unnamed lean route must pass, not fail."""
    app = client.app
    assert isinstance(app.router.routes[0], PushRoute)  # type: ignore[attr-defined]
    path = app.url_path_for("public_cap", advisory_id="7")  # type: ignore[attr-defined]
    assert path == "/feeds/advisories/7.cap"


def test_a_replay_through_the_lean_route_stores_nothing_twice(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    first = [event(clock.now() - timedelta(minutes=i)) for i in range(3)]
    body = json.dumps({"events": first}).encode()
    assert post(client, gate, body).json()["stored"] == 3
    # Sent again with one new event: the three are duplicates, the new one alone is stored.
    again = [*first, event(clock.now() - timedelta(minutes=9))]
    answer = post(client, gate, json.dumps({"events": again}).encode()).json()
    assert (answer["stored"], answer["duplicates"]) == (1, 3)
    with hub.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ScanEventRecord)) == 4


def test_every_unusual_push_gets_the_documented_routes_coded_error(
    client: TestClient, tokens: Tokens, clock: FixedClock, hub: HubContext
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    good = json.dumps({"events": [event(clock.now())]}).encode()
    cases: list[tuple[dict[str, str], bytes, int, str]] = [
        (gate, b'{"events": [', 400, "request.bad_json"),
        (gate, b"", 422, "request.invalid"),
        (gate, b'{"events": "all"}', 422, "request.invalid"),
        (gate, b"[]", 422, "request.invalid"),
        (gate, json.dumps({"events": [{}] * 5001}).encode(), 422, "request.invalid"),
        ({}, good, 401, "device.bad_token"),
        ({"Authorization": "Bearer x"}, good, 401, "device.bad_token"),
        ({"Authorization": "Device tqd_unknown"}, good, 401, "device.bad_token"),
        (gate, b"x" * (hub.settings.max_body_bytes + 1), 413, "request.too_large"),
    ]
    for headers, body, status, code in cases:
        response = post(client, headers, body)
        assert response.status_code == status, (body[:40], response.text)
        assert response.json()["error"]["code"] == code, (body[:40], response.text)
    # The same answers from the documented route alone, without the lean one.
    app = create_app(hub)
    app.router.routes.pop(0)
    with TestClient(app, raise_server_exceptions=False) as documented:
        for headers, body, status, code in cases:
            response = post(documented, headers, body)
            assert (response.status_code, response.json()["error"]["code"]) == (status, code)
