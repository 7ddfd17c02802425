"""Load: 32 clients at once against a real hub (``tansiq serve``) on 127.0.0.1, mixing what a
working day mixes, for a bounded time.

The town is the demo one, prepared as ``bench/sync.py`` prepares it (signing keys, API tokens,
200 registered devices with a week of queued scans each, pushed at the clients' own batch
sizes: the CLI's ``BATCH`` and the browser app's). Then, for ``--seconds``, each client repeats
one kind of request (the share of each kind is ``MIX``):

* page: ``GET /home`` with a signed-in session cookie (trader and reviewers);
* api-read: ``GET /api/v1/me`` and ``GET /api/v1/applications``;
* route: ``POST /api/v1/routes/resolve`` (a demo road, and the same road densified to
  ``--route-points`` points);
* decision: a trader's application (``POST /api/v1/applications``), then every review of it
  approved by its authority's reviewer;
* sync: a device pushes its queue, batch after batch, as the clients do; a batch refused stays
  on the device for its next sync; when the queues are empty, devices pull instead;
* pull: ``GET /api/v1/sync/pull`` by a device;
* scan: an online checkpoint sends each scan as its officer records it (``POST
  /api/v1/sync/events`` with one event).

Errors are answers of 500 or more and requests that got no answer; any other unexpected answer
is counted apart. After the run the database is counted: every event the hub acknowledged as
stored must be there once.

    .venv/bin/python bench/load.py [--seconds S] [--clients N] [--events N]
        [--database-url URL] [--processes N] [--no-write]

Without ``--database-url`` the hub is one process on a fresh SQLite file (the default
deployment). A PostgreSQL URL names a server: the bench creates its own database there, starts
``--processes`` hubs (default 4) and spreads the clients over them.

Prints ``result: errors`` (bar 0), ``result: scan_rps`` (scan submissions answered per second;
bar >= 1,000 on 2 cores), ``result: scan_p99_ms`` (bar <= 100), ``result: sync_events_per_s``
(events stored per second by the syncing devices while they had events to push; bar >= 10,000)
and ``result: lost_events`` (bar 0).
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
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
    last_sync_ack: float = 0.0
    scan_device: int = 0
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
                self.shared.last_sync_ack = time.monotonic()

    def do_pull(self) -> None:
        device = self.rng.choice(self.shared.devices)
        self.request(
            "GET", "/api/v1/sync/pull", headers={"Authorization": f"Device {device.token}"}
        )

    def do_scan(self) -> None:
        device = self.shared.devices[self.rng.randrange(len(self.shared.devices))]
        event = {
            "id": uuid.UUID(int=self.rng.getrandbits(128), version=4).hex,
            "scanned_at": datetime.now(UTC).isoformat(),
            "permit": f"P-{3_000_000 + self.rng.randrange(1_000_000)}",
            "version": 1,
            "verdict": "valid",
            "action": "passage",
            "officer": "Cpl. Nour",
        }
        status, data = self.request(
            "POST",
            "/api/v1/sync/events",
            json.dumps({"events": [event]}).encode(),
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


def run(url: str, args: argparse.Namespace, out: Tee, machine: Machine, label: str) -> Outcome:
    secret = secrets.token_urlsafe(32)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    tokens = sync.prepare(url, secret)
    machine.database = database_version(url)
    out(f"[{label}] {machine.database}, {args.processes} hub process(es)")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as hubs:
        ports = [
            hubs.enter_context(sync.hub(url, secret, Path(folder) / f"hub{i}.log"))
            for i in range(args.processes)
        ]
        signed = sync.issue_permits(ports[0], tokens, args.permits)
        places = sync.checkpoints()
        devices = sync.register_devices(ports[0], tokens, places, args.devices)
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
        jobs = [(d, d.bodies) for d in devices]
        rng.shuffle(jobs)
        for job in jobs:
            shared.queues.put(job)
        out(
            f"[{label}] setup {time.perf_counter() - t0:.1f} s: {len(signed)} permits, "
            f"{len(devices)} devices with {args.events:,} queued events (batches "
            f"{sorted({d.batch for d in devices})}), {len(kinds)} clients: "
            + ", ".join(f"{k} {kinds.count(k)}" for k in MIX)
            + f"; {args.seconds:.0f} s"
        )
        threads = [
            threading.Thread(target=Client(shared, kind, i).run) for i, kind in enumerate(kinds)
        ]
        started = time.monotonic()
        shared.deadline = started + args.seconds
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - started
    rows, distinct = count_events(url)
    # Every thread has ended, so a batch still queued was never acknowledged: the devices
    # pushed for the whole run, or until their last batch was stored.
    emptied = shared.queues.empty()
    sync_seconds = (shared.last_sync_ack if emptied else shared.deadline) - started
    scan = shared.kinds["scan"]
    scan_rps = scan.ok / took
    sync_rate = shared.sync_stored / sync_seconds if sync_seconds > 0 else 0.0
    lost = max(0, shared.acknowledged - distinct)
    errors = sum(kind.errors for kind in shared.kinds.values())
    out(
        f"[{label}] {'kind':<10}{'clients':>8}{'requests':>9}{'ok':>8}{'5xx/none':>9}"
        f"{'other':>7}{'rps':>8}{'p50 ms':>8}{'p99 ms':>8}"
    )
    for name, kind in shared.kinds.items():
        out(
            f"[{label}] {name:<10}{kinds.count(name):>8}{kind.requests:>9}{kind.ok:>8}"
            f"{kind.errors:>9}{kind.unexpected:>7}{kind.ok / took:>8.1f}"
            f"{quantile_ms(kind.latencies, 0.5):>8.0f}{quantile_ms(kind.latencies, 0.99):>8.0f}"
        )
    out(
        f"[{label}] {took:.1f} s; syncing devices stored {shared.sync_stored:,} events in "
        f"{sync_seconds:.1f} s ({len(jobs) - shared.queues.qsize()} of {len(jobs)} queues "
        f"emptied); the hub acknowledged {shared.acknowledged:,} events as stored; the database "
        f"holds {rows:,} rows, {distinct:,} distinct"
    )
    for name, kind in shared.kinds.items():
        for sample in kind.samples:
            out(f"[{label}] {name} answer: {sample}")
    ok = errors == 0 and lost == 0 and rows == distinct
    return Outcome(errors, scan_rps, quantile_ms(scan.latencies, 0.99), sync_rate, lost, ok)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--events", type=int, default=100_000, help="queued on the devices")
    parser.add_argument("--devices", type=int, default=200)
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
        title = "Load, 32 clients (PostgreSQL)" if postgres else "Load, 32 clients (SQLite)"
        command = "bench/load.py" + (
            f" --database-url <PostgreSQL server> --processes {args.processes}" if postgres else ""
        )
        write_section(name, title, machine, out.lines, command=command)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
