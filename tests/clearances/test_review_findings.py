"""State-machine holes found in review, each closed and kept closed."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.cli.worker import build_runner
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


def approved_west_only(client: TestClient, tokens: Tokens, clock: FixedClock) -> Any:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    return decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    ).json()


def amend(client: TestClient, tokens: Tokens, application: Any, **change: Any) -> Any:
    return client.post(
        f"/api/v1/applications/{application['id']}/amendments",
        headers=tokens("trader"),
        json={"expected_version": application["version"], **change},
    )


def test_a_revoked_clearance_is_not_revived_by_amending(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = approved_west_only(client, tokens, clock)
    permit = application["permits"][0]["id"]
    client.post(
        f"/api/v1/permits/{permit}/revoke",
        headers=tokens("west.reviewer"),
        json={"reason_code": "security_concern", "note": "Seal tampered"},
    )
    response = amend(client, tokens, application, seals=["SEAL-9999"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "application.permit_revoked"


def test_a_suspension_is_not_lifted_by_amending(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = approved_west_only(client, tokens, clock)
    permit = application["permits"][0]["id"]
    client.post(
        f"/api/v1/permits/{permit}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed", "note": "Flooding"},
    )
    result = amend(client, tokens, application, seals=["SEAL-9999"]).json()
    assert review_of(result, "west-command")["status"] == "pending"
    assert "active" not in [p["status"] for p in result["permits"]]


def test_withdrawal_closes_the_reviews_and_stops_escalation(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    url = f"/api/v1/applications/{application['id']}"
    client.post(f"{url}/withdrawal", headers=tokens("trader"), json={})
    clock.advance(timedelta(hours=25))
    build_runner(hub).run_due(hub.sessions, clock)

    seen = client.get(url, headers=tokens("trader")).json()
    assert {r["status"] for r in seen["reviews"]} == {"dropped"}
    assert not any(r["overdue"] for r in seen["reviews"])
    assert client.get(url, headers=tokens("municipality")).status_code == 404
    assert client.get("/api/v1/reviews", headers=tokens("west.reviewer")).json() == []


def test_nothing_is_decided_after_the_window_and_it_expires_unapproved(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    body = application_body(
        clock,
        valid_from=(clock.now() + timedelta(minutes=5)).isoformat(),
        valid_until=(clock.now() + timedelta(hours=2)).isoformat(),
    )
    application = submit(client, tokens("trader"), body)
    clock.advance(timedelta(hours=3))
    late = decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "application.closed"

    build_runner(hub).run_due(hub.sessions, clock)
    seen = client.get(f"/api/v1/applications/{application['id']}", headers=tokens("trader")).json()
    assert seen["status"] == "expired"


def test_amending_during_an_appeal_closes_it_and_an_upheld_appeal_is_final(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    west = review_of(application, "west-command")
    decide(
        client, tokens("west.reviewer"), west, decision="reject", reason_code="incomplete_documents"
    )
    url = f"/api/v1/applications/{application['id']}"
    appeal = {"review_id": west["id"], "grounds": "Papers attached"}
    assert client.post(f"{url}/appeals", headers=tokens("trader"), json=appeal).status_code == 201

    amended = amend(
        client,
        tokens,
        application,
        cargo=[{"description": "Rice", "quantity": 1, "unit": "t", "gross_mass_kg": 1000}],
    ).json()
    assert amended["appeals"][0]["outcome"] == "superseded"
    reopened = review_of(amended, "west-command")
    decide(
        client,
        tokens("west.reviewer"),
        reopened,
        decision="reject",
        reason_code="incomplete_documents",
    )
    assert client.post(f"{url}/appeals", headers=tokens("trader"), json=appeal).status_code == 201
    again = client.get(url, headers=tokens("trader")).json()
    decide(
        client,
        tokens("west.reviewer"),
        review_of(again, "west-command"),
        decision="reject",
        reason_code="incomplete_documents",
    )
    third = client.post(f"{url}/appeals", headers=tokens("trader"), json=appeal)
    assert third.json()["error"]["code"] == "appeal.already_decided"


def test_idempotency_compares_the_whole_request(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = application_body(clock, submit=False)
    draft = submit(client, tokens("trader"), body)
    for different in ({"route": ROADS["west-road"]}, {"corridor_m": 5000}):
        response = client.post(
            "/api/v1/applications", headers=tokens("trader"), json={**body, **different}
        )
        assert response.json()["error"]["code"] == "application.reference_reused"
    submitted = submit(client, tokens("trader"), {**body, "submit": True})
    assert submitted["id"] == draft["id"]
    assert submitted["status"] == "in_review"
    blank = client.post(
        "/api/v1/applications",
        headers=tokens("trader"),
        json={**body, "client_reference": "\x01\x02"},
    )
    assert blank.json()["error"]["code"] == "application.reference_required"


def test_only_the_route_geometry_is_stored(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    route = {**ROADS["west-road"], "x": "\ud800", "junk": "<script>" * 1000}
    body = json.dumps(application_body(clock, route=route))
    response = client.post(
        "/api/v1/applications",
        content=body,
        headers={**tokens("trader"), "Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert set(response.json()["route"]) == {"type", "coordinates"}


def test_text_is_measured_after_normalisation(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = application_body(
        clock, driver={"name_ar": "\ufb2c" * 200, "name_latin": "x", "id_number": "123456"}
    )
    response = client.post("/api/v1/applications", json=body, headers=tokens("trader"))
    assert response.status_code == 422
    details = [d["code"] for d in response.json()["error"]["details"]]
    assert "application.text_too_long" in details


def test_a_review_opened_by_an_amendment_starts_at_round_one(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = approved_west_only(client, tokens, clock)
    result = amend(client, tokens, application, route=ROADS["bridge-road"]).json()
    assert review_of(result, "east-force")["round"] == 1


def test_duplicate_submissions_at_once_give_one_application(databases: DatabaseFactory) -> None:
    engine = make_engine(databases.migrated_url("dupes"), busy_timeout_ms=PATIENT_BUSY_TIMEOUT_MS)
    clock = FixedClock(NOW)
    with Session(engine) as session:
        load_demo(session, clock)
        session.commit()
        headers = token_for(session, clock, "trader")
    hub = HubContext.from_settings(Settings(database_url="sqlite://"), clock=clock, engine=engine)
    app = create_app(hub)
    body = application_body(clock)
    answers: list[Any] = []

    def post() -> None:
        with TestClient(app) as client:
            answers.append(client.post("/api/v1/applications", json=body, headers=headers))

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    # The same client reference six times at once is one application, given back to each.
    assert [a.status_code for a in answers] == [201] * 6, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
