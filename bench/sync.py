"""Sync: a week of queued scan events from 200 checkpoint devices, pushed as the real clients
push them, to a real hub (``tansiq serve``) on 127.0.0.1, several devices at once.

The town is the demo one (two authorities, seven open checkpoints). Through the HTTP API the
bench issues permits (a trader applies, every required authority approves) and registers 200
devices spread over the checkpoints; then each device pushes its queue (100,000 events in all)
in its client's own batch size: half are the CLI (``tansiq.checkpoints.client.BATCH``), half the
browser app (``BATCH`` in web/assets/checkpoint/app.js). Settings are the defaults (body
limit included). The events are what checkpoints see: mostly passages, a few coded refusals,
among them refusals by an authority that signed the permit (contradictions), and the same
permit scanned at two far-apart checkpoints minutes apart (suspected clones). Every other scan
of a permit is far enough in time from the previous one for any road between checkpoints.

A batch refused with 503 (``database.busy``: "try again in a moment") stays on its device, as
the CLI client keeps it, and is sent again at the device's next sync (a second later, up to five
times); such refusals are counted. Then a share of the batches is sent again (a replay must store
nothing), and the database is counted: every event stored once, the expected contradictions and
clones flagged. The rate is the first pass: events stored / its wall time.

    .venv/bin/python bench/sync.py [--events N] [--devices N] [--concurrency N]
        [--database-url URL] [--postgres]

Without ``--database-url`` (or TANSIQ_DATABASE_URL) the hub runs on a fresh SQLite file. A
PostgreSQL URL names a server: the bench creates its own database there and drops it after.
Prints ``result: sync_events_per_s`` (bar >= 10,000), ``result: sync_lost_events`` (bar 0) and
``result: sync_busy_503`` (batches refused as busy on the first pass, then sent again).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from report import Machine, Tee, database, database_version, start, write_section
from tansiq.checkpoints.client import BATCH as CLI_BATCH
from tansiq.checkpoints.domain import Sighting, impossible_travel
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.clearances.reasons import ReasonCode
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.db.migrate import upgrade
from tansiq.demo.service import demo_file, load_demo
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import issue_token
from tansiq.permits.service import ensure_permit_key, publish_trust_list

REFUSAL_SHARE = 0.03  # of all scans
KNOWN_PERMIT_SHARE = 0.06  # scans of permits issued on this hub (the rest: other hubs' refs)
RETRY_ROUNDS = 5  # next syncs for devices whose batch was refused as busy
MIN_GAP = timedelta(minutes=15)  # between two scans of one permit: any road here is shorter
CLONE_GAP = timedelta(minutes=2)
OFFICERS = ("الرقيب نور", "Cpl. Nour", "العريف سامر", "Sgt. Hadi", "الملازم ليلى")
NOTES = {ReasonCode.SECURITY_CONCERN: "Convoy on the bridge", ReasonCode.OTHER: "Seal broken"}


def browser_batch() -> int:
    """The checkpoint app's batch size, read from its own script."""
    script = resources.files("tansiq") / "web" / "assets" / "checkpoint" / "app.js"
    found = re.search(r"^const BATCH = (\d+);", script.read_text(encoding="utf-8"), re.M)
    if found is None:
        raise SystemExit("no `const BATCH = …;` in web/assets/checkpoint/app.js")
    return int(found.group(1))


@dataclass
class Checkpoint:
    code: str
    authority: str
    lon: float
    lat: float
    index: int


@dataclass
class Device:
    checkpoint: Checkpoint
    batch: int
    token: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


@dataclass
class Expected:
    events: int = 0
    contradictions: int = 0
    clones: int = 0


# --- the hub ------------------------------------------------------------------------------


