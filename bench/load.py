"""Load: the hub (``tansiq serve``) on 127.0.0.1 against many clients at once, in three phases of
one run, each answering one bar of DESIGN §5.

The town is the demo one, prepared as ``bench/sync.py`` prepares it (signing keys, API tokens,
200 registered devices at the demo's checkpoints, permits issued through the API). Each device
holds two queues of a week's scans, pushed at the clients' own batch sizes (the CLI's ``BATCH``
and the browser app's): a small one for the mixed phase, and the ``--events`` (100,000) for the
sync phase. The phases run one after the other against the same hub processes:

1. **mixed** (bar: zero 5xx with 32 concurrent clients): for ``--seconds``, ``--clients`` (32)
   clients each repeat one kind of request, the share of each kind being ``MIX``:

   * page: ``GET /home`` with a signed-in session cookie (trader and reviewers);
   * api-read: ``GET /api/v1/me`` and ``GET /api/v1/applications``;
   * route: ``POST /api/v1/routes/resolve`` (a demo road, and the same road densified to
     ``--route-points`` points);
   * decision: a trader's application (``POST /api/v1/applications``), then every review of
     it approved by its authority's reviewer;
   * sync: a device pushes its (mixed-phase) queue, batch after batch, as the clients do; a
     batch refused stays on the device for its next sync; when the queues are empty, devices
     pull instead;
   * pull: ``GET /api/v1/sync/pull`` by a device;
   * scan: an online checkpoint sends each scan as its officer records it (``POST
     /api/v1/sync/events`` with one event).

2. **scan** (bar: >= 1,000 req/s, p99 <= 100 ms, no errors, 64 clients on 2 cores): for
   ``--seconds``, ``--scan-clients`` (64) online checkpoints, each a registered device with its
   own keep-alive connection, send one scan per request and wait for the answer before the next
   (``bench/load_phases.py``).

3. **sync** (bar: 100,000 queued events from 200 devices at the clients' batch sizes ingested
   at >= 10,000 events/s, replay-safe): every device (``--sync-clients``, default all 200, at
   once, as after a network outage) pushes its queue batch after batch until every queue is
   empty (at most ``--sync-limit`` seconds); a refused batch stays on its device for its next
   sync a second later. Then ``--replay`` of the batches are sent again: nothing may be stored
   twice.

Errors are answers of 500 or more and requests that got no answer, in any phase; any other
unexpected answer is counted apart. After the run the database is counted: every event the hub
acknowledged as stored, in any phase, must be there exactly once.

    .venv/bin/python bench/load.py [--seconds S] [--clients N] [--scan-clients N]
        [--events N] [--sync-clients N] [--database-url URL] [--processes N] [--no-write]

Without ``--database-url`` the hub is one process on a fresh SQLite file (the default
deployment). A PostgreSQL URL names a server: the bench creates its own database there, starts
``--processes`` hubs (default 4) and spreads the clients of every phase over them.

Prints ``result: errors`` (5xx or no answer, all phases; bar 0), ``result: scan_rps`` (scan
phase: submissions answered 200 per second; bar >= 1,000 on 2 cores), ``result: scan_p99_ms``
(scan phase; bar <= 100), ``result: sync_events_per_s`` (sync phase: events stored / time to
the last batch stored; bar >= 10,000) and ``result: lost_events`` (acknowledged but not in the
database, plus replayed events stored again; bar 0).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import load_phases
import sync
from report import Machine, Tee, database, database_version, start, write_section
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.db.engine import make_engine
from tansiq.demo.service import demo_file
from tansiq.web.session import SESSION_COOKIE, PageSession, SessionSigner

# Client kinds and their weights among the clients (32 clients: 4 page, 6 api-read, 2 route,
# 4 decision, 8 sync, 2 pull, 6 scan).
MIX = {"page": 4, "api-read": 6, "route": 2, "decision": 4, "sync": 8, "pull": 2, "scan": 6}
REVIEWERS = {"west-command": "west.reviewer", "east-force": "east.reviewer"}
TIMEOUT_S = 120


@dataclass
class Kind:
    """What the clients of one kind saw."""

    requests: int = 0
    ok: int = 0
    errors: int = 0  # 5xx, or no answer
    unexpected: int = 0  # another status than the one expected
    latencies: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)


@dataclass
class Shared:
    ports: list[int]
    tokens: dict[str, str]
    cookies: dict[str, str]
    devices: list[sync.Device]
    deadline: float
    rng_seed: int
    route_bodies: list[bytes]
    kinds: dict[str, Kind] = field(default_factory=lambda: {name: Kind() for name in MIX})
    lock: threading.Lock = field(default_factory=threading.Lock)
    queues: queue.Queue[tuple[sync.Device, list[bytes]]] = field(default_factory=queue.Queue)
    acknowledged: int = 0  # events the hub answered "stored"
    sync_stored: int = 0
    application: int = 0


class Client:
    """One client: its own keep-alive connection to one hub process."""

    def __init__(self, shared: Shared, kind: str, index: int) -> None:
        self.shared = shared
        self.kind = kind
        self.port = shared.ports[index % len(shared.ports)]
        self.rng = random.Random(shared.rng_seed * 1000 + index)
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        expect: int = 200,
    ) -> tuple[int, Any]:
        """One request, timed and tallied under this client's kind; (status, decoded body)."""
        tally = self.shared.kinds[self.kind]
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, TIMEOUT_S)
            self.connection.request(
                method,
                path,
                body=body,
                headers={"Content-Type": "application/json", **(headers or {})},
            )
            response = self.connection.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            if self.connection is not None:
                self.connection.close()
            self.connection = None
            status, raw = 0, repr(error).encode()
        elapsed = time.perf_counter() - started
        try:
            data: Any = json.loads(raw) if raw[:1] in (b"{", b"[") else raw[:200].decode()
        except ValueError:
            data = raw[:200].decode("utf-8", "replace")
        with self.shared.lock:
            tally.requests += 1
            tally.latencies.append(elapsed)
            if status == expect:
                tally.ok += 1
            else:
                if status >= 500 or status == 0:
                    tally.errors += 1
                else:
                    tally.unexpected += 1
                if len(tally.samples) < 3:
                    tally.samples.append(f"{method} {path.split('?')[0]}: {status} {data!s:.160}")
        return status, data

    def bearer(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.shared.tokens[username]}"}

    def run(self) -> None:
        step: Callable[[], None] = getattr(self, "do_" + self.kind.replace("-", "_"))
        try:
            while time.monotonic() < self.shared.deadline:
                step()
        finally:
            if self.connection is not None:
                self.connection.close()

    # --- the kinds of client ---------------------------------------------------------------

    def do_page(self) -> None:
        user = self.rng.choice(("trader", "west.reviewer", "east.reviewer"))
        self.request("GET", "/home", headers={"Cookie": self.shared.cookies[user]})

    def do_api_read(self) -> None:
        user = self.rng.choice(("trader", "west.reviewer", "east.reviewer", "west.admin"))
        if self.rng.random() < 0.5:
            self.request("GET", "/api/v1/me", headers=self.bearer(user))
        else:
            self.request("GET", "/api/v1/applications?limit=20", headers=self.bearer(user))

    def do_route(self) -> None:
        body = self.rng.choice(self.shared.route_bodies)
        self.request("POST", "/api/v1/routes/resolve", body, self.bearer("trader"))

    def do_decision(self) -> None:
        with self.shared.lock:
            self.shared.application += 1
            number = self.shared.application
        payload = application(number, self.rng)
        status, made = self.request(
            "POST", "/api/v1/applications", json.dumps(payload).encode(), self.bearer("trader"), 201
        )
        if status != 201:
            return
        for review in made["reviews"]:
            decision = {"expected_version": review["lock_version"], "decision": "approve"}
            self.request(
                "POST",
                f"/api/v1/reviews/{review['id']}/decision",
                json.dumps(decision).encode(),
                self.bearer(REVIEWERS[review["authority"]]),
            )

    def do_sync(self) -> None:
        try:
            device, bodies = self.shared.queues.get_nowait()
        except queue.Empty:
            self.do_pull()
            return
        headers = {"Authorization": f"Device {device.token}"}
        for position, body in enumerate(bodies):
            if time.monotonic() >= self.shared.deadline:
                self.shared.queues.put((device, bodies[position:]))
                return
            status, data = self.request("POST", "/api/v1/sync/events", body, headers)
            if status != 200:
                # Kept on the device for its next sync, as the clients keep it.
                self.shared.queues.put((device, bodies[position:]))
                return
            with self.shared.lock:
                self.shared.acknowledged += data["stored"]
                self.shared.sync_stored += data["stored"]

    def do_pull(self) -> None:
        device = self.rng.choice(self.shared.devices)
        self.request(
            "GET", "/api/v1/sync/pull", headers={"Authorization": f"Device {device.token}"}
        )

    def do_scan(self) -> None:
        device = self.shared.devices[self.rng.randrange(len(self.shared.devices))]
        status, data = self.request(
            "POST",
            "/api/v1/sync/events",
            load_phases.scan_body(self.rng),
            {"Authorization": f"Device {device.token}"},
        )
        if status == 200:
            with self.shared.lock:
                self.shared.acknowledged += data["stored"]


