"""Conflict check of one new movement against many active ones, with the in-memory index.

Synthetic movements shaped like real ones: routes of 20-200 points (random walks with a
drifting heading, steps of about 150 m) inside a ~50 km square of UTM 37N, corridors of
50-500 m, windows of 1-8 hours starting anywhere in the next 30 days, about one in six
repeating (daily, or on two or three weekdays, for up to two weeks). At 1,000, 10,000 and
100,000 active movements, the index (``deconfliction.index.ConflictIndex``) is built and
at least 200 new movements are checked, each from longitude/latitude (projection included):

* check: which active movements the new one clashes with and when (``ConflictIndex.clashes``,
  what decides the parties to alert and whether a shift is needed): the headline
  ``result: conflict_p99_ms`` at 100,000 (bar <= 20 ms);
* places: the same with each conflict's place, the intersection as GeoJSON in longitude/
  latitude (``ConflictIndex.conflicts``, about 1 ms more per conflict found):
  ``result: conflict_places_p99_ms``;
* shift: the earliest shift within 48 h that clears every conflict: ``result: shift_p99_ms``.

At 1,000 the index's answers are compared with the brute-force search over every movement.
This is the in-process index; the database-backed path (SQLite R*Tree, PostgreSQL) comes when
the feature's repository lands, and will be measured here too.

    .venv/bin/python bench/conflicts.py [--sizes 1000,10000,100000] [--checks N] [--no-write]
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import shapely

from report import Tee, start, write_section
from route import percentile
from tansiq.core.projection import project_many, utm_epsg
from tansiq.deconfliction.conflicts import Footprint, find_conflicts, movement_footprint
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.index import ConflictIndex
from tansiq.deconfliction.schedule import Frequency, Repetition, Window, occurrences

NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)
ORIGIN = (39.75, 34.0)  # south-west corner
SIDE_DEG = 0.5  # about 55 km of latitude, 46 km of longitude here
STEP_DEG = 0.0015  # about 150 m
ZONE = ZoneInfo("Asia/Damascus")
EPSG = utm_epsg(ORIGIN[0] + SIDE_DEG / 2, ORIGIN[1] + SIDE_DEG / 2)
REPEATING = 1 / 6


def route(rng: random.Random) -> shapely.LineString:
    """A 20-200 point random walk inside the square (it turns back at the edges)."""
    count = rng.randint(20, 200)
    turns = np.cumsum(np.array([rng.uniform(-0.35, 0.35) for _ in range(count)]))
    heading = rng.uniform(0, 2 * math.pi) + turns
    steps = np.column_stack((np.cos(heading), np.sin(heading))) * STEP_DEG
    first = np.array(
        [ORIGIN[0] + rng.uniform(0.1, 0.9) * SIDE_DEG, ORIGIN[1] + rng.uniform(0.1, 0.9) * SIDE_DEG]
    )
    walk = np.cumsum(steps, axis=0) + first
    low = np.array(ORIGIN)
    # Fold the walk back into the square, as a road network would keep it there.
    folded = low + SIDE_DEG - np.abs((walk - low) % (2 * SIDE_DEG) - SIDE_DEG)
    return shapely.LineString(np.round(folded, 6))


def schedule(rng: random.Random) -> tuple[Window, ...]:
    start_at = NOW + timedelta(minutes=rng.randrange(0, 30 * 24 * 60, 5))
    window = Window(start_at, start_at + timedelta(minutes=rng.randrange(60, 8 * 60 + 1, 5)))
    if rng.random() >= REPEATING:
        return (window,)
    first_day = window.start.astimezone(ZONE).date()
    until: date = first_day + timedelta(days=rng.randint(2, 13))
    if rng.random() < 0.5:
        repetition = Repetition(Frequency.DAILY, until)
    else:
        repetition = Repetition(Frequency.WEEKLY, until, frozenset(rng.sample(range(7), 3)))
    return occurrences(window, repetition, ZONE)


def movements(count: int, rng: random.Random, first_id: int = 1) -> list[Footprint]:
    """``count`` footprints, projected in one pass."""
    lines = np.array([route(rng) for _ in range(count)], dtype=object)
    projected = project_many(lines, EPSG)
    return [
        Footprint(
            first_id + i,
            NotificationKind.MOVEMENT,
            shape,
            rng.randrange(50, 501, 10) / 2,
            schedule(rng),
            EPSG,
        )
        for i, shape in enumerate(projected)
    ]


Item = tuple[shapely.LineString, float, tuple[Window, ...]]


def timed(items: list[Item], once: Callable[[Item], object]) -> list[float]:
    for item in items[:20]:
        once(item)  # warm: pyproj transformer, numpy paths
    samples = []
    for item in items:
        started = time.perf_counter()
        once(item)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def footprint(item: Item) -> Footprint:
    return movement_footprint(0, item[0], item[1], item[2], EPSG)


def measure(
    active: list[Footprint], items: list[Item]
) -> tuple[float, list[list[float]], list[int]]:
    """Build the index over ``active``; time the check, the check with places and the shift
    for each new item. Once built, the index is frozen out of the garbage collector's sight,
    as a hub holding it would (gc.freeze), so a collection over millions of long-lived objects
    does not land in a check."""
    gc.collect()
    started = time.perf_counter()
    index = ConflictIndex(active, EPSG)
    build = time.perf_counter() - started
    gc.freeze()
    found = [len(index.clashes(footprint(item))) for item in items]
    runs = [
        timed(items, lambda item: index.clashes(footprint(item))),
        timed(items, lambda item: index.conflicts(footprint(item))),
        timed(items, lambda item: index.earliest_shift(footprint(item))),
    ]
    if len(active) <= 1_000:
        for item in items[:50]:
            new = footprint(item)
            if index.conflicts(new) != find_conflicts(new, active):
                raise SystemExit("the index disagrees with the brute-force search")
    gc.unfreeze()
    return build, runs, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--checks", type=int, default=400)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    machine = start()
    out = Tee()
    rng = random.Random(args.seed)
    items: list[Item] = [
        (route(rng), rng.randrange(50, 501, 10), schedule(rng)) for _ in range(args.checks)
    ]
    out(
        f"in-process index (deconfliction.index.ConflictIndex); {args.checks} new movements "
        f"checked at each size, each projected from longitude/latitude first; EPSG {EPSG}"
    )
    out("times in ms: p50 / p99")
    out(
        f"{'active':>9} {'build s':>8} {'check':>17} {'with places':>17} {'shift':>17} "
        f"{'conflicts/check':>16}"
    )
    p99: dict[int, tuple[float, float, float]] = {}
    for size in sizes:
        build, runs, found = measure(
            movements(size, random.Random(args.seed * 1_000 + size)), items
        )
        p99[size] = (
            percentile(runs[0], 0.99),
            percentile(runs[1], 0.99),
            percentile(runs[2], 0.99),
        )
        cells = " ".join(
            f"{statistics.median(ms):>8.2f} /{percentile(ms, 0.99):>7.2f}" for ms in runs
        )
        out(f"{size:>9,} {build:>8.2f} {cells} {statistics.mean(found):>16.1f}")
    out(
        "the database-backed path (SQLite R*Tree, PostgreSQL) is measured when the repository lands"
    )
    machine.finish()
    largest = max(p99)
    if largest != 100_000:
        out(f"note: the largest size run was {largest:,}, not 100,000")
    out(f"result: conflict_p99_ms = {p99[largest][0]:.3f}")
    out(f"result: conflict_places_p99_ms = {p99[largest][1]:.3f}")
    out(f"result: shift_p99_ms = {p99[largest][2]:.3f}")
    if not args.no_write:
        write_section(
            "conflicts",
            "Deconfliction: conflict check of a new movement (in-process index)",
            machine,
            out.lines,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
