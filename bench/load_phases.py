"""The two focused phases of ``bench/load.py``: scans alone (64 online checkpoints, one event
per request) and syncs alone (200 devices pushing their queues at their own batch sizes).

The scan clients are one asyncio loop of plain keep-alive HTTP/1.1 connections, each a device
that waits for its answer before it sends the next scan (a closed loop, as an officer's phone
does): a client costs a few tens of microseconds of the bench's CPU per request, so on a
2-core machine the figure is the hub's, not the bench's. The sync devices are threads with
``http.client``, as the other benches' clients (a batch is hundreds of events, so the client's
cost per event is small).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import queue
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sync

TIMEOUT_S = 120


@dataclass
class PhaseTally:
    """What the clients of one phase saw."""

    requests: int = 0
    ok: int = 0
    errors: int = 0  # 5xx, or no answer
    unexpected: int = 0  # another status than 200
    stored: int = 0  # events the hub answered "stored"
    duplicates: int = 0
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    delivered: list[tuple[sync.Device, bytes]] = field(default_factory=list)  # answered 200

    def note(self, status: int, elapsed: float, data: Any, what: str) -> None:
        self.requests += 1
        self.latencies.append(elapsed)
        if status == 200:
            self.ok += 1
            self.stored += int(data["stored"])
            self.duplicates += int(data["duplicates"])
            return
        if status >= 500 or status == 0:
            self.errors += 1
        else:
            self.unexpected += 1
        if len(self.samples) < 3:
            self.samples.append(f"{what}: {status} {data!s:.160}")


def scan_body(rng: random.Random) -> bytes:
    """One scan as an online checkpoint sends it the moment the officer records it."""
    event = {
        "id": uuid.UUID(int=rng.getrandbits(128), version=4).hex,
        "scanned_at": datetime.now(UTC).isoformat(),
        "permit": f"P-{3_000_000 + rng.randrange(1_000_000)}",
        "version": 1,
        "verdict": "valid",
        "action": "passage",
        "officer": "Cpl. Nour",
    }
    return json.dumps({"events": [event]}).encode()


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _scan_client(
    port: int, token: str, rng: random.Random, deadline: float, tally: PhaseTally
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    prefix = (
        "POST /api/v1/sync/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Device {token}\r\nContent-Type: application/json\r\n"
    ).encode()
    while time.monotonic() < deadline:
        body = scan_body(rng)
        started = time.perf_counter()
        try:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(prefix + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            status, raw = await asyncio.wait_for(_read_answer(reader), TIMEOUT_S)
            data: Any = json.loads(raw) if raw[:1] == b"{" else raw[:200].decode("utf-8", "replace")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as e:
            if writer is not None:
                writer.close()
            reader = writer = None
            status, data = 0, repr(e)
        tally.note(status, time.perf_counter() - started, data, "scan")
    if writer is not None:
        writer.close()


def scan_phase(
    ports: list[int], devices: list[sync.Device], clients: int, seconds: float, seed: int
) -> PhaseTally:
    """``clients`` online checkpoints (each a device of its own) sending scans for
    ``seconds``; spread over the hub processes."""
    tally = PhaseTally()

    async def main() -> None:
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(
                _scan_client(
                    ports[i % len(ports)],
                    devices[i % len(devices)].token,
                    random.Random(seed * 7919 + i),
                    deadline,
                    tally,
                )
                for i in range(clients)
            )
        )

    started = time.monotonic()
    asyncio.run(main())
    tally.seconds = time.monotonic() - started
    return tally


def sync_phase(
    ports: list[int],
    jobs: list[tuple[sync.Device, list[bytes]]],
    concurrency: int,
    limit_s: float,
) -> tuple[PhaseTally, int]:
    """Every device pushes its queue batch after batch, ``concurrency`` devices at once, until
    the queues are empty (or ``limit_s`` has passed). A refused batch stays on its device and is
    sent again at its next sync (a second later), as the clients keep it. The tally's
    ``seconds`` is the time to the last batch stored; also returns the batches never stored."""
    tally = PhaseTally()
    lock = threading.Lock()
    work: queue.Queue[tuple[sync.Device, list[bytes]]] = queue.Queue()
    for job in jobs:
        work.put(job)
    started = time.monotonic()
    deadline = started + limit_s
    last_ack = started

    def run(index: int) -> None:
        nonlocal last_ack
        port = ports[index % len(ports)]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
        try:
            while time.monotonic() < deadline:
                try:
                    device, bodies = work.get(timeout=0.2)
                except queue.Empty:
                    if work.unfinished_tasks == 0:
                        return
                    continue
                headers = {"Authorization": f"Device {device.token}"}
                position = 0
                while position < len(bodies) and time.monotonic() < deadline:
                    start = time.perf_counter()
                    try:
                        status, data = sync.call(
                            port, "POST", "/api/v1/sync/events", bodies[position], headers,
                            connection,
                        )  # fmt: skip
                    except (OSError, http.client.HTTPException) as error:
                        connection.close()
                        status, data = 0, repr(error)
                    with lock:
                        tally.note(status, time.perf_counter() - start, data, "sync")
                        if status == 200:
                            last_ack = time.monotonic()
                            tally.delivered.append((device, bodies[position]))
                    if status != 200:
                        break
                    position += 1
                if position < len(bodies):
                    time.sleep(1.0 if time.monotonic() < deadline else 0)  # its next sync
                    work.put((device, bodies[position:]))
                work.task_done()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    unsent = 0
    while not work.empty():
        unsent += len(work.get_nowait()[1])
    tally.seconds = (last_ack if unsent == 0 else deadline) - started
    return tally, unsent


def replay(
    ports: list[int], delivered: list[tuple[sync.Device, bytes]], share: float, seed: int
) -> tuple[int, PhaseTally]:
    """Send a share of the batches the hub acknowledged again (a device that lost the answer):
    nothing may be stored twice. Returns (events replayed, tally)."""
    rng = random.Random(seed)
    by_device: dict[str, tuple[sync.Device, list[bytes]]] = {}
    for device, body in delivered:
        if rng.random() < share:
            by_device.setdefault(device.token, (device, []))[1].append(body)
    again = list(by_device.values())
    events = sum(len(json.loads(b)["events"]) for _, bodies in again for b in bodies)
    tally, _ = sync_phase(ports, again, 8, 120)
    return events, tally


def quantile_ms(samples: list[float], q: float) -> float:
    return sync.quantile(samples, q) * 1000