def application(number: int, rng: random.Random) -> dict[str, Any]:
    roads = [f["geometry"] for f in demo_file("roads.geojson")["features"]]
    reference = f"LOAD-{number:06d}-{secrets.token_hex(3)}"
    return sync.application_body(reference, 10 + number % 80, rng.choice(roads), datetime.now(UTC))


def route_bodies(points: int) -> list[bytes]:
    """Each demo road as it is, and the longest densified to about ``points`` points."""
    roads = [f["geometry"] for f in demo_file("roads.geojson")["features"]]
    bodies = [json.dumps({"route": road}).encode() for road in roads]
    longest = max(roads, key=lambda road: shapely.geometry.shape(road).length)
    line = shapely.geometry.shape(longest)
    dense = [
        list(line.interpolate(i / (points - 1), normalized=True).coords[0]) for i in range(points)
    ]
    bodies.append(json.dumps({"route": {"type": "LineString", "coordinates": dense}}).encode())
    return bodies


def session_cookies(secret: str, tokens: dict[str, str]) -> dict[str, str]:
    """A signed-in browser's cookie for each user, as the login page would set it."""
    signer = SessionSigner(secret)
    return {
        user: f"{SESSION_COOKIE}={signer.dump(PageSession(token=token, changed=False))}"
        for user, token in tokens.items()
    }


