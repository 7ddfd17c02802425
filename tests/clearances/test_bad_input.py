"""Bad input to clearances: coded errors, never a 500, and nothing stored changes."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.clearances.models import ApplicationRecord, ReviewRecord
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tansiq.settings import Settings
from tests.clearances.conftest import (
    ROADS,
    Tokens,
    application_body,
    decide,
    review_of,
    submit,
)
from tests.conftest import NOW, PATIENT_BUSY_TIMEOUT_MS, DatabaseFactory
from tests.factories import token_for

HOSTILE = "<img src=x onerror=alert(1)>'); DROP TABLE applications;-- \u202eقمح"


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ApplicationRecord)) or 0


def detail_codes(response: Any) -> list[str]:
    assert response.status_code < 500, response.text
    error = response.json()["error"]
    return [error["code"], *[d["code"] for d in error.get("details", [])]]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {"route": {"type": "LineString", "coordinates": [[40.0, 33.0], [40.1, 33.1]]}},
            "application.no_authority",
        ),
        (
            {"valid_from": "2026-11-01T00:00:00Z", "valid_until": "2026-11-02T00:00:00Z"},
            "window.in_the_past",
        ),
        ({"valid_until": "2027-06-01T00:00:00Z"}, "window.too_long"),
        ({"valid_until": "2026-11-25T12:30:00Z"}, "window.ends_before_start"),
        ({"valid_from": "2026-11-26T00:00:00"}, "field.timezone_aware"),
        ({"vehicle": {"plate": "!", "kind": "truck"}}, "vehicle.bad_plate"),
        (
            {"vehicle": {"plate": "AB123", "kind": "truck", "vin": "1M8GDM9A1KP042788"}},
            "vehicle.bad_vin",
        ),
        (
            {"vehicle": {"plate": "AB123", "kind": "truck", "container_number": "CSQU3054384"}},
            "vehicle.bad_container",
        ),
        ({"vehicle": {"plate": "AB123", "kind": "spaceship"}}, "field.enum"),
        ({"driver": {"id_number": "12345"}}, "driver.name_required"),
        ({"cargo": []}, "field.too_short"),
        (
            {"cargo": [{"description": "x", "quantity": -1, "unit": "kg", "gross_mass_kg": 1}]},
            "field.greater_than_equal",
        ),
        (
            {
                "cargo": [
                    {
                        "description": "Fuel",
                        "quantity": 1,
                        "unit": "l",
                        "gross_mass_kg": 1,
                        "un_number": "UN99999",
                        "hs_code": "27",
                    }
                ]
            },
            "cargo.bad_un_number",
        ),
        ({"route": None}, "application.route_choice"),
        ({"checkpoints": ["W-GATE"]}, "application.route_choice"),
        ({"route": None, "checkpoints": ["W-GATE", "NOWHERE"]}, "checkpoint.not_found"),
        ({"route": {"type": "Point", "coordinates": [41, 34]}}, "route.invalid"),
        ({"corridor_m": 0}, "route.bad_corridor"),
        ({"client_reference": ""}, "field.string_too_short"),
    ],
)
def test_bad_applications_are_coded_and_store_nothing(
    client: TestClient,
    session: Session,
    tokens: Tokens,
    clock: FixedClock,
    overrides: dict[str, Any],
    code: str,
) -> None:
    before = count(session)
    response = client.post(
        "/api/v1/applications", json=application_body(clock, **overrides), headers=tokens("trader")
    )
    assert response.status_code == 422, response.text
    assert code in detail_codes(response)
    assert count(session) == before


@pytest.mark.parametrize("missing", ["vehicle", "driver", "cargo", "origin", "valid_from"])
def test_missing_fields(
    client: TestClient, tokens: Tokens, clock: FixedClock, missing: str
) -> None:
    body = application_body(clock)
    del body[missing]
    response = client.post("/api/v1/applications", json=body, headers=tokens("trader"))
    assert "field.missing" in detail_codes(response)


def test_ten_megabyte_body(client: TestClient, tokens: Tokens, clock: FixedClock) -> None:
    body = application_body(clock, origin="x" * (10 * 1024 * 1024))
    response = client.post(
        "/api/v1/applications",
        content=json.dumps(body),
        headers={**tokens("trader"), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request.too_large"


def test_hostile_text_in_every_field_is_kept_as_data(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = application_body(
        clock,
        client_reference=HOSTILE[:90],
        origin=HOSTILE,
        destination=HOSTILE,
        seals=[HOSTILE[:40]],
        driver={"name_ar": HOSTILE, "name_latin": HOSTILE, "id_number": "٠١٢٣٤٥٦٧٨٩"},
        cargo=[{"description": HOSTILE, "quantity": 1, "unit": "pcs", "gross_mass_kg": 10}],
    )
    application = submit(client, tokens("trader"), body)
    assert application["content"]["origin"] == HOSTILE
    assert application["content"]["driver"]["name_ar"] == HOSTILE
    assert application["content"]["cargo"][0]["description"] == HOSTILE
    assert "0123456789" not in json.dumps(application)
    assert "id_number" not in json.dumps(application)
    assert len(application["driver_id_hash"]) == 64

    rejected = decide(
        client,
        tokens("west.reviewer"),
        review_of(application, "west-command"),
        decision="reject",
        reason_code="other",
        note=HOSTILE,
    )
    assert review_of(rejected.json(), "west-command")["note"] == HOSTILE


@pytest.mark.parametrize(
    ("decision", "code"),
    [
        ({"decision": "reject"}, "review.reason_required"),
        ({"decision": "reject", "reason_code": "security_concern"}, "review.note_required"),
        ({"decision": "reject", "reason_code": "other", "note": "  "}, "review.note_required"),
        ({"decision": "reject", "reason_code": "no_such_code"}, "field.enum"),
        ({"decision": "approve", "reason_code": "route_closed"}, "review.reason_not_allowed"),
        (
            {"decision": "approve", "conditions": [{"kind": "daylight_only"}]},
            "review.conditions_not_allowed",
        ),
        ({"decision": "approve_with_conditions"}, "review.condition_required"),
        (
            {"decision": "approve_with_conditions", "conditions": [{"kind": "via_checkpoints"}]},
            "review.condition_incomplete",
        ),
        (
            {
                "decision": "approve_with_conditions",
                "conditions": [{"kind": "via_checkpoints", "checkpoints": ["NOPE"]}],
            },
            "review.unknown_checkpoint",
        ),
        ({"decision": "maybe"}, "field.enum"),
    ],
)
def test_bad_decisions_are_coded_and_change_nothing(
    client: TestClient, tokens: Tokens, clock: FixedClock, decision: dict[str, Any], code: str
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    review = review_of(application, "west-command")
    response = decide(client, tokens("west.reviewer"), review, **decision)
    assert code in detail_codes(response)
    after = client.get(f"/api/v1/applications/{application['id']}", headers=tokens("trader")).json()
    assert review_of(after, "west-command")["status"] == "pending"


@pytest.mark.parametrize(
    ("username", "status", "code"),
    [
        ("east.reviewer", 403, "auth.forbidden"),
        ("west.admin", 403, "auth.forbidden"),
        ("west.officer", 403, "auth.forbidden"),
        ("trader", 403, "auth.forbidden"),
    ],
)
def test_only_the_authoritys_reviewers_decide(
    client: TestClient,
    tokens: Tokens,
    clock: FixedClock,
    username: str,
    status: int,
    code: str,
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    response = decide(
        client, tokens(username), review_of(application, "west-command"), decision="approve"
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_a_decision_on_a_stale_view_is_refused(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    review = review_of(application, "west-command")
    first = decide(client, tokens("west.reviewer"), review, decision="approve")
    second = decide(
        client, tokens("west.reviewer"), review, decision="reject", reason_code="route_closed"
    )
    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "review.not_pending"
    stale = decide(
        client, tokens("west.reviewer"), {**review, "lock_version": 99}, decision="approve"
    )
    assert stale.status_code == 409


def test_stale_amendment_and_empty_amendment(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    url = f"/api/v1/applications/{application['id']}/amendments"
    empty = client.post(url, json={"expected_version": 1}, headers=tokens("trader"))
    stale = client.post(url, json={"expected_version": 7, "origin": "x"}, headers=tokens("trader"))
    assert empty.json()["error"]["code"] == "application.no_change"
    assert stale.json()["error"]["code"] == "application.stale_version"


def test_need_to_know(
    client: TestClient, session: Session, tokens: Tokens, clock: FixedClock
) -> None:
    west_only = submit(client, tokens("trader"), application_body(clock, route=ROADS["west-road"]))
    url = f"/api/v1/applications/{west_only['id']}"

    assert client.get(url, headers=tokens("west.reviewer")).status_code == 200
    assert client.get(url, headers=tokens("east.reviewer")).status_code == 404
    assert client.get(url, headers=tokens("relief")).status_code == 404
    assert client.get(url, headers=tokens("municipality")).status_code == 404
    assert client.get(url, headers=tokens("admin")).status_code == 200
    assert client.get("/api/v1/applications", headers=tokens("east.reviewer")).json() == []
    assert client.get("/api/v1/applications", headers=tokens("relief")).json() == []
    assert [
        a["id"] for a in client.get("/api/v1/applications", headers=tokens("west.reviewer")).json()
    ] == [west_only["id"]]
    amend = client.post(
        f"{url}/amendments",
        headers=tokens("west.reviewer"),
        json={"expected_version": 1, "origin": "x"},
    )
    assert amend.status_code == 403
    foreign = client.post(f"{url}/withdrawal", headers=tokens("relief"), json={})
    assert foreign.status_code == 404
    assert (
        client.get("/api/v1/applications/2147483647", headers=tokens("trader")).status_code == 404
    )


def test_only_applicants_apply(client: TestClient, tokens: Tokens, clock: FixedClock) -> None:
    response = client.post(
        "/api/v1/applications", json=application_body(clock), headers=tokens("west.reviewer")
    )
    assert response.status_code == 403


def test_reason_codes_are_bilingual(client: TestClient) -> None:
    codes = {c["code"]: c for c in client.get("/api/v1/reason-codes").json()}
    assert codes["security_concern"]["note_required"] is True
    assert codes["route_closed"]["label"] == {"ar": "الطريق مغلق", "en": "Route closed"}


def test_two_reviewers_deciding_at_once_one_wins(databases: DatabaseFactory) -> None:
    """Real concurrency on a real database file: two threads, one review."""
    engine = make_engine(databases.migrated_url("decide"), busy_timeout_ms=PATIENT_BUSY_TIMEOUT_MS)
    clock = FixedClock(NOW)
    with Session(engine) as session:
        load_demo(session, clock)
        session.commit()
        trader = token_for(session, clock, "trader")
        reviewers = [token_for(session, clock, "west.reviewer") for _ in range(2)]
    hub = HubContext.from_settings(Settings(database_url="sqlite://"), clock=clock, engine=engine)
    app = create_app(hub)
    with TestClient(app) as client:
        application = submit(client, trader, application_body(clock))
    review = review_of(application, "west-command")
    results: list[Any] = []

    def decide_in_thread(headers: dict[str, str], decision: dict[str, Any]) -> None:
        with TestClient(app) as client:
            results.append(decide(client, headers, review, **decision))

    threads = [
        threading.Thread(target=decide_in_thread, args=(reviewers[0], {"decision": "approve"})),
        threading.Thread(
            target=decide_in_thread,
            args=(reviewers[1], {"decision": "reject", "reason_code": "route_closed"}),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        stored = session.get(ReviewRecord, review["id"])
        assert stored is not None
        decided = stored.status
    engine.dispose()

    # The loser waits for the winner's lock (SQLite: the write lock; PostgreSQL: the row
    # lock on the application) and then finds the review decided.
    first, second = sorted(results, key=lambda r: r.status_code)
    assert (first.status_code, second.status_code) == (200, 409), [r.text for r in results]
    assert second.json()["error"]["code"] == "review.not_pending"
    winner = first.json()
    assert review_of(winner, "west-command")["status"] == decided
