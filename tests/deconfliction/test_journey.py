"""Issue 12's scenarios through the HTTP API: a movement across two authorities' zones reaches
both and nobody else; one acknowledges, the other does not (reminder at half time, escalation
at the deadline, also across a restart of the worker); a second movement crossing the first is
a conflict on both sides with the place and time, and the proposed shift clears it."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.deconfliction.conftest import (
    NORTH_SOUTH,
    ack_of,
    get,
    movement,
    post,
)


def inbox_kinds(client: TestClient, headers: dict[str, str]) -> list[str]:
    response = client.get("/api/v1/inbox", headers=headers)
    assert response.status_code == 200, response.text
    return [event["kind"] for event in response.json()]


def run_jobs(hub: HubContext, clock: FixedClock) -> int:
    # A fresh runner each time, as a restarted worker would be.
    return build_runner(hub).run_due(hub.sessions, clock, limit=500)


def test_a_movement_reaches_both_authorities_and_nobody_else(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    relief = tokens("relief")
    filed = post(client, "/movements", relief, movement(clock))
    assert filed["reference"] == f"M-{filed['id']}"
    assert filed["status"] == "active"
    parties = {a["party"]: a for a in filed["acknowledgements"]}
    assert set(parties) == {"west-command", "east-force"}
    west_reasons = {r["reason"] for r in parties["west-command"]["reasons"]}
    assert west_reasons == {"zone", "checkpoint"}
    assert {r.get("checkpoint") for r in parties["east-force"]["reasons"]} >= {"BRIDGE-E"}
    # Routine: 2 h, never later than the start (4 h away).
    assert parties["west-command"]["deadline"].startswith("2026-11-25T14:00")

    assert "deconfliction.notified" in inbox_kinds(client, tokens("west.liaison"))
    assert "deconfliction.notified" in inbox_kinds(client, tokens("east.admin"))
    for outsider in ("trader", "municipality"):
        headers = tokens(outsider)
        assert "deconfliction.notified" not in inbox_kinds(client, headers)
        seen = client.get(f"/api/v1/deconfliction/notifications/{filed['id']}", headers=headers)
        assert seen.status_code == 404
        assert seen.json()["error"]["code"] == "notification.not_found"
        assert get(client, "/notifications", headers) == []


def test_acknowledged_by_one_escalated_for_the_other_across_a_restart(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    relief, west, east = tokens("relief"), tokens("west.liaison"), tokens("east.admin")
    filed = post(client, "/movements", relief, movement(clock, emergency=True))
    number = filed["id"]
    # West reads, then acknowledges with a concern.
    shown = get(client, f"/notifications/{number}", west)
    assert [a["party"] for a in shown["acknowledgements"]] == ["west-command"]
    answer = post(
        client,
        f"/notifications/{number}/acknowledgement",
        west,
        {"version": 1, "answer": "received_with_concern", "concern": "timing", "note": "drill"},
    )
    assert answer["state"] == "received_with_concern"
    assert answer["answered_by"] == "west.liaison"
    assert answer["first_read_at"] is not None
    again = client.post(
        f"/api/v1/deconfliction/notifications/{number}/acknowledgement",
        json={"version": 1, "answer": "received"},
        headers=west,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "acknowledgement.already_given"

    # Emergency: 30 minutes. At half time, east gets a reminder, once.
    clock.advance(timedelta(minutes=15))
    run_jobs(hub, clock)
    run_jobs(hub, clock)
    assert inbox_kinds(client, east).count("deconfliction.reminder") == 1
    assert "deconfliction.reminder" not in inbox_kinds(client, west)

    # At the deadline: escalation to east, a flag to the notifier and the hub, once.
    clock.advance(timedelta(minutes=15))
    run_jobs(hub, clock)
    run_jobs(hub, clock)
    assert inbox_kinds(client, east).count("deconfliction.escalated") == 1
    assert inbox_kinds(client, relief).count("deconfliction.unacknowledged") == 1
    assert inbox_kinds(client, tokens("admin")).count("deconfliction.unacknowledged") == 1
    mine = get(client, f"/notifications/{number}", relief)
    east_ack = ack_of(mine, "east-force")
    assert east_ack["state"] == "pending"
    assert east_ack["overdue"] is True
    assert east_ack["reminded_at"] is not None
    assert east_ack["escalated_at"] is not None
    assert ack_of(mine, "west-command")["concern"] == "timing"
    summary = get(client, "/summary", tokens("municipality"))
    assert summary["escalations"] == 1
    assert summary["acknowledgements_answered"] == 1


def crossing_patrol(clock: FixedClock) -> dict[str, object]:
    """West's patrol north to south over the bridge, 17:00-19:00: it crosses the demo road
    while the first movement (16:00-18:00) is on it."""
    return movement(
        clock,
        checkpoints=None,
        route=NORTH_SOUTH,
        start=(clock.now() + timedelta(hours=5)).isoformat(),
        end=(clock.now() + timedelta(hours=7)).isoformat(),
        purpose="patrol",
    )


def test_crossing_movements_conflict_on_both_sides_and_the_shift_clears_it(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    relief, west = tokens("relief"), tokens("west.liaison")
    first = post(client, "/movements", relief, movement(clock))
    crossing = crossing_patrol(clock)
    # The preview counts the conflict and proposes the shift; it names neither the other
    # movement nor its notifier, and stores nothing.
    preview = post(client, "/movements/preview", west, crossing)
    assert preview["conflicts"] == 1
    assert preview["shift"] == {"exists": True, "minutes": 60.0}
    assert "river-relief" not in {p["party"] for p in preview["parties"]}
    assert "deconfliction.conflict" not in inbox_kinds(client, relief)
    second = post(client, "/movements", west, crossing)
    [found] = second["conflicts"]
    assert found["other"] == first["id"]
    assert found["place"]["type"] == "Polygon"
    assert found["overlaps"] == [["2026-11-25T17:00:00Z", "2026-11-25T18:00:00Z"]]
    # Both sides are told; the first notifier is reached as a party "because of a conflict".
    assert "deconfliction.conflict" in inbox_kinds(client, relief)
    assert "deconfliction.conflict" in inbox_kinds(client, west)
    reasons = ack_of(second, "river-relief")["reasons"]
    assert reasons == [
        {
            "reason": "conflict",
            "name": None,
            "zone_id": None,
            "checkpoint": None,
            "notification": first["id"],
            "reference": first["reference"],
        }
    ]
    # The first ends at 18:00, the second starts at 17:00: one hour later clears it.
    assert second["shift"] == {"exists": True, "minutes": 60.0}
    shifted = post(client, f"/movements/{second['id']}/shift", west, {"expected_version": 1})
    assert shifted["version"] == 2
    assert shifted["start"] == "2026-11-25T18:00:00Z"
    assert shifted["conflicts"] == []
    assert shifted["shift"] is None
    # The new version is acknowledged afresh.
    assert all(a["state"] == "pending" and a["version"] == 2 for a in shifted["acknowledgements"])


def test_a_conflict_both_sides_recorded_is_listed_once(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    """The first movement, updated after the second crossed it, finds the second again: each
    side still lists the pair once, and an older version's finding is not listed."""
    relief, west = tokens("relief"), tokens("west.liaison")
    first = post(client, "/movements", relief, movement(clock))
    crossing = crossing_patrol(clock)
    second = post(client, "/movements", west, crossing)
    for version in (1, 2):  # updated twice, each time finding the second again
        post(
            client,
            f"/movements/{first['id']}/versions",
            relief,
            {**movement(clock, vehicles=4 + version), "expected_version": version},
        )
    seen = get(client, f"/notifications/{second['id']}", west)
    assert [c["other"] for c in seen["conflicts"]] == [first["id"]]
    mine = get(client, f"/notifications/{first['id']}", relief)
    assert [c["other"] for c in mine["conflicts"]] == [second["id"]]
