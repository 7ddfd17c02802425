"""Conflict check of one new movement against movements stored in the hub's database: the
path a preview and filing take (``deconfliction.stored``: the active movements that meet the
new windows stretched by the 48-hour shift horizon, the exact test on all of them at once, and
the shift), on SQLite and, with ``--pg URL``, on PostgreSQL, both ways the movements are asked
for:

* ``held``: as a serving hub does, of the movements it holds in memory (the corridor cache
  that impact keeps, ``incidents.corridor_cache.HeldMovements``), loaded once before the
  checks (the load's time and the memory it took are printed); each check still reads the
  cache's revision and the sites from the database, in a new transaction. The results.
* ``db``: as a one-shot command (or a hub's first check) does, of the occurrence index in the
  database (an R*Tree on SQLite, a GiST cube on PostgreSQL), the candidates' shapes as filing
  stored them in metres. Printed for reference.

Two measures of each check:

* ``check`` (``stored.stored_clashes``): who the new movement conflicts with, when, and the
  earliest shift that clears them: all a preview answers (the notify form asks for one on
  every "check"), and the first step of filing. The results;
* ``+places`` (``stored.stored_conflicts``): the same with where each conflict is (the two
  corridors' intersection as GeoJSON, worked out together) and the notifiers: what filing
  stores and alerts with. Printed beside it, held path only.

The data is bench/conflicts_index.py's, at a deployment's density (see its docstring): up to
100,000 active movements in a 1.5-degree square (about 23,000 km²) over 30 days, and
1,000,000 in a square ten times the area (4.74 degrees, about 230,000 km², a country), so
that both have the same movements per km² per day (about 3,300 a day in the smaller one).
``--area-deg`` sets the smaller square (0.5 is the earlier, town-sized stress case). Stored
through the models' tables in bulk (COPY on PostgreSQL), as filing stores them: each version's
shape in longitude/latitude and in metres, its occurrences and their index entries.

The databases are kept between runs (SQLite files in /tmp, PostgreSQL databases named
``tq_conflicts_<data version>_<size>``), keyed by a data version, the size, the square and
the seed: ``--fresh`` makes them again, ``--drop`` drops the PostgreSQL ones at the end.

    .venv/bin/python bench/conflicts.py [--sizes 1000,10000,100000] [--checks N]
        [--pg URL] [--pg-sizes 1000,100000,1000000] [--area-deg 1.5]

It prints ``result: conflict_filing_p99_ms`` and ``conflict_filing_p99_ms_pg_1m`` (the held
check with the places) and ends with ``result: conflict_p99_ms`` (SQLite, 100,000, bar <= 20
ms) and ``result: conflict_p99_ms_pg_1m`` (PostgreSQL, 1,000,000, bar <= 50 ms), the held
path's check. PostgreSQL is measured with ``--pg`` only (a server URL, e.g. the test server's
``postgresql://postgres@127.0.0.1:5432/test``): storing 1,000,000 movements takes some ten
minutes the first time, and holding them 14 GB.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import math
import random
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from conflicts_index import (
    AREA_DEG,
    CENTRE,
    EPSG,
    NOW,
    ORIGIN,
    SIDE_DEG,
    Item,
    area_km2,
    route,
    schedule,
)
from report import Tee, start, write_section
from route import percentile
from tansiq.cli.serve import tune_garbage_collector
from tansiq.core.clock import FixedClock, micros
from tansiq.core.projection import project_many
from tansiq.db.engine import make_engine, normalise_url
from tansiq.db.migrate import upgrade
from tansiq.deconfliction.conflicts import movement_footprint
from tansiq.deconfliction.domain import NotificationKind, NotificationStatus
from tansiq.deconfliction.models import (
    NotificationRecord,
    NotificationVersionRecord,
    OccurrenceRecord,
)
from tansiq.deconfliction.planning import Policy
from tansiq.deconfliction.schedule import Window, span
from tansiq.deconfliction.stored import grown_box, stored_clashes, stored_conflicts
from tansiq.demo.service import load_demo
from tansiq.incidents.corridor_cache import CorridorCache, HeldMovements
from tansiq.parties.repository import PartyRepository

DATA_VERSION = 2  # raise when the data or the schema it is stored in changes
CACHE = Path("/tmp/tansiq-bench-conflicts")  # noqa: S108 - a bench cache, nothing secret
INDEX = "ix_deconfliction_occurrence_boxes_extent"
BIG = 1_000_000  # from this size on, the square is ten times the area (same density)
POLICY = Policy(
    default_corridor_m=200,
    max_corridor_m=20_000,
    emergency_after=timedelta(minutes=30),
    routine_after=timedelta(hours=2),
    site_margin_m=100,
    shift_horizon=timedelta(hours=48),
    area=None,
    area_margin_m=5000,
    place_tolerance_m=1000,
    zone=ZoneInfo("Asia/Damascus"),
)
HOUR = timedelta(hours=1)
OLD_CENTRE = (ORIGIN[0] + SIDE_DEG / 2, ORIGIN[1] + SIDE_DEG / 2)  # bench/impact.py's square

Row = tuple[int, shapely.LineString, int, tuple[Window, ...]]


def side_for(size: int, area_deg: float) -> float:
    """The square's side for ``size`` active movements: ten times the area from 1,000,000."""
    return area_deg * math.sqrt(10) if size >= BIG else area_deg


