"""Devices push scan events: stored once whatever is replayed, contradictions and clones
flagged, bad events rejected one by one."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.clearances.conftest import (
    ROADS,
    Tokens,
    application_body,
    decide,
    review_of,
    submit,
)


def device(client: TestClient, tokens: Tokens, checkpoint: str, admin: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/devices",
        headers=tokens(admin),
        json={"checkpoint": checkpoint, "name": "Gate phone 1"},
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Device {response.json()['token']}"}


def event(at: datetime, permit: str = "P-000001", **extra: Any) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "scanned_at": at.isoformat(),
        "permit": permit,
        "version": 1,
        "verdict": "valid",
        "action": "passage",
        "officer": "Cpl. Nour",
        **extra,
    }


def push(client: TestClient, headers: dict[str, str], events: list[Any]) -> Any:
    response = client.post("/api/v1/sync/events", json={"events": events}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_replays_store_nothing_twice_even_across_a_restart(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    events = [event(clock.now() - timedelta(minutes=i), permit=f"P-{i:06d}") for i in range(3000)]

    first = push(client, gate, events[:2000])
    with TestClient(create_app(hub)) as restarted:  # the hub restarted mid-queue
        cut = push(restarted, gate, events[1500:])  # the device resends from where it was
        again = push(restarted, gate, events)

    assert (first["stored"], first["duplicates"]) == (2000, 0)
    assert (cut["stored"], cut["duplicates"]) == (1000, 500)
    assert (again["stored"], again["duplicates"]) == (0, 3000)


def test_duplicates_inside_one_batch_count_once(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    one = event(clock.now())
    result = push(client, gate, [one, one, one])
    assert (result["stored"], result["duplicates"]) == (1, 2)


def test_bad_events_are_rejected_one_by_one(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    good = event(clock.now())
    result = push(
        client,
        gate,
        [
            {**event(clock.now()), "verdict": "maybe"},
            good,
            {**event(clock.now()), "scanned_at": "2026-11-25T10:00:00"},
            "not an event",
            {**event(clock.now()), "id": "x"},
            {**event(clock.now()), "action": "refusal", "reason_code": "bribe"},
        ],
    )
    assert result["stored"] == 1
    assert [r["index"] for r in result["rejected"]] == [0, 2, 3, 4, 5]
    assert all(r["code"].startswith("scan.") for r in result["rejected"])
    # Each names its bad field, when it has one (a string is no object at all).
    fields = [r["field"] for r in result["rejected"]]
    assert fields == ["verdict", "scanned_at", None, "id", "reason_code"]


def test_an_override_is_stored_as_one_with_its_reason_note_and_data_age(
    client: TestClient, session: Session, tokens: Tokens, clock: FixedClock
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    override = {
        **event(clock.now(), permit="P-000777", verdict="revoked", action="override"),
        "reason_code": "supervisor_order",
        "note": "Capt. Hadi, by radio",
        "data_age_seconds": 7200,
    }
    refused = {
        **event(clock.now(), permit="P-000778", verdict="revoked", action="refusal"),
        "reason_code": "permit_revoked",
        "data_age_seconds": 90,
    }
    result = push(
        client,
        gate,
        [
            override,
            refused,
            {**override, "id": uuid.uuid4().hex, "note": "  "},  # an override says why
            {**override, "id": uuid.uuid4().hex, "reason_code": "permit_revoked"},
            {**refused, "id": uuid.uuid4().hex, "reason_code": "supervisor_order"},
            {**refused, "id": uuid.uuid4().hex, "data_age_seconds": -1},
        ],
    )
    assert result["stored"] == 2
    assert [r["index"] for r in result["rejected"]] == [2, 3, 4, 5]
    rows = session.execute(
        select(
            ScanEventRecord.permit_ref,
            ScanEventRecord.action,
            ScanEventRecord.reason_code,
            ScanEventRecord.note,
            ScanEventRecord.data_age_seconds,
        ).order_by(ScanEventRecord.permit_ref)
    ).all()
    assert [tuple(row) for row in rows] == [
        ("P-000777", "override", "supervisor_order", "Capt. Hadi, by radio", 7200),
        ("P-000778", "refusal", "permit_revoked", "", 90),
    ]


@pytest.mark.parametrize("header", ["", "Device tqd_forged", "Bearer abc", "Device "])
def test_devices_authenticate(client: TestClient, header: str) -> None:
    response = client.post(
        "/api/v1/sync/events",
        json={"events": []},
        headers={"Authorization": header} if header else {},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "device.bad_token"


def test_only_the_operating_authority_registers_devices(client: TestClient, tokens: Tokens) -> None:
    wrong = client.post(
        "/api/v1/devices",
        headers=tokens("east.admin"),
        json={"checkpoint": "W-GATE", "name": "spy"},
    )
    missing = client.post(
        "/api/v1/devices", headers=tokens("west.admin"), json={"checkpoint": "NOWHERE", "name": "x"}
    )
    assert wrong.status_code == 403
    assert missing.status_code == 404


def test_refusing_a_permit_your_own_authority_signed_is_a_contradiction(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    ref = f"P-{application['id']:06d}"
    west_gate = device(client, tokens, "W-SOUTH", "west.admin")
    east_gate = device(client, tokens, "E-GATE", "east.admin")

    own = push(
        client,
        west_gate,
        [
            event(
                clock.now(),
                permit=ref,
                action="refusal",
                reason_code="cargo_mismatch",
                note="Seal broken",
            )
        ],
    )
    other = push(
        client,
        east_gate,
        [
            event(
                clock.now() + timedelta(hours=3),
                permit=ref,
                action="refusal",
                reason_code="route_closed",
            )
        ],
    )

    assert own["contradictions"] == 1
    assert other["contradictions"] == 0
    west_inbox = client.get("/api/v1/inbox", headers=tokens("west.admin")).json()
    assert west_inbox[0]["kind"] == "checkpoint.contradiction"
    municipality = client.get("/api/v1/inbox", headers=tokens("municipality")).json()
    assert "checkpoint.contradiction_seen" in [item["kind"] for item in municipality]


def test_the_same_permit_in_two_places_too_close_in_time_is_a_suspected_clone(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    west_gate = device(client, tokens, "W-GATE", "west.admin")
    east_gate = device(client, tokens, "E-GATE", "east.admin")
    start = clock.now()
    push(client, west_gate, [event(start, permit="P-000042")])
    # West Gate to East Gate is about 11 km: 2 minutes is too little, 30 is enough.
    quick = push(client, east_gate, [event(start + timedelta(minutes=2), permit="P-000042")])
    slow = push(
        client,
        west_gate,
        [
            event(start + timedelta(minutes=40), permit="P-000043"),
            event(start + timedelta(minutes=70), permit="P-000043"),
        ],
    )
    assert quick["clones_suspected"] == 1
    assert slow["clones_suspected"] == 0
    assert "checkpoint.clone_suspected" in [
        item["kind"] for item in client.get("/api/v1/inbox", headers=tokens("municipality")).json()
    ]


def test_one_device_cannot_shadow_anothers_events(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    first = device(client, tokens, "W-GATE", "west.admin")
    second = device(client, tokens, "E-GATE", "east.admin")
    shared = {**event(clock.now()), "id": "shared-000001"}
    assert push(client, first, [shared])["stored"] == 1
    theirs = push(client, second, [{**shared, "action": "refusal", "reason_code": "route_closed"}])
    assert (theirs["stored"], theirs["duplicates"]) == (1, 0)


@pytest.mark.parametrize(
    "moment",
    [
        "9999-12-31T23:59:59-05:00",
        "0001-01-01T00:00:00+05:00",
        "2030-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z",
    ],
)
def test_implausible_scan_times_are_rejected_not_fatal(
    client: TestClient, tokens: Tokens, clock: FixedClock, moment: str
) -> None:
    gate = device(client, tokens, "W-GATE", "west.admin")
    result = push(client, gate, [{**event(clock.now()), "scanned_at": moment}, event(clock.now())])
    assert result["stored"] == 1
    assert [(r["index"], r["code"]) for r in result["rejected"]] == [(0, "scan.time_out_of_range")]


def test_clones_are_found_whatever_order_devices_sync_in(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    west = device(client, tokens, "BRIDGE-W", "west.admin")
    quarry = device(client, tokens, "E-QUARRY", "east.admin")
    start = clock.now() - timedelta(hours=1)
    push(client, quarry, [event(start + timedelta(minutes=2), permit="P-000077")])
    late = push(client, west, [event(start, permit="P-000077")])  # an offline device
    assert late["clones_suspected"] == 1


def test_many_refusals_make_one_notice(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    gate = device(client, tokens, "W-SOUTH", "west.admin")
    ref = f"P-{application['id']:06d}"
    result = push(
        client,
        gate,
        [
            event(
                clock.now() - timedelta(seconds=i),
                permit=ref,
                action="refusal",
                reason_code="other",
            )
            for i in range(200)
        ],
    )
    assert result["contradictions"] == 200
    inbox = client.get("/api/v1/inbox", headers=tokens("west.admin")).json()
    assert [i["kind"] for i in inbox].count("checkpoint.contradiction") == 1


def test_a_revoked_device_is_refused(client: TestClient, tokens: Tokens) -> None:
    registered = client.post(
        "/api/v1/devices",
        headers=tokens("west.admin"),
        json={"checkpoint": "W-GATE", "name": "lost phone"},
    ).json()
    headers = {"Authorization": f"Device {registered['token']}"}
    assert (
        client.post("/api/v1/sync/events", json={"events": []}, headers=headers).status_code == 200
    )
    wrong = client.post(
        f"/api/v1/devices/{registered['id']}/revocation", headers=tokens("east.admin")
    )
    assert wrong.status_code == 403
    client.post(f"/api/v1/devices/{registered['id']}/revocation", headers=tokens("west.admin"))
    assert (
        client.post("/api/v1/sync/events", json={"events": []}, headers=headers).status_code == 401
    )
