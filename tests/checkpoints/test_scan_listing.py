"""Scans, contradictions and suspected clones are listed and read through the API by those
who may see them: the hub's admins, the authority manning the checkpoint, and the
municipality for the flagged ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.checkpoints.test_sync import device, event, push
from tests.clearances.conftest import ROADS, Tokens, application_body, decide, review_of, submit


@pytest.fixture
def scanned(client: TestClient, tokens: Tokens, clock: FixedClock) -> dict[str, Any]:
    """A contradiction at West's W-SOUTH, a clone seen at W-GATE then E-GATE, a plain scan."""
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    ref = f"P-{application['id']:06d}"
    west_south = device(client, tokens, "W-SOUTH", "west.admin")
    west_gate = device(client, tokens, "W-GATE", "west.admin")
    east_gate = device(client, tokens, "E-GATE", "east.admin")
    start = clock.now()
    refusal = event(start, permit=ref, action="refusal", reason_code="cargo_mismatch")
    assert push(client, west_south, [refusal])["contradictions"] == 1
    push(client, west_gate, [event(start - timedelta(hours=3), permit="P-000042")])
    clone = event(start - timedelta(hours=3) + timedelta(minutes=2), permit="P-000042")
    assert push(client, east_gate, [clone])["clones_suspected"] == 1
    plain = event(start - timedelta(hours=6), permit="P-000050")
    push(client, east_gate, [plain])
    return {"refusal": refusal["id"], "clone": clone["id"], "plain": plain["id"]}


def seen(client: TestClient, headers: dict[str, str], path: str) -> set[str]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return {scan["event_id"] for scan in response.json()}


@pytest.mark.parametrize(
    ("user", "scans", "contradictions", "clones"),
    [
        ("admin", {"refusal", "clone", "plain"}, {"refusal"}, {"clone"}),
        ("west.officer", {"refusal"}, {"refusal"}, set()),
        ("east.reviewer", {"clone", "plain"}, set(), {"clone"}),
        ("municipality", {"refusal", "clone"}, {"refusal"}, {"clone"}),
        ("trader", set(), set(), set()),
    ],
)
def test_each_sees_what_it_may(
    client: TestClient,
    tokens: Tokens,
    scanned: dict[str, str],
    user: str,
    scans: set[str],
    contradictions: set[str],
    clones: set[str],
) -> None:
    headers = tokens(user)
    names = {uid: name for name, uid in scanned.items()}
    shown = seen(client, headers, "/api/v1/scans")
    assert {names[uid] for uid in shown if uid in names} == scans
    flagged = seen(client, headers, "/api/v1/contradictions")
    assert {names[uid] for uid in flagged if uid in names} == contradictions
    cloned = seen(client, headers, "/api/v1/suspected-clones")
    assert {names[uid] for uid in cloned if uid in names} == clones


def test_a_scan_is_read_by_its_id_only_by_those_who_may_see_it(
    client: TestClient, tokens: Tokens, scanned: dict[str, str]
) -> None:
    (refusal,) = client.get("/api/v1/contradictions", headers=tokens("west.admin")).json()
    assert refusal["event_id"] == scanned["refusal"]
    assert (refusal["checkpoint"], refusal["action"]) == ("W-SOUTH", "refusal")
    assert refusal["contradiction"] is True
    read = client.get(f"/api/v1/scans/{refusal['id']}", headers=tokens("west.admin"))
    assert read.json() == refusal
    hidden = client.get(f"/api/v1/scans/{refusal['id']}", headers=tokens("east.admin"))
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "scan.not_found"


def test_scans_filter_by_checkpoint_and_permit(
    client: TestClient, tokens: Tokens, scanned: dict[str, str]
) -> None:
    admin = tokens("admin")
    at_gate = seen(client, admin, "/api/v1/scans?checkpoint=E-GATE")
    assert {scanned["clone"], scanned["plain"]} <= at_gate
    assert scanned["refusal"] not in at_gate
    assert seen(client, admin, "/api/v1/scans?permit=P-000050&checkpoint=E-GATE") == {
        scanned["plain"]
    }
    assert seen(client, admin, "/api/v1/scans?limit=1") != set()
    assert len(seen(client, admin, "/api/v1/scans?limit=1")) == 1