def generated(
    size: int, rng: random.Random, side: float, centre: tuple[float, float], batch: int
) -> Iterator[list[Row]]:
    for first in range(0, size, batch):
        yield [
            (i + 1, route(rng, side, centre), rng.randrange(50, 501, 10), schedule(rng))
            for i in range(first, min(size, first + batch))
        ]


def fill(
    url: str,
    size: int,
    rng: random.Random,
    side: float = SIDE_DEG,
    centre: tuple[float, float] = OLD_CENTRE,
) -> None:
    """A fresh database with ``size`` active movements of one notifier in the square of
    ``side`` degrees around ``centre`` (by default bench/impact.py's town-sized square)."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FixedClock(NOW))
        session.commit()
        user = PartyRepository(session).user_by_username("relief")
        if user is None:
            raise SystemExit("the demo has no user relief")
        party, by = user.party_id, user.id
        postgres = session.get_bind().dialect.name == "postgresql"
        batch = 20_000 if postgres else 5_000
        next_id = 1
        if postgres:
            # Built once at the end rather than grown a row at a time (the same definition).
            index = session.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": INDEX},
            ).scalar_one()
            session.execute(text(f"DROP INDEX {INDEX}"))
        for rows in generated(size, rng, side, centre, batch):
            metric = project_many(np.array([line for _, line, _, _ in rows], dtype=object), EPSG)
            if postgres:
                next_id = _copy_batch(session, rows, metric, party, by, next_id)
            else:
                next_id = _insert_batch(session, rows, metric, party, by, next_id)
            session.commit()
        if postgres:
            session.execute(text(index))
            session.commit()
    engine.dispose()
    if postgres:
        # As autovacuum would soon: statistics, and the visibility map index-only scans need.
        with _admin(url).connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))


def _insert_batch(
    session: Session,
    rows: list[Row],
    metric: np.ndarray,
    party: int,
    by: int,
    next_id: int,
) -> int:
    session.execute(
        insert(NotificationRecord),
        [
            {
                "id": n, "notifier_party_id": party, "created_by": by,
                "kind": NotificationKind.MOVEMENT, "status": NotificationStatus.ACTIVE,
                "current_version": 1, "emergency": False, "active_from": span(w).start,
                "active_until": span(w).end, "created_at": NOW, "updated_at": NOW,
                "end_note": "",
            }
            for n, _, _, w in rows
        ],
    )  # fmt: skip
    session.execute(
        insert(NotificationVersionRecord),
        [
            {
                "id": n, "notification_id": n, "number": 1,
                "geometry": shapely.geometry.mapping(line),
                "shape_wkb": shapely.to_wkb(line),
                "shape_m_wkb": shapely.to_wkb(shape), "shape_epsg": EPSG,
                **box_of(line, width / 2),
                "width_m": float(width), "window_start": w[0].start,
                "window_end": w[0].end, "content": {}, "shift_exists": False,
                "created_at": NOW, "created_by": by,
            }
            for (n, line, width, w), shape in zip(rows, metric, strict=True)
        ],
    )  # fmt: skip
    occurrences = [(n, line, width, o) for n, line, width, w in rows for o in w]
    session.execute(
        insert(OccurrenceRecord),
        [
            {
                "id": next_id + k, "notification_id": n, "version_id": n,
                "starts_at": o.start, "ends_at": o.end,
            }
            for k, (n, _, _, o) in enumerate(occurrences)
        ],
    )  # fmt: skip
    # As filing does (DeconflictionRepository.index_occurrences), in bulk.
    session.execute(
        text(
            "INSERT INTO deconfliction_occurrence_boxes (id, min_lon, max_lon, min_lat, "
            "max_lat, min_t, max_t, version_id, starts_us, ends_us) "
            "VALUES (:id, :min_lon, :max_lon, :min_lat, :max_lat, :s0, :s1, :v, :t0, :t1)"
        ),
        [
            {
                "id": next_id + k, **box_of(line, width / 2), "v": n,
                "t0": micros(o.start), "t1": micros(o.end),
                "s0": micros(o.start) / 1e6, "s1": micros(o.end) / 1e6,
            }
            for k, (n, line, width, o) in enumerate(occurrences)
        ],
    )  # fmt: skip
    return next_id + len(occurrences)


def _copy_batch(
    session: Session,
    rows: list[Row],
    metric: np.ndarray,
    party: int,
    by: int,
    next_id: int,
) -> int:
    """The same rows as :func:`_insert_batch`, through COPY (text format)."""
    cursor = session.connection().connection.cursor()
    now = NOW.isoformat()

    def copy(table: str, columns: str, lines: Iterator[str]) -> None:
        buffer = io.StringIO()
        buffer.writelines(lines)
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as target:
            target.write(buffer.getvalue())

    copy(
        "deconfliction_notifications",
        "id, notifier_party_id, created_by, kind, status, current_version, emergency, "
        "active_from, active_until, created_at, updated_at, end_note",
        (
            f"{n}\t{party}\t{by}\tmovement\tactive\t1\tf\t{span(w).start.isoformat()}\t"
            f"{span(w).end.isoformat()}\t{now}\t{now}\t\n"
            for n, _, _, w in rows
        ),
    )
    copy(
        "deconfliction_versions",
        "id, notification_id, number, geometry, shape_wkb, shape_m_wkb, shape_epsg, "
        "min_lon, min_lat, max_lon, max_lat, width_m, window_start, window_end, content, "
        "shift_exists, created_at, created_by",
        (
            f"{n}\t{n}\t1\t{_json(line)}\t\\\\x{shapely.to_wkb(line).hex()}\t"
            f"\\\\x{shapely.to_wkb(shape).hex()}\t{EPSG}\t"
            + "\t".join(repr(v) for v in grown_box(line, width / 2)[::1])
            + f"\t{float(width)}\t{w[0].start.isoformat()}\t{w[0].end.isoformat()}\t{{}}\t"
            f"f\t{now}\t{by}\n"
            for (n, line, width, w), shape in zip(rows, metric, strict=True)
        ),
    )
    occurrences = [(n, line, width, o) for n, line, width, w in rows for o in w]
    copy(
        "deconfliction_occurrences",
        "id, notification_id, version_id, starts_at, ends_at",
        (
            f"{next_id + k}\t{n}\t{n}\t{o.start.isoformat()}\t{o.end.isoformat()}\n"
            for k, (n, _, _, o) in enumerate(occurrences)
        ),
    )
    copy(
        "deconfliction_occurrence_boxes",
        "id, version_id, starts_us, ends_us, extent",
        (
            f"{next_id + k}\t{n}\t{micros(o.start)}\t{micros(o.end)}\t"
            f"({box[0]!r}, {box[1]!r}, {micros(o.start) / 1e6!r}),"
            f"({box[2]!r}, {box[3]!r}, {micros(o.end) / 1e6!r})\n"
            for k, (n, line, width, o) in enumerate(occurrences)
            for box in [grown_box(line, width / 2)]
        ),
    )
    return next_id + len(occurrences)


def _json(line: shapely.LineString) -> str:
    return json.dumps({"type": "LineString", "coordinates": shapely.get_coordinates(line).tolist()})


def box_of(line: shapely.LineString, reach: float) -> dict[str, float]:
    west, south, east, north = grown_box(line, reach)
    return {"min_lon": west, "min_lat": south, "max_lon": east, "max_lat": north}


def _admin(server: str) -> Engine:
    return create_engine(normalise_url(server), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def database_url(server: str, name: str) -> str:
    url = make_url(normalise_url(server)).set(database=name)
    return url.render_as_string(hide_password=False)


def fresh_database(server: str, name: str) -> str:
    drop_database(server, name)
    with _admin(server).connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    return database_url(server, name)


def drop_database(server: str, name: str) -> None:
    with _admin(server).connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def cached(
    name: str, size: int, seed: int, side: float, server: str | None, fresh: bool, out: Tee
) -> str:
    """The URL of a database holding ``size`` movements, made unless a complete one is kept."""
    CACHE.mkdir(exist_ok=True)
    key = f"v{DATA_VERSION}-{size}-{side:.4f}-{seed}"
    done = CACHE / f"{name}-{key}.done"
    if name == "sqlite":
        path = CACHE / f"{key}.db"
        url = f"sqlite:///{path}"
        if fresh or not done.exists():
            done.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
    else:
        assert server is not None  # noqa: S101 - given with --pg
        database = f"tq_conflicts_{key}".replace("-", "_").replace(".", "_")
        url = database_url(server, database)
        if fresh or not done.exists():
            done.unlink(missing_ok=True)
            url = fresh_database(server, database)
    if not done.exists():
        started = time.perf_counter()
        fill(url, size, random.Random(seed * 1_000 + size), side, CENTRE)
        out(f"({name}: {size:,} movements stored in {time.perf_counter() - started:.0f} s)")
        done.write_text(url)
    return url


def held(url: str) -> tuple[HeldMovements, float, float, float]:
    """The movements held in memory as a serving hub holds them, loaded (as a hub's second
    check loads them): the seconds the load took, the resident set it added and the resident
    set after it (GB; what an earlier size freed is reused, so only the first load in a
    process, or the largest, shows the whole). Then the garbage collector set as a serving
    hub sets it (``tune_garbage_collector``: what exists frozen out of its sight, the young
    generation collected less often); with Python's defaults a collection through the whole
    heap (about 110 ms of CPU at 100,000 without the cache) landed in a few checks and made
    their p99."""
    engine = make_engine(url)
    movements = HeldMovements(CorridorCache())
    before = _rss_gb()
    started = time.perf_counter()
    probe = movement_footprint(0, route(random.Random(0)), 200, (Window(NOW, NOW + HOUR),), EPSG)
    with Session(engine) as session:
        for _ in range(2):  # the first use answers None (see CorridorCache.index)
            movements.near(session, probe, [(NOW, NOW + HOUR)])
    engine.dispose()
    took = time.perf_counter() - started
    tune_garbage_collector()
    return movements, took, _rss_gb() - before, _rss_gb()


def _rss_gb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024**2
    return 0.0


def check(
    url: str, items: list[Item], movements: HeldMovements | None, places: bool = False
) -> tuple[list[float], list[float], list[int]]:
    """Each item checked in a fresh transaction (asking ``movements`` when given; with
    ``places``, worked out too): the wall time and this process's CPU time of each check (ms;
    the CPU time leaves out waiting for a core on a loaded machine, and on PostgreSQL the
    server's own work), and the conflicts found."""
    tune_garbage_collector()
    engine = make_engine(url)
    samples: list[float] = []
    cpu: list[float] = []
    found: list[int] = []
    with Session(engine) as session:
        for n, (line, width, windows) in enumerate(items):
            new = movement_footprint(0, line, width, windows, EPSG)
            started, cpu_started = time.perf_counter(), time.process_time()
            box = grown_box(line, width / 2 + POLICY.site_margin_m)
            kind = NotificationKind.MOVEMENT
            if places:
                count = len(stored_conflicts(session, new, kind, POLICY, box, movements).conflicts)
            else:
                count = len(stored_clashes(session, new, kind, POLICY, box, movements).clashes)
            took = (time.perf_counter() - started) * 1000
            cpu_took = (time.process_time() - cpu_started) * 1000
            session.rollback()  # a fresh read each time, as a new request would
            if n >= 3:  # warm: connection, transformers
                samples.append(took)
                cpu.append(cpu_took)
                found.append(count)
    engine.dispose()
    return samples, cpu, found


