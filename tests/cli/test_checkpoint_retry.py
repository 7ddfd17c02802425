"""``tansiq checkpoint sync`` against a real hub behind a proxy that misbehaves on purpose: a
busy hub is retried and nothing is lost or stored twice; a refusal is not retried; an answer
the device cannot read is one coded line, the queue kept."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tansiq.checkpoints.client import DeviceStore
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.cli.main import cli
from tansiq.db.engine import make_engine
from tests.cli.hub_process import Canned, busy, demo_hub, proxy_to


def hub_events(database_url: str) -> int:
    engine = make_engine(database_url)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(ScanEventRecord))
    engine.dispose()
    return int(count or 0)


def unsent(queue: Path) -> int:
    store = DeviceStore(queue)
    try:
        return store.count_unsent()
    finally:
        store.close()


def undecodable_revocations(method: str, path: str, hub: Canned | None) -> Canned | None:
    if hub is None:
        return None  # ask the hub, then spoil its answer
    answer = json.loads(hub.body)
    answer["revocations"] = base64.b64encode(b"\xff\xfe not CBOR").decode()
    return Canned(200, json.dumps(answer).encode(), {"Content-Type": "application/json"})


def test_sync_retries_a_busy_hub_and_keeps_the_queue_on_a_bad_answer(tmp_path: Path) -> None:
    with demo_hub(tmp_path) as hub, proxy_to(hub.url) as proxy:
        registered = CliRunner().invoke(
            cli,
            [
                "--database-url",
                hub.database_url,
                "checkpoint",
                "register",
                "W-SOUTH",
                "--as",
                "west.admin",
            ],
            env={"TANSIQ_SECRET_KEY": hub.secret_key},
        )
        assert registered.exit_code == 0, registered.output
        token = registered.stdout.splitlines()[0]
        keys = [line.split(": ")[1] for line in registered.stderr.splitlines()]
        queue = tmp_path / "terminal.sqlite"

        def terminal(*args: str) -> Result:
            return CliRunner().invoke(
                cli,
                ["checkpoint", *args, "--queue", str(queue)],
                env={"TANSIQ_DEVICE_TOKEN": token, "TANSIQ_HUB_URL": proxy.url, "LANG": "en"},
            )

        enrolled = terminal("enrol", *[x for key in keys for x in ("--governance-key", key)])
        assert enrolled.exit_code == 0, enrolled.output

        # The pull meets a busy hub (503, then 429) before the hub itself answers.
        proxy.once("GET", "/api/v1/sync/pull", busy(503))
        proxy.once("GET", "/api/v1/sync/pull", busy(429))
        first = terminal("sync", "--attempts", "3")
        assert first.exit_code == 0, first.output
        assert "HTTP 503: trying again in 1 second (attempt 2 of 3)" in first.stderr
        assert "HTTP 429: trying again in" in first.stderr
        assert [s for m, p, s in proxy.seen if p.startswith("/api/v1/sync/pull")] == [503, 429, 200]

        for n in range(3):  # unreadable codes are recorded too: the officer saw something
            assert terminal("scan", f"TQ1:nonsense{n}", "--action", "none").exit_code == 1
        assert unsent(queue) == 3

        # The push meets a 503: retried, stored once, nothing left behind.
        proxy.once("POST", "/api/v1/sync/events", busy(503))
        pushed = terminal("sync")
        assert pushed.exit_code == 0, pushed.output
        assert "pushed 3 events: 3 new, 0 already at the hub" in pushed.stdout
        assert "sent 3 of 3 events" in pushed.stderr
        posts = [s for m, p, s in proxy.seen if m == "POST"]
        assert posts == [503, 200]
        assert hub_events(hub.database_url) == 3
        assert unsent(queue) == 0

        # A refusal other than 429 is final: asked once, the queue kept.
        assert terminal("scan", "TQ1:later", "--action", "none").exit_code == 1
        proxy.once("POST", "/api/v1/sync/events", lambda m, p, h: Canned(400, b"{}"))
        before = len(proxy.seen)
        refused = terminal("sync")
        assert refused.exit_code != 0
        assert refused.stderr.startswith("error device.hub_refused:")
        assert [s for m, p, s in proxy.seen[before:] if m == "POST"] == [400]
        assert unsent(queue) == 1

        # An answer the device cannot decode: one coded line, nothing stored, the queue kept.
        proxy.once("GET", "/api/v1/sync/pull", undecodable_revocations)
        spoiled = terminal("sync")
        assert spoiled.exit_code != 0
        assert isinstance(spoiled.exception, SystemExit), spoiled.exception
        assert spoiled.stderr.splitlines() == [
            "error device.bad_hub_answer: The hub's answer cannot be read (pull: "
            "CBORDecodeError); nothing was changed on this device and events stay queued."
        ]
        assert "Traceback" not in spoiled.output
        assert unsent(queue) == 1
        assert hub_events(hub.database_url) == 3

        # A hub that stays busy: the sync gives up after its attempts, coded, queue kept.
        for _ in range(2):
            proxy.once("GET", "/api/v1/sync/pull", busy(503))
        gave_up = terminal("sync", "--attempts", "2")
        assert gave_up.exit_code != 0
        assert gave_up.stderr.splitlines()[-1].startswith("error device.hub_busy:")
        assert unsent(queue) == 1

        # In Arabic too: progress and the result, plural forms chosen by the count.
        final = CliRunner().invoke(
            cli,
            ["checkpoint", "sync", "--queue", str(queue)],
            env={"TANSIQ_DEVICE_TOKEN": token, "TANSIQ_HUB_URL": proxy.url, "TANSIQ_LANG": "ar"},
        )
        assert final.exit_code == 0, final.output
        assert unsent(queue) == 0
        assert hub_events(hub.database_url) == 4
        assert "أُرسل حدث واحد:" in final.stdout