def count_events(url: str) -> tuple[int, int]:
    """(rows, distinct (device, id)) in the database."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(select(func.count()).select_from(ScanEventRecord)).scalar_one()
            distinct = session.execute(
                select(func.count()).select_from(
                    select(ScanEventRecord.device_id, ScanEventRecord.event_uid)
                    .distinct()
                    .subquery()
                )
            ).scalar_one()
    finally:
        engine.dispose()
    return int(rows), int(distinct)


def quantile_ms(samples: list[float], q: float) -> float:
    return sync.quantile(samples, q) * 1000


def clients_of(total: int) -> list[str]:
    """``total`` client kinds in MIX's proportions (at least one of each)."""
    weight = sum(MIX.values())
    counts = {kind: max(1, round(total * share / weight)) for kind, share in MIX.items()}
    while sum(counts.values()) > total and max(counts.values()) > 1:
        counts[max(counts, key=lambda k: counts[k])] -= 1
    while sum(counts.values()) < total:
        counts["api-read"] += 1
    return [kind for kind, count in counts.items() for _ in range(count)]


@dataclass
class Outcome:
    errors: int
    scan_rps: float
    scan_p99_ms: float
    sync_rate: float
    lost: int
    ok: bool


def mixed_phase(shared: Shared, kinds: list[str], seconds: float) -> float:
    """Phase 1: the clients of ``kinds`` for ``seconds``; returns the seconds taken."""
    threads = [threading.Thread(target=Client(shared, kind, i).run) for i, kind in enumerate(kinds)]
    started = time.monotonic()
    shared.deadline = started + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def report_mixed(out: Tee, label: str, shared: Shared, kinds: list[str], took: float) -> None:
    out(
        f"[{label}] mixed: {'kind':<10}{'clients':>8}{'requests':>9}{'ok':>8}{'5xx/none':>9}"
        f"{'other':>7}{'rps':>8}{'p50 ms':>8}{'p99 ms':>8}"
    )
    for name, kind in shared.kinds.items():
        out(
            f"[{label}] mixed: {name:<10}{kinds.count(name):>8}{kind.requests:>9}{kind.ok:>8}"
            f"{kind.errors:>9}{kind.unexpected:>7}{kind.ok / took:>8.1f}"
            f"{quantile_ms(kind.latencies, 0.5):>8.0f}{quantile_ms(kind.latencies, 0.99):>8.0f}"
        )
    total = sum(kind.ok for kind in shared.kinds.values())
    out(
        f"[{label}] mixed: {took:.1f} s, {total / took:.0f} answered req/s in all; syncing "
        f"devices stored {shared.sync_stored:,} events"
    )
    for name, kind in shared.kinds.items():
        for sample in kind.samples:
            out(f"[{label}] mixed: {name} answer: {sample}")


