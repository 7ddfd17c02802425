"""The demo scenario and the clearance journey through the HTTP API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.clearances.conftest import (
    ROADS,
    Tokens,
    application_body,
    decide,
    review_of,
    submit,
)


def test_demo_scenario_contradiction_then_amendment_around_the_refusing_zone(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    trader = tokens("trader")
    application = submit(client, trader, application_body(clock))
    assert application["status"] == "in_review"
    assert {r["authority"] for r in application["reviews"]} == {"west-command", "east-force"}
    west = review_of(application, "west-command")
    assert west["required_by"]["checkpoints"] == ["W-GATE", "BRIDGE-W"]

    approved = decide(client, tokens("west.reviewer"), west, decision="approve")
    assert approved.status_code == 200, approved.text
    rejected = decide(
        client,
        tokens("east.reviewer"),
        review_of(application, "east-force"),
        decision="reject",
        reason_code="security_concern",
        note="Convoy movements on the bridge this week",
    )
    assert rejected.status_code == 200, rejected.text

    seen = client.get(f"/api/v1/applications/{application['id']}", headers=trader).json()
    assert seen["status"] == "rejected"
    assert seen["contradiction"] is True
    east = review_of(seen, "east-force")
    assert (east["status"], east["reason_code"]) == ("rejected", "security_concern")
    assert east["reason_label"] == {"ar": "مخاوف أمنية", "en": "Security concern"}
    assert east["note"] == "Convoy movements on the bridge this week"
    assert review_of(seen, "west-command")["status"] == "approved"
    assert seen["permits"] == []

    amended = client.post(
        f"/api/v1/applications/{application['id']}/amendments",
        headers=trader,
        json={
            "expected_version": 1,
            "route": ROADS["west-road"],
            "destination": "North Road warehouse",
            "note": "avoiding the east bank",
        },
    )
    assert amended.status_code == 200, amended.text
    result = amended.json()
    assert result["version"] == 2
    assert review_of(result, "east-force")["status"] == "dropped"
    assert review_of(result, "west-command")["status"] == "approved"
    assert result["status"] == "approved"
    assert result["contradiction"] is False
    [permit] = result["permits"]
    assert permit["status"] == "active"
    assert permit["authorities"] == ["west-command"]
    assert permit["number"].endswith("-1")
    assert [t["to_status"] for t in result["transitions"]] == [
        "draft",
        "submitted",
        "in_review",
        "rejected",
        "in_review",
        "approved",
    ]


def test_conditions_travel_to_the_permit(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    decide(
        client,
        tokens("west.reviewer"),
        review_of(application, "west-command"),
        decision="approve_with_conditions",
        conditions=[
            {"kind": "via_checkpoints", "checkpoints": ["BRIDGE-W"]},
            {"kind": "daylight_only"},
        ],
    )
    final = decide(
        client,
        tokens("east.reviewer"),
        review_of(application, "east-force"),
        decision="approve_with_conditions",
        conditions=[
            {"kind": "escort_required"},
            {"kind": "free_text", "text": "Report at E-GATE by 16:00"},
        ],
    )
    result = final.json()
    assert result["status"] == "approved"
    conditions = result["permits"][0]["conditions"]
    assert {(c["authority"], c["kind"]) for c in conditions} == {
        ("west-command", "via_checkpoints"),
        ("west-command", "daylight_only"),
        ("east-force", "escort_required"),
        ("east-force", "free_text"),
    }


def test_route_change_that_misses_a_required_checkpoint_reopens_that_review(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = application_body(clock, route=ROADS["west-road"])
    application = submit(client, tokens("trader"), body)
    decide(
        client,
        tokens("west.reviewer"),
        review_of(application, "west-command"),
        decision="approve_with_conditions",
        conditions=[{"kind": "via_checkpoints", "checkpoints": ["W-NORTH"]}],
    )
    short = {"type": "LineString", "coordinates": [[41.07, 34.37], [41.07, 34.40]]}

    result = client.post(
        f"/api/v1/applications/{application['id']}/amendments",
        headers=tokens("trader"),
        json={"expected_version": 1, "route": short},
    ).json()

    west = review_of(result, "west-command")
    assert (west["status"], west["round"]) == ("pending", 2)
    assert result["permits"][0]["status"] == "superseded"


@pytest.mark.parametrize(
    ("change", "reopened"),
    [
        (
            {
                "cargo": [
                    {"description": "Rice", "quantity": 10, "unit": "t", "gross_mass_kg": 10_000}
                ]
            },
            True,
        ),
        ({"valid_until": "2026-11-27T12:00:00+00:00"}, True),
        ({"driver": {"name_latin": "Other Driver", "id_number": "999888777"}}, True),
        ({"seals": ["SEAL-9"]}, False),
    ],
)
def test_what_an_amendment_reopens(
    client: TestClient, tokens: Tokens, clock: FixedClock, change: dict[str, object], reopened: bool
) -> None:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    decided = decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    ).json()
    assert decided["status"] == "approved"

    result = client.post(
        f"/api/v1/applications/{application['id']}/amendments",
        headers=tokens("trader"),
        json={"expected_version": 1, **change},
    )

    assert result.status_code == 200, result.text
    west = review_of(result.json(), "west-command")
    assert (west["status"] == "pending") is reopened
    statuses = [p["status"] for p in result.json()["permits"]]
    assert statuses == (["superseded"] if reopened else ["superseded", "active"])


def test_resubmitting_the_same_reference_is_idempotent(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = application_body(clock)
    first = submit(client, tokens("trader"), body)
    again = submit(client, tokens("trader"), body)
    assert again["id"] == first["id"]
    assert len(again["reviews"]) == 2

    different = {**body, "origin": "Somewhere else"}
    response = client.post("/api/v1/applications", json=different, headers=tokens("trader"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "application.reference_reused"


def test_draft_then_submit_and_route_by_checkpoints(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    body = application_body(
        clock, route=None, checkpoints=["W-GATE", "BRIDGE-W", "BRIDGE-E"], submit=False
    )
    draft = submit(client, tokens("trader"), body)
    assert draft["status"] == "draft"
    assert draft["reviews"] == []
    assert draft["route"]["coordinates"][0] == [41.04, 34.4]

    submitted = client.post(
        f"/api/v1/applications/{draft['id']}/submit", headers=tokens("trader")
    ).json()
    assert submitted["status"] == "in_review"
    assert {r["authority"] for r in submitted["reviews"]} == {"west-command", "east-force"}


def test_appeal_opens_a_joint_review_the_municipality_sees(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    east = review_of(application, "east-force")
    decide(
        client, tokens("east.reviewer"), east, decision="reject", reason_code="incomplete_documents"
    )
    url = f"/api/v1/applications/{application['id']}"
    assert client.get(url, headers=tokens("municipality")).status_code == 404

    appealed = client.post(
        f"{url}/appeals",
        headers=tokens("trader"),
        json={"review_id": east["id"], "grounds": "Documents attached"},
    )
    assert appealed.status_code == 201, appealed.text
    again = client.post(
        f"{url}/appeals",
        headers=tokens("trader"),
        json={"review_id": east["id"], "grounds": "again"},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "appeal.not_rejected"  # the review is open again

    seen = client.get(url, headers=tokens("municipality"))
    assert seen.status_code == 200
    reopened = review_of(seen.json(), "east-force")
    assert (reopened["status"], reopened["is_appeal"], reopened["round"]) == ("pending", True, 2)
    assert [
        a["reference"]
        for a in client.get("/api/v1/applications", headers=tokens("municipality")).json()
    ] == [application["reference"]]

    final = decide(client, tokens("east.reviewer"), reopened, decision="approve").json()
    assert final["status"] == "approved"
    assert final["appeals"][0]["outcome"] == "overturned"


def test_withdrawal_is_final(client: TestClient, tokens: Tokens, clock: FixedClock) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    url = f"/api/v1/applications/{application['id']}"
    withdrawn = client.post(
        f"{url}/withdrawal", headers=tokens("trader"), json={"reason": "Load cancelled"}
    )
    assert withdrawn.json()["status"] == "withdrawn"
    late = decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "application.closed"


def test_authorities_are_told_of_new_reviews(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    for reviewer in ("west.reviewer", "east.reviewer"):
        inbox = client.get("/api/v1/inbox", headers=tokens(reviewer)).json()
        assert inbox[0]["kind"] == "review.opened"
    arabic = client.get("/api/v1/inbox?lang=ar", headers=tokens("east.reviewer")).json()
    # Ids come from the database (PostgreSQL's sequences are not rolled back with a test).
    assert application["reference"] in arabic[0]["title"]
    assert "قرار" in arabic[0]["title"]  # "awaiting your decision"


def test_history_reads_in_the_readers_language(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    decide(
        client,
        tokens("east.reviewer"),
        review_of(application, "east-force"),
        decision="reject",
        reason_code="route_closed",
    )
    url = f"/api/v1/applications/{application['id']}"
    english = [t["reason"] for t in client.get(url, headers=tokens("trader")).json()["transitions"]]
    arabic = [
        t["reason"]
        for t in client.get(f"{url}?lang=ar", headers=tokens("trader")).json()["transitions"]
    ]
    assert english[-1] == "Decision by East Force"
    assert arabic[-1] == "قرار من القوة الشرقية"
    assert arabic[0] == "أُنشئ"
