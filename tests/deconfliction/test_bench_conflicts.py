"""bench/conflicts_index.py's building code at a tiny size (speed is measured there, not here)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import conflicts_index as bench


def test_synthetic_movements_are_routes_in_the_square_with_schedules() -> None:
    rng = random.Random(5)
    half = bench.AREA_DEG / 2
    square = shapely.box(
        bench.CENTRE[0] - half,
        bench.CENTRE[1] - half,
        bench.CENTRE[0] + half,
        bench.CENTRE[1] + half,
    )
    for _ in range(30):
        line = bench.route(rng)
        assert 20 <= len(line.coords) <= 200
        assert square.covers(line)
    active = bench.movements(60, rng)
    assert {25 <= f.reach_m <= 250 for f in active} == {True}
    assert max(len(f.occurrences) for f in active) > 1  # some repeat
    items = [(bench.route(rng), 100.0, bench.schedule(rng)) for _ in range(25)]
    build, runs, found = bench.measure(active, items)
    assert build >= 0
    assert [len(ms) for ms in runs] == [25, 25, 25]
    assert len(found) == 25