def verify(url: str, items: list[Item], movements: HeldMovements) -> None:
    """The occurrence index's and memory's answers (conflicts, their places and times, and
    the shift) are those of the plain span-and-box query, which reads every active movement
    over the span: at the smallest size."""
    engine = make_engine(url)
    with Session(engine) as session:
        for line, width, windows in items:
            new = movement_footprint(0, line, width, windows, EPSG)
            box = grown_box(line, width / 2 + POLICY.site_margin_m)
            kind = NotificationKind.MOVEMENT
            plain = stored_conflicts(session, new, kind, POLICY, None)
            for way, other in (
                ("the occurrence index", stored_conflicts(session, new, kind, POLICY, box)),
                ("memory", stored_conflicts(session, new, kind, POLICY, box, movements)),
            ):
                if other != plain:
                    raise SystemExit(f"{way} disagrees with the plain query")
            session.rollback()
    engine.dispose()


def _line(
    name: str, path: str, size: int, samples: list[float], cpu: list[float], found: list[int]
) -> str:
    return (
        f"{name:>6} {path:>12} {size:>9,} {statistics.median(samples):>9.1f} / "
        f"{percentile(samples, 0.99):>9.1f}   "
        f"{statistics.median(cpu):>7.1f} / {percentile(cpu, 0.99):>7.1f}   "
        f"{statistics.mean(found):.1f}, {max(found)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="on SQLite")
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--area-deg", type=float, default=AREA_DEG)
    parser.add_argument("--pg", help="a PostgreSQL server URL: one database per size is kept")
    parser.add_argument("--pg-sizes", default="1000,100000,1000000")
    parser.add_argument("--fresh", action="store_true", help="make the databases again")
    parser.add_argument("--drop", action="store_true", help="drop the PostgreSQL databases")
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    out(
        f"stored path (stored.stored_clashes, what a preview and filing run; +places: "
        f"stored_conflicts, what filing stores); {args.checks} new movements "
        f"per size, each in a fresh transaction; up to 100,000 in a {args.area_deg}-degree "
        f"square ({area_km2(args.area_deg):,.0f} km²), 1,000,000 in "
        f"{side_for(BIG, args.area_deg):.2f} degrees ({area_km2(side_for(BIG, args.area_deg)):,.0f}"
        " km²); windows over 30 days"
    )
    out("times in ms: p50 / p99")
    out(
        f"{'db':>6} {'path':>12} {'active':>9} {'wall p50':>9}   {'p99':>9}   {'cpu p50':>7}   "
        f"{'p99':>7}   conflicts/check (mean, max)"
    )
    results: dict[str, float] = {}
    placed: dict[str, float] = {}
    targets = [("sqlite", int(s)) for s in args.sizes.split(",")]
    if args.pg:
        targets += [("pg", int(s)) for s in args.pg_sizes.split(",")]
    for name, size in targets:
        side = side_for(size, args.area_deg)
        url = cached(name, size, args.seed, side, args.pg, args.fresh, out)
        rng = random.Random(args.seed)
        items = [
            (route(rng, side), float(rng.randrange(50, 501, 10)), schedule(rng))
            for _ in range(args.checks + 3)
        ]
        # Loaded first: reading every movement also brings the database's pages into memory,
        # so neither path is measured against a cold file (the first one measured was).
        movements, load_s, memory_gb, resident_gb = held(url)
        if size == min(s for _, s in targets):
            verify(url, items[:40], movements)
            out(f"{name:>6}      {size:>9,}   the index and memory agree with the plain query")
        out(_line(name, "db", size, *check(url, items, None)))
        samples, cpu, found = check(url, items, movements)
        out(_line(name, "held", size, samples, cpu, found))
        results[f"{name}_{size}"] = percentile(samples, 0.99)
        samples, cpu, found = check(url, items, movements, places=True)
        del movements
        gc.collect()
        out(_line(name, "held +places", size, samples, cpu, found))
        placed[f"{name}_{size}"] = percentile(samples, 0.99)
        out(
            f"{name:>6}      {size:>9,}   held: loaded in {load_s:.1f} s, resident set "
            f"+{memory_gb:.2f} GB, {resident_gb:.2f} GB in all"
        )
        if name == "pg" and args.drop:
            drop_database(args.pg, make_url(url).database or "")
    machine.finish()
    for key, value in results.items():
        out(f"result: conflict_db_p99_ms_{key} = {value:.1f}")
    if "sqlite_100000" in placed:
        out(f"result: conflict_filing_p99_ms = {placed['sqlite_100000']:.1f}")
    if "pg_1000000" in placed:
        out(f"result: conflict_filing_p99_ms_pg_1m = {placed['pg_1000000']:.1f}")
    if "sqlite_100000" in results:
        out(f"result: conflict_p99_ms = {results['sqlite_100000']:.1f}")
    if "pg_1000000" in results:
        out(f"result: conflict_p99_ms_pg_1m = {results['pg_1000000']:.1f}")
    if not args.no_write:
        write_section(
            "conflicts",
            "Deconfliction: conflict check against stored movements",
            machine,
            out.lines,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
