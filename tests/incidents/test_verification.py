"""Reporting an incident and its verification by other parties, through the HTTP API."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.incidents.conftest import get, incident, post


def test_a_report_is_seen_by_every_party_without_the_reporting_user(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    reported = post(client, "/api/v1/incidents", tokens("west.officer"), incident(clock))
    assert reported["reference"] == f"INC-{reported['id']}"
    assert reported["verification"] == "unverified"
    assert reported["reporting_party"]["en"] == "West Command"
    for reader in ("trader", "relief", "east.admin", "municipality"):
        seen = get(client, f"/api/v1/incidents/{reported['id']}", tokens(reader))
        assert seen["event_type"] == "armed_clash"
        assert "west.officer" not in str(seen)
        assert "reported_by" not in seen


def test_corroboration_and_refutation_change_the_state(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    reported = post(client, "/api/v1/incidents", tokens("west.liaison"), incident(clock))
    path = f"/api/v1/incidents/{reported['id']}"
    own = client.post(path + "/corroboration", json={}, headers=tokens("west.admin"))
    assert own.status_code == 403
    assert own.json()["error"]["code"] == "incident.own_verdict"

    corroborated = post(client, path + "/corroboration", tokens("east.officer"), {"note": "seen"})
    assert corroborated["verification"] == "corroborated"
    assert corroborated["verdicts"][0]["party"]["en"] == "East Force"
    again = client.post(path + "/refutation", json={}, headers=tokens("east.admin"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "incident.already_judged"

    disputed = post(client, path + "/refutation", tokens("relief"), {"note": "road is quiet"})
    assert disputed["verification"] == "disputed"
    inbox = get(client, "/api/v1/inbox", tokens("west.liaison"))
    assert [e["kind"] for e in inbox].count("incidents.verdict") == 2


def test_a_refutation_alone_refutes(client: TestClient, tokens: Tokens, clock: FixedClock) -> None:
    reported = post(client, "/api/v1/incidents", tokens("east.officer"), incident(clock))
    refuted = post(
        client, f"/api/v1/incidents/{reported['id']}/refutation", tokens("west.liaison"), {}
    )
    assert refuted["verification"] == "refuted"
    listed = get(client, "/api/v1/incidents?verification=refuted", tokens("trader"))
    assert [i["id"] for i in listed] == [reported["id"]]


def test_a_trader_cannot_report_but_the_municipality_can(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    refused = client.post("/api/v1/incidents", json=incident(clock), headers=tokens("trader"))
    assert refused.status_code == 403
    assert (
        client.post(
            "/api/v1/incidents", json=incident(clock), headers=tokens("municipality")
        ).status_code
        == 201
    )


def test_each_reader_reads_the_alert_wholly_in_its_own_language(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    reported = post(client, "/api/v1/incidents", tokens("west.liaison"), incident(clock))
    post(client, f"/api/v1/incidents/{reported['id']}/corroboration", tokens("east.officer"), {})
    headers = tokens("west.liaison")
    [arabic] = [
        e
        for e in client.get("/api/v1/inbox", headers={**headers, "Accept-Language": "ar"}).json()
        if e["kind"] == "incidents.verdict"
    ]
    text = arabic["title"] + " " + arabic["body"]
    assert "القوة الشرقية" in text
    assert "East Force" not in text
    assert "corroborat" not in text
