"""Impact of one new incident over many active corridors (permits and movements).

The path the service takes once it has the corridors: ``incidents.index.ImpactIndex`` (an
STRtree over 32-segment route pieces, in metres), asked which corridors come within the
incident type's distance of the new incident during its window (``ImpactIndex.touching``,
projection of the incident included). Corridors are shaped like bench/conflicts_index.py's
movements (random-walk routes inside a ~50 km square of UTM 37N, kept in metres, 50-500 m
wide, windows of 1-8 h over 30 days, the longer-lived permits valid for 1-7 days); incidents
are points, lines or small polygons, with the distances of the default settings (50 m to
3 km), each relevant for 24 h from a time in the same 30 days.

At 100,000 and 1,000,000 corridors: the index is built once (not timed; a hub keeps it), then
at least 300 incidents are timed. Both sizes share the one square, so the 1,000,000 are ten
times as dense (an incident with a 3 km distance touches about 3,000 of them): the headline
``impact_p99_ms_1m``, a stress case. ``--country N`` (1,000,000 by default, 0 to skip) also
times N corridors at the 100,000's density, in a square ten times the area around the same
centre (as bench/conflicts.py places its 1,000,000, a country rather than a town; incidents
spread over it the same way): ``impact_p99_ms_1m_country``, what a deployment of that size meets.
At the smallest size the index's answers are compared with the brute-force test over every
corridor. With ``--db N`` the whole service path is timed
too on a SQLite hub holding N movements (``incidents.impact.find_hits``: the box query on the
stored movements and watches, their occurrences and parties, the index over the candidates).

    .venv/bin/python bench/impact.py [--sizes 100000,1000000] [--country 1000000] [--checks N]
        [--db 10000]
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy.orm import Session

import conflicts
from conflicts_index import ORIGIN, SIDE_DEG
from report import Tee, start, write_section
from route import percentile
from tansiq.clearances import corridors as _permits  # noqa: F401 - registers permits' source
from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import FixedClock
from tansiq.core.projection import project, utm_epsg
from tansiq.db.engine import make_engine
from tansiq.incidents.domain import DEFAULT_DISTANCES, EventType
from tansiq.incidents.env import env_of
from tansiq.incidents.impact import find_hits
from tansiq.incidents.index import Corridor, ImpactIndex
from tansiq.incidents.models import IncidentRecord
from tansiq.settings import Settings

NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)
CENTRE = (ORIGIN[0] + SIDE_DEG / 2, ORIGIN[1] + SIDE_DEG / 2)
EPSG = utm_epsg(*CENTRE)
COUNTRY_SIDE_DEG = SIDE_DEG * math.sqrt(10)  # ten times the area: the same corridors per km²
STEP_M = 150.0
TYPES = [t for t in EventType if t is not EventType.OTHER]


def _corner(side: float) -> tuple[float, float]:
    """The south-west corner of the square of ``side`` degrees around :data:`CENTRE`."""
    return CENTRE[0] - side / 2, CENTRE[1] - side / 2


def _square_m(side: float = SIDE_DEG) -> tuple[float, float, float, float]:
    lon, lat = _corner(side)
    corner = project(shapely.Point(lon, lat), EPSG)
    far = project(shapely.Point(lon + side, lat + side), EPSG)
    return corner.x, corner.y, far.x, far.y


def corridors(count: int, rng: random.Random, side: float = SIDE_DEG) -> list[Corridor]:
    """``count`` corridors with routes of 20-120 points in metres, built in bulk, in the
    square of ``side`` degrees."""
    west, south, east, north = _square_m(side)
    nprng = np.random.default_rng(rng.randrange(2**32))
    lengths = nprng.integers(20, 121, count)
    owner = np.repeat(np.arange(count), lengths)
    turns = nprng.uniform(-0.35, 0.35, len(owner))
    heading = np.repeat(nprng.uniform(0, 2 * math.pi, count), lengths)
    # A drifting heading per route: the cumulative turn, restarted at each route's start.
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    total = np.cumsum(turns)
    heading += total - np.repeat(total[starts], lengths)
    steps = np.column_stack((np.cos(heading), np.sin(heading))) * STEP_M
    walk = np.cumsum(steps, axis=0)
    walk -= np.repeat(walk[starts], lengths, axis=0)
    first = np.column_stack((nprng.uniform(west, east, count), nprng.uniform(south, north, count)))
    walk += np.repeat(first, lengths, axis=0)
    low, extent = np.array([west, south]), np.array([east - west, north - south])
    folded = low + extent - np.abs((walk - low) % (2 * extent) - extent)
    lines = shapely.linestrings(folded, indices=owner)
    found = []
    for i, line in enumerate(lines):
        start_at = NOW + timedelta(minutes=rng.randrange(0, 30 * 24 * 60, 5))
        permit = i % 4 == 0
        span = timedelta(days=rng.randint(1, 7)) if permit else timedelta(hours=rng.randint(1, 8))
        found.append(
            Corridor(
                kind="permit" if permit else "movement",
                label=str(i),
                target_id=i,
                subject_id=i,
                shape=line,
                reach_m=rng.randrange(25, 251, 5),
                windows=((start_at, start_at + span),),
                party_ids=(1, 2),
            )
        )
    return found


def incidents(
    count: int, rng: random.Random, side: float = SIDE_DEG
) -> list[tuple[shapely.Geometry, float, datetime]]:
    """Points, short lines and small squares (lon/lat) in the square of ``side`` degrees, with
    their type's distance and start."""
    west, south = _corner(side)
    found = []
    for _ in range(count):
        lon = west + rng.uniform(0.05, 0.95) * side
        lat = south + rng.uniform(0.05, 0.95) * side
        shape_kind = rng.random()
        if shape_kind < 0.7:
            shape: shapely.Geometry = shapely.Point(lon, lat)
        elif shape_kind < 0.9:
            shape = shapely.LineString([(lon, lat), (lon + 0.01, lat + rng.uniform(-0.01, 0.01))])
        else:
            shape = shapely.box(lon, lat, lon + 0.005, lat + 0.005)
        distance = DEFAULT_DISTANCES[rng.choice(TYPES)]
        at = NOW + timedelta(minutes=rng.randrange(0, 30 * 24 * 60, 5))
        found.append((shape, distance, at))
    return found


