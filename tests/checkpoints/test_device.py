"""The checkpoint device end to end: sync, scan offline, queue, push — through the real
HTTP API (an in-process transport), with the hub cut off half-way."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.checkpoints.client import (
    CheckpointDevice,
    DeviceStore,
    HubUnreachable,
    NoTrustData,
    Transport,
)
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.verifier.verify import VerdictStatus
from tansiq.web.app import create_app
from tests.clearances.conftest import Tokens, application_body, decide, review_of, submit


def transport(client: TestClient, fail_after: int | None = None) -> Transport:
    calls = {"posts": 0}

    def send(method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
        if method == "POST":
            calls["posts"] += 1
            if fail_after is not None and calls["posts"] > fail_after:
                raise HubUnreachable(problem="connection reset")
        response = client.request(
            method,
            path,
            headers={**headers, "Content-Type": "application/json"},
            content=None if body is None else json.dumps(body),
        )
        return response.status_code, response.json()

    return send


def device_token(client: TestClient, tokens: Tokens, checkpoint: str, admin: str) -> str:
    response = client.post(
        "/api/v1/devices",
        headers=tokens(admin),
        json={"checkpoint": checkpoint, "name": "terminal"},
    )
    return str(response.json()["token"])


def test_sync_scan_offline_and_push_after_a_cut(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock, tmp_path: Path
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    for authority, reviewer in (("west-command", "west.reviewer"), ("east-force", "east.reviewer")):
        result = decide(
            client, tokens(reviewer), review_of(application, authority), decision="approve"
        ).json()
    permit_token = client.get(
        f"/api/v1/permits/{result['permits'][0]['id']}/token", headers=tokens("trader")
    ).json()["token"]
    secret = device_token(client, tokens, "BRIDGE-W", "west.admin")
    store = DeviceStore(tmp_path / "device.sqlite")
    device = CheckpointDevice(store, transport(client), secret)

    with pytest.raises(NoTrustData):
        device.check(
            permit_token, at=clock.now(), checkpoint="BRIDGE-W", max_data_age=timedelta(hours=24)
        )
    first = device.sync()
    assert first.expected == 1

    # Offline now: scans are verified from the device's own file and queued.
    at = clock.now() + timedelta(hours=2)
    verdict = device.check(
        permit_token, at=at, checkpoint="BRIDGE-W", max_data_age=timedelta(hours=24)
    )
    assert verdict.status is VerdictStatus.VALID, verdict
    for minute in range(2500):
        device.record(verdict, at=at + timedelta(seconds=minute), action="passage")
    stale = device.check(
        permit_token,
        at=at + timedelta(days=2),
        checkpoint="BRIDGE-W",
        max_data_age=timedelta(hours=24),
    )
    assert stale.status is VerdictStatus.STALE

    # The link drops after the first batch; the next sync sends the rest, nothing twice.
    cut = CheckpointDevice(store, transport(client, fail_after=1), secret)
    with pytest.raises(HubUnreachable):
        cut.sync()
    assert store.count_unsent() == 1500
    with TestClient(create_app(hub)) as restarted:  # the hub restarted meanwhile
        rest = CheckpointDevice(store, transport(restarted), secret).sync()
    assert (rest.pushed, rest.stored, rest.remaining) == (1500, 1500, 0)
    store.db.execute("UPDATE queue SET sent = 0")  # a device that lost its sent marks
    store.db.commit()
    replay = device.sync()
    assert (replay.stored, replay.duplicates) == (0, 2500)
    store.close()


def test_a_revocation_reaches_the_device(
    client: TestClient, tokens: Tokens, clock: FixedClock, tmp_path: Path
) -> None:
    application = submit(
        client,
        tokens("trader"),
        application_body(
            clock, route={"type": "LineString", "coordinates": [[41.07, 34.37], [41.07, 34.43]]}
        ),
    )
    result = decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    ).json()
    permit = result["permits"][0]
    text = client.get(f"/api/v1/permits/{permit['id']}/token", headers=tokens("trader")).json()[
        "token"
    ]
    device = CheckpointDevice(
        DeviceStore(tmp_path / "d.sqlite"),
        transport(client),
        device_token(client, tokens, "W-SOUTH", "west.admin"),
    )
    device.sync()
    at = clock.now() + timedelta(hours=1)
    assert (
        device.check(text, at=at, checkpoint="W-SOUTH", max_data_age=timedelta(days=1)).status
        is VerdictStatus.VALID
    )

    client.post(
        f"/api/v1/permits/{permit['id']}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed"},
    )
    device.sync()
    verdict = device.check(text, at=at, checkpoint="W-SOUTH", max_data_age=timedelta(days=1))
    assert verdict.status is VerdictStatus.SUSPENDED
    device.store.close()