def prepare(url: str, secret: str) -> dict[str, str]:
    """The demo town with signing keys; API tokens for the users the bench acts as."""
    engine = make_engine(url)
    upgrade(engine)
    clock = SystemClock()
    tokens = {}
    with Session(engine) as session:
        load_demo(session, clock)
        session.flush()
        for party in PartyRepository(session).parties("authority"):
            ensure_permit_key(session, party.id, secret, clock)
        publish_trust_list(session, secret, clock)
        for username in ("trader", "west.reviewer", "east.reviewer", "west.admin", "east.admin"):
            user = PartyRepository(session).user_by_username(username)
            assert user is not None  # noqa: S101 - a demo user
            issued = issue_token(session, user, name="bench", clock=clock, ttl=None)
            tokens[username] = issued.secret
        session.commit()
    engine.dispose()
    return tokens


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process and its threads so far (Linux; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def hub(url: str, secret: str, log: Path) -> Iterator[tuple[int, int]]:
    """``tansiq serve`` on 127.0.0.1 with default settings (no job worker: ingest only)."""
    port = free_port()
    env = {**os.environ, "TANSIQ_DATABASE_URL": url, "TANSIQ_SECRET_KEY": secret}
    env.pop("TANSIQ_MAX_BODY_BYTES", None)
    tansiq = Path(sys.executable).with_name("tansiq")
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own CLI
            [str(tansiq), "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, _ = call(port, "GET", "/health", None, {})
                    if status < 500:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the hub did not start; see {log}")
                time.sleep(0.2)
            yield port, process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def call(
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, Any]:
    own = connection is None
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            method, path, body=body, headers={"Content-Type": "application/json", **headers}
        )
        response = conn.getresponse()
        raw = response.read()
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        return response.status, data
    finally:
        if own:
            conn.close()


def api(port: int, method: str, path: str, token: str, payload: Any = None) -> Any:
    body = None if payload is None else json.dumps(payload).encode()
    status, data = call(port, method, path, body, {"Authorization": f"Bearer {token}"})
    if status >= 300:
        raise SystemExit(f"{method} {path}: {status} {data}")
    return data


# --- the world: permits, devices, a week of scans ---------------------------------------------


def application_body(
    reference: str, plate: int, route: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """A trader's application as the benches submit it: one cargo line, a demo road."""
    return {
        "client_reference": reference,
        "vehicle": {"plate": f"{plate} 345 AB", "kind": "truck"},
        "driver": {"name_ar": "سمير الحلبي", "name_latin": "Samir", "id_number": "0123"},
        "cargo": [
            {
                "description": "Wheat flour, 50 kg bags",
                "hs_code": "1101.00",
                "quantity": 400,
                "unit": "bags",
                "gross_mass_kg": 20_400,
            }
        ],
        "origin": "depot",
        "destination": "market",
        "route": route,
        "corridor_m": 200,
        "valid_from": (now + timedelta(hours=1)).isoformat(),
        "valid_until": (now + timedelta(days=3)).isoformat(),
    }


def issue_permits(port: int, tokens: dict[str, str], count: int) -> dict[str, set[str]]:
    """``count`` permits through the API; their refs and the authorities that signed each."""
    roads = {f["properties"]["code"]: f["geometry"] for f in demo_file("roads.geojson")["features"]}
    now = datetime.now(UTC)
    reviewers = {"west-command": "west.reviewer", "east-force": "east.reviewer"}
    signed: dict[str, set[str]] = {}
    for i in range(count):
        road = ("west-road", "east-road", "bridge-road")[i % 3]
        application = api(
            port,
            "POST",
            "/api/v1/applications",
            tokens["trader"],
            application_body(f"BENCH-{i:04d}", 10 + i, roads[road], now),
        )
        for review in application["reviews"]:
            api(
                port,
                "POST",
                f"/api/v1/reviews/{review['id']}/decision",
                tokens[reviewers[review["authority"]]],
                {"expected_version": review["lock_version"], "decision": "approve"},
            )
        done = api(port, "GET", f"/api/v1/applications/{application['id']}", tokens["trader"])
        [permit] = done["permits"]
        signed[f"P-{application['id']:06d}"] = set(permit["authorities"])
    return signed


def checkpoints() -> list[Checkpoint]:
    found: list[Checkpoint] = []
    for feature in demo_file("checkpoints.geojson")["features"]:
        props = feature["properties"]
        if props.get("status", "open") != "open":
            continue
        lon, lat = feature["geometry"]["coordinates"]
        found.append(Checkpoint(props["code"], props["authority"], lon, lat, len(found)))
    return found


def register_devices(
    port: int, tokens: dict[str, str], places: list[Checkpoint], count: int
) -> list[Device]:
    admins = {"west-command": "west.admin", "east-force": "east.admin"}
    batches = (CLI_BATCH, browser_batch())
    devices = []
    for i in range(count):
        place = places[i % len(places)]
        made = api(
            port,
            "POST",
            "/api/v1/devices",
            tokens[admins[place.authority]],
            {"checkpoint": place.code, "name": f"bench {i}"},
        )
        devices.append(Device(place, batches[i % 2], token=made["token"]))
    return devices


def sighting(place: Checkpoint, at: datetime) -> Sighting:
    return Sighting(place.index, at, place.lon, place.lat)


def make_events(
    devices: list[Device], signed: dict[str, set[str]], total: int, rng: random.Random
) -> Expected:
    """A week of scans on the devices' queues; what the hub must then report."""
    now = datetime.now(UTC).replace(microsecond=0)
    start_at = now - timedelta(days=7)
    expected = Expected()
    clones = max(total // 1000, 1) if total >= 100 else 0
    normal = total - clones
    times = sorted(
        start_at + timedelta(seconds=rng.uniform(0, 7 * 86400 - 600)) for _ in range(normal)
    )
    known = sorted(signed)
    last: dict[str, datetime] = {}
    other_refs = [f"P-{1_000_000 + i}" for i in range(max(normal // 5, 1))]
    scans: list[tuple[datetime, str, Device]] = []
    for at in times:
        for _ in range(50):
            pool = known if known and rng.random() < KNOWN_PERMIT_SHARE else other_refs
            ref = rng.choice(pool)
            if ref not in last or at - last[ref] >= MIN_GAP:
                break
        else:
            ref = f"P-{2_000_000 + len(scans)}"  # a permit seen once
        last[ref] = at
        scans.append((at, ref, rng.choice(devices)))
    by_place: dict[str, list[Device]] = {}
    for device in devices:
        by_place.setdefault(device.checkpoint.code, []).append(device)
    # Clones: the same permit at the farthest checkpoint two minutes later.
    for at, ref, device in rng.sample(scans, clones):
        far = max(
            (d for d in devices),
            key=lambda d: (
                abs(d.checkpoint.lon - device.checkpoint.lon)
                + abs(d.checkpoint.lat - device.checkpoint.lat)
            ),
        ).checkpoint
        copy_at = at + CLONE_GAP
        assert impossible_travel(sighting(device.checkpoint, at), sighting(far, copy_at))  # noqa: S101
        add_event(rng.choice(by_place[far.code]), copy_at, ref, rng, refusal=False)
        expected.clones += 1
    for at, ref, device in scans:
        refusal = rng.random() < REFUSAL_SHARE
        add_event(device, at, ref, rng, refusal=refusal)
        if refusal and device.checkpoint.authority in signed.get(ref, set()):
            expected.contradictions += 1
    for device in devices:
        device.events.sort(key=lambda event: event["scanned_at"])
        expected.events += len(device.events)
        device.bodies = [
            json.dumps({"events": device.events[i : i + device.batch]}).encode()
            for i in range(0, len(device.events), device.batch)
        ]
    return expected


def add_event(device: Device, at: datetime, ref: str, rng: random.Random, *, refusal: bool) -> None:
    event: dict[str, Any] = {
        "id": uuid.UUID(int=rng.getrandbits(128), version=4).hex,
        "scanned_at": at.isoformat(),
        "permit": ref,
        "version": 1,
        "verdict": "valid",
        "action": "passage",
        "officer": rng.choice(OFFICERS),
    }
    if refusal:
        reason = rng.choice(list(ReasonCode))
        event.update(action="refusal", reason_code=reason.value, note=NOTES.get(reason, ""))
    device.events.append(event)


# --- the push ---------------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    contradictions: int = 0
    clones: int = 0
    errors: list[str] = field(default_factory=list)
    busy: int = 0  # 503 "the hub is busy; try again in a moment"
    unsent: list[tuple[Device, list[bytes]]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def push(port: int, jobs: list[tuple[Device, list[bytes]]], concurrency: int) -> Tally:
    """Each device sends its batches in order; ``concurrency`` devices at a time. As the CLI
    client does, a device stops at a refused batch and keeps it and the rest for its next sync."""
    tally = Tally()
    work: queue.Queue[tuple[Device, list[bytes]]] = queue.Queue()
    for job in jobs:
        work.put(job)

    def run() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            while True:
                try:
                    device, bodies = work.get_nowait()
                except queue.Empty:
                    return
                headers = {"Authorization": f"Device {device.token}"}
                for position, body in enumerate(bodies):
                    started = time.perf_counter()
                    status, data = call(
                        port, "POST", "/api/v1/sync/events", body, headers, connection
                    )
                    elapsed = time.perf_counter() - started
                    with tally.lock:
                        tally.requests += 1
                        tally.latencies.append(elapsed)
                        if status != 200:
                            if status == 503:
                                tally.busy += 1
                            else:
                                tally.errors.append(f"{status}: {str(data)[:200]}")
                            tally.unsent.append((device, bodies[position:]))
                            break
                        tally.stored += data["stored"]
                        tally.duplicates += data["duplicates"]
                        tally.rejected += len(data["rejected"])
                        tally.contradictions += data["contradictions"]
                        tally.clones += data["clones_suspected"]
                    if status != 200:
                        break
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def count_stored(url: str) -> tuple[int, int, int, int]:
    """(events, distinct (device, id), contradictions, clones) as the database holds them."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            row = session.execute(
                select(
                    func.count(),
                    func.sum(case((ScanEventRecord.contradiction, 1), else_=0)),
                    func.sum(case((ScanEventRecord.clone_suspected, 1), else_=0)),
                )
            ).one()
            distinct = session.execute(
                select(func.count()).select_from(
                    select(ScanEventRecord.device_id, ScanEventRecord.event_uid)
                    .distinct()
                    .subquery()
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(row[0]), int(distinct), int(row[1] or 0), int(row[2] or 0)


def quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples) or [0.0]
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Outcome:
    rate: float
    lost: int
    ok: bool
    busy: int


def run(url: str, args: argparse.Namespace, out: Tee, machine: Machine, label: str) -> Outcome:
    secret = secrets.token_urlsafe(32)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    tokens = prepare(url, secret)
    machine.database = database_version(url)
    out(f"[{label}] {machine.database}")
    with (
        tempfile.TemporaryDirectory() as folder,
        hub(url, secret, Path(folder) / "hub.log") as (port, pid),
    ):
        signed = issue_permits(port, tokens, args.permits)
        places = checkpoints()
        devices = register_devices(port, tokens, places, args.devices)
        expected = make_events(devices, signed, args.events, rng)
        setup = time.perf_counter() - t0
        batches = sum(len(d.bodies) for d in devices)
        sizes = sorted({d.batch for d in devices})
        out(
            f"[{label}] setup {setup:.1f} s: {len(signed)} permits issued through the API, "
            f"{len(devices)} devices at {len(places)} checkpoints of "
            f"{len({p.authority for p in places})} authorities; {expected.events:,} events in "
            f"{batches} batches (sizes {sizes}: CLI {CLI_BATCH}, browser {browser_batch()}), "
            f"{args.concurrency} devices pushing at once"
        )
        jobs = [(d, d.bodies) for d in devices]
        rng.shuffle(jobs)
        cpu_before = cpu_seconds(pid)
        started = time.perf_counter()
        first = push(port, jobs, args.concurrency)
        seconds = time.perf_counter() - started
        cpu_after = cpu_seconds(pid)
        hub_cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        retries: list[tuple[Tally, float]] = []
        unsent = first.unsent
        while unsent and len(retries) < RETRY_ROUNDS:
            time.sleep(1)  # "try again in a moment": the devices' next sync
            retry_started = time.perf_counter()
            retried = push(port, unsent, args.concurrency)
            retries.append((retried, time.perf_counter() - retry_started))
            unsent = retried.unsent
        replay_jobs = [(d, [b for b in d.bodies if rng.random() < args.replay]) for d in devices]
        replay_jobs = [job for job in replay_jobs if job[1]]
        replayed_events = sum(
            len(json.loads(b)["events"]) for _, bodies in replay_jobs for b in bodies
        )
        started = time.perf_counter()
        again = push(port, replay_jobs, args.concurrency)
        replay_seconds = time.perf_counter() - started
    rows, distinct, contradictions, clones = count_stored(url)
    reported_contradictions = first.contradictions + sum(t.contradictions for t, _ in retries)
    reported_clones = first.clones + sum(t.clones for t, _ in retries)
    rate = first.stored / seconds
    lost = expected.events - distinct
    out(
        f"[{label}] {'':<14}{'requests':>9}{'stored':>9}{'dups':>8}{'rejected':>9}"
        f"{'err/503':>10}{'p50 ms':>8}{'p99 ms':>8}{'s':>7}"
    )
    rows_out = [
        ("push", first, seconds),
        *((f"next sync {i + 1}", t, took) for i, (t, took) in enumerate(retries)),
        ("replay", again, replay_seconds),
    ]
    for name, tally, took in rows_out:
        out(
            f"[{label}] {name:<14}{tally.requests:>9}{tally.stored:>9}{tally.duplicates:>8}"
            f"{tally.rejected:>9}{len(tally.errors):>6}/{tally.busy:<3}"
            f"{quantile(tally.latencies, 0.5) * 1000:>8.0f}"
            f"{quantile(tally.latencies, 0.99) * 1000:>8.0f}{took:>7.2f}"
        )
    out(
        f"[{label}] database: {rows:,} rows, {distinct:,} distinct events (expected "
        f"{expected.events:,}); contradictions {contradictions} (expected "
        f"{expected.contradictions}, reported {reported_contradictions}); clones {clones} "
        f"(expected {expected.clones}, reported {reported_clones}); replayed {replayed_events:,} "
        f"events, {again.stored} stored again"
    )
    everything = [first, *(t for t, _ in retries), again]
    for error in [e for t in everything for e in t.errors][:5]:
        out(f"[{label}] error: {error}")
    ok = (
        rows == distinct == expected.events
        and not any(t.errors for t in everything)
        and not again.busy
        and again.stored == 0
        and again.duplicates == replayed_events
        and contradictions == expected.contradictions
        and clones == expected.clones
    )
    busy = sum(t.busy for t in everything)
    if hub_cpu is not None and first.stored:
        out(
            f"[{label}] hub CPU in the first pass: {hub_cpu:.2f} s, "
            f"{hub_cpu / first.stored * 1000 * 1000:.0f} ms per 1,000 events stored "
            f"({first.stored / hub_cpu:,.0f} events per CPU-second)"
        )
    out(
        f"[{label}] {'all checks pass' if ok else 'CHECKS FAILED'}; first pass {rate:,.0f} "
        f"events/s; {busy} batches refused as busy (503) and sent again at the next sync"
    )
    return Outcome(rate, lost, ok, busy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--permits", type=int, default=24)
    parser.add_argument("--concurrency", type=int, default=8, help="devices pushing at once")
    parser.add_argument("--replay", type=float, default=0.1, help="share of batches sent again")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TANSIQ_DATABASE_URL"),
        help="a PostgreSQL server URL (a database is created there and dropped); default SQLite",
    )
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    label = "sqlite" if not args.database_url or args.database_url.startswith("sqlite") else "pg"
    with database(args.database_url, "sync") as url:
        outcome = run(url, args, out, machine, label)
    machine.finish()
    out(f"result: sync_events_per_s = {outcome.rate:.0f}")
    out(f"result: sync_lost_events = {outcome.lost}")
    out(f"result: sync_busy_503 = {outcome.busy}")
    if not args.no_write:
        name = "sync" if label == "sqlite" else "sync-postgresql"
        title = "Sync (SQLite)" if label == "sqlite" else "Sync (PostgreSQL)"
        command = "bench/sync.py" + (
            " --database-url <PostgreSQL server>" if name != "sync" else ""
        )
        write_section(name, title, machine, out.lines, command=command)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
