"""The checkpoint device end to end: sync, scan offline, queue, push — through the real
HTTP API (an in-process transport), with the hub cut off half-way."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.app import create_app
from tansiq.checkpoints.client import (
    Backoff,
    CheckpointDevice,
    DeviceStore,
    HubUnreachable,
    NotEnrolled,
    NoTrustData,
    Reply,
    Transport,
)
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.errors import TansiqError
from tansiq.verifier.verify import VerdictStatus
from tests.clearances.conftest import Tokens, application_body, decide, review_of, submit


def transport(client: TestClient, fail_after: int | None = None) -> Transport:
    calls = {"posts": 0}

    def send(method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
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
        return Reply(response.status_code, response.json())

    return send


def enrolled(
    store: DeviceStore, client: TestClient, token: str, send: Transport | None = None
) -> CheckpointDevice:
    """A device with the hub's governance keys pinned, as its operator would set it up."""
    device = CheckpointDevice(store, send or transport(client), token)
    keys = [base64.b64decode(k) for k in client.get("/api/v1/governance-keys").json()]
    device.enrol(keys)
    return device


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
    with pytest.raises(NotEnrolled):
        CheckpointDevice(store, transport(client), secret).sync()
    device = enrolled(store, client, secret)

    with pytest.raises(NoTrustData):
        device.check(
            permit_token, at=clock.now(), checkpoint="BRIDGE-W", max_data_age=timedelta(hours=24)
        )
    first = device.sync()
    assert first.expected == 1

    # Offline now: scans are verified from the device's own file and queued.
    clock.advance(timedelta(hours=2))
    at = clock.now()
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
    assert (stale.status, stale.data_old) == (VerdictStatus.VALID, True)
    too_old = device.check(
        permit_token,
        at=at + timedelta(days=2),
        checkpoint="BRIDGE-W",
        max_data_age=timedelta(hours=24),
        hard_data_age=timedelta(hours=36),
    )
    assert (too_old.status, too_old.permit_status) == (VerdictStatus.STALE, VerdictStatus.VALID)

    # The link drops after the first batch and stays down through every retry; the next sync
    # sends the rest, nothing twice.
    waits: list[float] = []
    cut = CheckpointDevice(
        store, transport(client, fail_after=1), secret, backoff=Backoff(sleep=waits.append)
    )
    with pytest.raises(HubUnreachable):
        cut.sync()
    assert len(waits) == Backoff().attempts - 1
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
    device = enrolled(
        DeviceStore(tmp_path / "d.sqlite"),
        client,
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


def test_a_hub_impostor_cannot_feed_the_device(
    client: TestClient, tokens: Tokens, clock: FixedClock, tmp_path: Path
) -> None:
    """Trust data signed by any key other than the pinned governance keys is refused."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from tansiq.permits.keys import Ed25519Signer
    from tansiq.permits.trust import TrustList, sign_trust_list

    secret = device_token(client, tokens, "W-GATE", "west.admin")
    honest = transport(client)
    impostor = Ed25519Signer(Ed25519PrivateKey.generate())

    def forged(method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        status, answer, _ = honest(method, path, headers, body)
        if path.startswith("/api/v1/sync/pull"):
            fake = sign_trust_list(TrustList(99, clock.now(), []), impostor)
            answer = {**answer, "trust_list": base64.b64encode(fake).decode()}
        return Reply(status, answer)

    device = enrolled(DeviceStore(tmp_path / "x.sqlite"), client, secret, forged)
    with pytest.raises(TansiqError):
        device.sync()
    assert device.store.get("trust_list") is None
    device.store.close()