def measure(
    index: ImpactIndex, items: list[tuple[shapely.Geometry, float, datetime]]
) -> tuple[list[float], list[int], list[float]]:
    """Wall time (what a caller waits), hits, and the thread's own CPU time (what the work
    costs, without the time other processes held the core: on a loaded machine the two
    differ, and the CPU time says whether the code or the machine made a slow answer)."""
    samples, hits, cpu = [], [], []
    for n, (shape, distance, at) in enumerate(items):
        started, cpu_started = time.perf_counter(), time.thread_time()
        found = index.touching(shape, distance, at, at + timedelta(hours=24))
        took = (time.perf_counter() - started) * 1000
        cpu_took = (time.thread_time() - cpu_started) * 1000
        if n >= 10:  # warm: transformer, numpy paths
            samples.append(took)
            hits.append(len(found))
            cpu.append(cpu_took)
    return samples, hits, cpu


def brute_force(
    active: list[Corridor], shape: shapely.Geometry, distance: float, at: datetime
) -> set[int]:
    metric = project(shape, EPSG)
    end = at + timedelta(hours=24)
    return {
        c.target_id
        for c in active
        if any(s < end and at < e for s, e in c.windows)
        and shapely.distance(metric, c.shape) <= distance + c.reach_m
    }


def db_path(size: int, checks: int, rng: random.Random, out: Tee) -> dict[str, float]:
    """The service's path on a SQLite hub with ``size`` stored movements (p99, ms): as a
    running hub answers (the process's corridor cache, current by its revision check) and
    reading the corridors near the incident from the database each time."""
    found: dict[str, float] = {}
    answers: dict[str, list[set[tuple[str, int]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'impact.db'}"
        conflicts.fill(url, size, rng)
        engine = make_engine(url)
        settings = Settings(database_url=url, metric_epsg=EPSG)
        cached = env_of(settings, FixedClock(NOW), ProcessCaches())
        items = incidents(checks + 10, rng)
        with Session(engine) as session:
            for name, env in (("cached", cached), ("db", replace(cached, corridors=None))):
                samples, hits, cpu = [], [], []
                answers[name] = []
                for n, (shape, _distance, at) in enumerate(items):
                    hazard = IncidentRecord(
                        id=0,
                        event_type=EventType.ARMED_CLASH,
                        occurred_at=at,
                        relevant_until=at + timedelta(hours=24),
                        shape_wkb=shapely.to_wkb(shape),
                    )
                    started, cpu_started = time.perf_counter(), time.thread_time()
                    got = find_hits(session, "incident", hazard, env)
                    took = (time.perf_counter() - started) * 1000
                    cpu_took = (time.thread_time() - cpu_started) * 1000
                    session.rollback()
                    answers[name].append({(h.corridor.kind, h.corridor.target_id) for h in got})
                    if n >= 10:  # warm: the cache loads on its second use
                        samples.append(took)
                        hits.append(len(got))
                        cpu.append(cpu_took)
                p99 = percentile(samples, 0.99)
                out(
                    f"{name:<6} {size:>9,} {statistics.median(samples):>9.2f} / {p99:>9.2f}"
                    f"   hits/incident {statistics.mean(hits):.1f}"
                    f"   cpu {statistics.median(cpu):.2f} / {percentile(cpu, 0.99):.2f}"
                )
                found[name] = p99
        engine.dispose()
    if answers["cached"] != answers["db"]:
        raise SystemExit("the corridor cache and the database disagree")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument(
        "--country", type=int, default=1_000_000, help="also N at the 100,000's density (0: no)"
    )
    parser.add_argument("--checks", type=int, default=300)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--db", type=int, default=0, help="also time the service path over N")
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    rng = random.Random(args.seed)
    items = incidents(args.checks + 10, rng)
    out(f"ImpactIndex.touching; {args.checks} incidents per size (24 h window each)")
    out("times in ms: p50 / p99 (wall; then the thread's own CPU time)")
    results: dict[str, float] = {}
    sizes = [int(s) for s in args.sizes.split(",")]
    # (result key, size, square's side, incidents): the country case's incidents are the same
    # draws spread over its square.
    cases = [(str(size), size, SIDE_DEG, items) for size in sizes]
    if args.country:
        spread = incidents(args.checks + 10, random.Random(args.seed), COUNTRY_SIDE_DEG)
        cases.append(("country", args.country, COUNTRY_SIDE_DEG, spread))
        out(
            f"country: {args.country:,} in a {COUNTRY_SIDE_DEG:.2f}-degree square, ten times the"
            f" area of the {SIDE_DEG}-degree one (the 100,000's density)"
        )
    for key, size, side, checked in cases:
        active = corridors(size, random.Random(args.seed * 1_000 + size), side)
        built = time.perf_counter()
        index = ImpactIndex(active, EPSG, projected=True)
        built = time.perf_counter() - built
        if (size, side) == (sizes[0], SIDE_DEG):
            for shape, distance, at in items[:20]:
                got = {
                    h.corridor.target_id
                    for h in index.touching(shape, distance, at, at + timedelta(hours=24))
                }
                if got != brute_force(active, shape, distance, at):
                    raise SystemExit("the index and the brute force disagree")
        samples, hits, cpu = measure(index, checked)
        p99 = percentile(samples, 0.99)
        out(
            f"{'country' if key == 'country' else 'index':<7} {size:>9,}"
            f" {statistics.median(samples):>9.2f} / {p99:>9.2f}"
            f"   hits/incident {statistics.mean(hits):.1f}   build {built:.1f} s"
            f"   cpu {statistics.median(cpu):.2f} / {percentile(cpu, 0.99):.2f}"
        )
        results[key] = p99
        del index, active
        gc.collect()
    if args.db:
        stored = db_path(args.db, min(args.checks, 200), random.Random(args.seed), out)
        results["cached"], results["db"] = stored["cached"], stored["db"]
    machine.finish()
    names = {
        "100000": "impact_p99_ms",
        "1000000": "impact_p99_ms_1m",
        "country": "impact_p99_ms_1m_country"
        if args.country == 1_000_000
        else f"impact_p99_ms_country_{args.country}",
        "cached": f"impact_cached_p99_ms_{args.db}",
        "db": f"impact_db_p99_ms_{args.db}",
    }
    for key, value in results.items():
        out(f"result: {names.get(key, f'impact_p99_ms_{key}')} = {value:.2f}")
    if not args.no_write:
        write_section("impact", "Incidents: impact of one new incident", machine, out.lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