def report_phase(out: Tee, label: str, name: str, tally: load_phases.PhaseTally) -> None:
    seconds = max(tally.seconds, 1e-9)
    out(
        f"[{label}] {name}: {tally.requests:,} requests, {tally.ok:,} ok ({tally.ok / seconds:,.0f}"
        f"/s), {tally.errors} 5xx/none, {tally.unexpected} other; {tally.stored:,} events stored "
        f"({tally.stored / seconds:,.0f}/s), {tally.duplicates:,} duplicates; latency p50 "
        f"{quantile_ms(tally.latencies, 0.5):.0f} ms, p99 {quantile_ms(tally.latencies, 0.99):.0f}"
        f" ms, max {quantile_ms(tally.latencies, 1.0):.0f} ms; {tally.seconds:.1f} s"
    )
    for sample in tally.samples:
        out(f"[{label}] {name} answer: {sample}")


def run(url: str, args: argparse.Namespace, out: Tee, machine: Machine, label: str) -> Outcome:
    secret = secrets.token_urlsafe(32)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    tokens = sync.prepare(url, secret)
    machine.database = database_version(url)
    out(f"[{label}] {machine.database}, {args.processes} hub process(es)")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as hubs:
        ports = [
            hubs.enter_context(sync.hub(url, secret, Path(folder) / f"hub{i}.log"))[0]
            for i in range(args.processes)
        ]
        signed = sync.issue_permits(ports[0], tokens, args.permits)
        places = sync.checkpoints()
        devices = sync.register_devices(ports[0], tokens, places, args.devices)
        # The same devices, with a second, smaller queue for the mixed phase's syncs.
        mixed = [sync.Device(d.checkpoint, d.batch, token=d.token) for d in devices]
        sync.make_events(mixed, signed, args.mixed_events, rng)
        sync.make_events(devices, signed, args.events, rng)
        kinds = clients_of(args.clients)
        shared = Shared(
            ports=ports,
            tokens=tokens,
            cookies=session_cookies(secret, tokens),
            devices=devices,
            deadline=0.0,
            rng_seed=args.seed,
            route_bodies=route_bodies(args.route_points),
        )
        mixed_jobs = [(d, d.bodies) for d in mixed]
        rng.shuffle(mixed_jobs)
        for job in mixed_jobs:
            shared.queues.put(job)
        jobs = [(d, d.bodies) for d in devices]
        rng.shuffle(jobs)
        out(
            f"[{label}] setup {time.perf_counter() - t0:.1f} s: {len(signed)} permits, "
            f"{len(devices)} devices (batches {sorted({d.batch for d in devices})}) with "
            f"{args.mixed_events:,} queued events for the mixed phase and {args.events:,} "
            f"({sum(len(d.bodies) for d in devices):,} batches) for the sync phase"
        )
        out(
            f"[{label}] phase 1, mixed: {len(kinds)} clients ("
            + ", ".join(f"{k} {kinds.count(k)}" for k in MIX)
            + f") for {args.seconds:.0f} s"
        )
        took = mixed_phase(shared, kinds, args.seconds)
        report_mixed(out, label, shared, kinds, took)
        out(
            f"[{label}] phase 2, scan: {args.scan_clients} online checkpoints, one event per "
            f"request, for {args.seconds:.0f} s"
        )
        scans = load_phases.scan_phase(ports, devices, args.scan_clients, args.seconds, args.seed)
        report_phase(out, label, "scan", scans)
        concurrency = min(args.sync_clients, len(jobs))
        out(
            f"[{label}] phase 3, sync: {len(jobs)} devices push {args.events:,} events, "
            f"{concurrency} at once, until every queue is empty (at most {args.sync_limit:.0f} s)"
        )
        pushed, unsent = load_phases.sync_phase(ports, jobs, concurrency, args.sync_limit)
        report_phase(out, label, "sync", pushed)
        replayed, again = load_phases.replay(ports, pushed.delivered, args.replay, args.seed)
        report_phase(out, label, "replay", again)
    rows, distinct = count_events(url)
    acknowledged = shared.acknowledged + scans.stored + pushed.stored
    lost = max(0, acknowledged - distinct) + again.stored
    errors = sum(k.errors for k in shared.kinds.values()) + scans.errors + pushed.errors
    errors += again.errors
    sync_rate = pushed.stored / pushed.seconds if pushed.seconds > 0 else 0.0
    out(
        f"[{label}] the hub acknowledged {acknowledged:,} events as stored; {unsent:,} queued "
        f"events left unsent; replayed {replayed:,} events, {again.stored} stored again; the "
        f"database holds {rows:,} rows, {distinct:,} distinct"
    )
    ok = errors == 0 and lost == 0 and rows == distinct and unsent == 0
    ok = ok and again.duplicates == replayed
    return Outcome(
        errors, scans.ok / scans.seconds, quantile_ms(scans.latencies, 0.99), sync_rate, lost, ok
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="mixed and scan phases")
    parser.add_argument("--clients", type=int, default=32, help="mixed phase")
    parser.add_argument("--scan-clients", type=int, default=64)
    parser.add_argument("--events", type=int, default=100_000, help="queued for the sync phase")
    parser.add_argument("--mixed-events", type=int, default=20_000, help="queued for the mix")
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--sync-clients", type=int, default=200, help="devices pushing at once")
    parser.add_argument("--sync-limit", type=float, default=300.0, help="sync phase, at most")
    parser.add_argument("--replay", type=float, default=0.05, help="share of batches sent again")
    parser.add_argument("--permits", type=int, default=6)
    parser.add_argument("--route-points", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TANSIQ_DATABASE_URL"),
        help="a PostgreSQL server URL (a database is created there and dropped); default SQLite",
    )
    parser.add_argument(
        "--processes", type=int, default=None, help="hub processes (SQLite 1, PostgreSQL 4)"
    )
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    postgres = bool(args.database_url) and not args.database_url.startswith("sqlite")
    if args.processes is None:
        args.processes = 4 if postgres else 1
    machine = start()
    out = Tee()
    label = "pg" if postgres else "sqlite"
    with database(args.database_url if postgres else None, "load") as url:
        outcome = run(url, args, out, machine, label)
    machine.finish()
    out(f"result: errors = {outcome.errors}")
    out(f"result: scan_rps = {outcome.scan_rps:.0f}")
    out(f"result: scan_p99_ms = {outcome.scan_p99_ms:.0f}")
    out(f"result: sync_events_per_s = {outcome.sync_rate:.0f}")
    out(f"result: lost_events = {outcome.lost}")
    if not args.no_write:
        name = "load-postgresql" if postgres else "load"
        title = "Load, three phases (PostgreSQL)" if postgres else "Load, three phases (SQLite)"
        command = "bench/load.py" + (
            f" --database-url <PostgreSQL server> --processes {args.processes}" if postgres else ""
        )
        if args.seconds != 30:
            command += f" --seconds {args.seconds:g}"
        write_section(name, title, machine, out.lines, command=command)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
