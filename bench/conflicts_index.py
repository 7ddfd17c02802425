"""Conflict check of one new movement against many active ones, with the in-memory index.

The data (shared with bench/conflicts.py, which measures what filing runs against the
database) is meant to be as dense as a real deployment at that size, neither sparser nor
denser:

* the area: a square of 1.5 degrees (about 167 km north-south by 138 km east-west, some
  23,000 km², the size of a governorate such as al-Hasakah), where several authorities hold
  ground; 1,000,000 active movements are a country-wide deployment, ten times the area
  (``--area-deg``, see conflicts.py);
* the time: windows of 1-8 hours starting anywhere in the next 30 days (notified up to a
  month ahead), about one in six repeating (daily, or on three weekdays, for up to two weeks);
* so 100,000 active movements are about 3,300 movement windows starting a day in that area:
  some 40 notifying parties (army units, the umbrella force, foreign troops, relief
  organisations, transport companies) filing about 80 a day each;
* routes of 20-200 points (random walks with a drifting heading, steps of about 150 m, so
  3-30 km), corridors of 50-500 m.

Which gives about 25 conflicts per new movement at 100,000 (printed as conflicts/check): every
filing already alerts a couple of dozen other notifiers. The earlier data put 100,000 in a
0.5-degree square (2,500 km², a town and its outskirts), which gave about 190 conflicts per
check: no deconfliction cell could act on that, so it is measured with ``--area-deg 0.5`` as
a stress figure, not as the headline.

At 1,000, 10,000 and 100,000 active movements, the index (``deconfliction.index.
ConflictIndex``) is built and at least 200 new movements are checked, each from longitude/
latitude (projection included):

* check: which active movements the new one clashes with and when (``ConflictIndex.clashes``);
* places: the same with each conflict's place, the intersection as GeoJSON in longitude/
  latitude (``ConflictIndex.conflicts``, the places worked out together):
  ``result: conflict_index_places_p99_ms``;
* shift: the earliest shift within 48 h that clears every conflict:
  ``result: conflict_index_shift_p99_ms``.

At 1,000 the index's answers are compared with the brute-force search over every movement.
This is the in-process index; the headline ``result: conflict_p99_ms`` (and
``conflict_p99_ms_pg_1m``) is the path filing runs against the database, bench/conflicts.py.

    .venv/bin/python bench/conflicts_index.py [--sizes 1000,10000,100000] [--checks N] [--no-write]
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
# The town-sized square bench/impact.py draws its data in (and this bench did before).
ORIGIN = (39.75, 34.0)  # south-west corner
SIDE_DEG = 0.5  # about 55 km of latitude, 46 km of longitude here
CENTRE = (40.5, 34.75)  # of the deployment's square, whatever its side
AREA_DEG = 1.5  # the deployment's square for up to 100,000 active movements (see above)
STEP_DEG = 0.0015  # about 150 m
ZONE = ZoneInfo("Asia/Damascus")
EPSG = utm_epsg(*CENTRE)
REPEATING = 1 / 6


def area_km2(side_deg: float) -> float:
    """The square's area, near enough (a degree of latitude 111 km, of longitude less)."""
    return (side_deg * 111.0) * (side_deg * 111.0 * math.cos(math.radians(CENTRE[1])))


def route(
    rng: random.Random, side: float = AREA_DEG, centre: tuple[float, float] = CENTRE
) -> shapely.LineString:
    """A 20-200 point random walk inside the square of ``side`` degrees around ``centre``
    (it turns back at the edges)."""
    origin = (centre[0] - side / 2, centre[1] - side / 2)
    count = rng.randint(20, 200)
    turns = np.cumsum(np.array([rng.uniform(-0.35, 0.35) for _ in range(count)]))
    heading = rng.uniform(0, 2 * math.pi) + turns
    steps = np.column_stack((np.cos(heading), np.sin(heading))) * STEP_DEG
    first = np.array(
        [origin[0] + rng.uniform(0.1, 0.9) * side, origin[1] + rng.uniform(0.1, 0.9) * side]
    )
    walk = np.cumsum(steps, axis=0) + first
    low = np.array(origin)
    # Fold the walk back into the square, as a road network would keep it there.
    folded = low + side - np.abs((walk - low) % (2 * side) - side)
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


def movements(
    count: int, rng: random.Random, first_id: int = 1, side: float = AREA_DEG
) -> list[Footprint]:
    """``count`` footprints, projected in one pass."""
    lines = np.array([route(rng, side) for _ in range(count)], dtype=object)
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
    parser.add_argument("--area-deg", type=float, default=AREA_DEG)
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    machine = start()
    out = Tee()
    rng = random.Random(args.seed)
    items: list[Item] = [
        (route(rng, args.area_deg), rng.randrange(50, 501, 10), schedule(rng))
        for _ in range(args.checks)
    ]
    out(
        f"in-process index (deconfliction.index.ConflictIndex); {args.checks} new movements "
        f"checked at each size, each projected from longitude/latitude first; EPSG {EPSG}; "
        f"a {args.area_deg}-degree square ({area_km2(args.area_deg):,.0f} km²), windows over "
        "30 days"
    )
    out("times in ms: p50 / p99")
    out(
        f"{'active':>9} {'build s':>8} {'check':>17} {'with places':>17} {'shift':>17} "
        f"{'conflicts/check':>16}"
    )
    p99: dict[int, tuple[float, float, float]] = {}
    for size in sizes:
        build, runs, found = measure(
            movements(size, random.Random(args.seed * 1_000 + size), side=args.area_deg), items
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
    out("the path filing runs against the database: bench/conflicts.py")
    machine.finish()
    largest = max(p99)
    if largest != 100_000:
        out(f"note: the largest size run was {largest:,}, not 100,000")
    out(f"result: conflict_index_p99_ms = {p99[largest][0]:.3f}")
    out(f"result: conflict_index_places_p99_ms = {p99[largest][1]:.3f}")
    out(f"result: conflict_index_shift_p99_ms = {p99[largest][2]:.3f}")
    if not args.no_write:
        write_section(
            "conflicts_index",
            "Deconfliction: conflict check of a new movement (in-process index)",
            machine,
            out.lines,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
