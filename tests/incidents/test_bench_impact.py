"""bench/impact.py's building code at a tiny size (speed is measured by the bench, not here)."""

from __future__ import annotations

import random
import sys
from datetime import timedelta
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import impact as bench
from tansiq.incidents.index import ImpactIndex


def test_synthetic_corridors_and_incidents_agree_with_the_brute_force() -> None:
    rng = random.Random(4)
    active = bench.corridors(300, rng)
    assert {20 <= len(c.shape.coords) <= 120 for c in active} == {True}
    assert {c.kind for c in active} == {"permit", "movement"}
    west, south, east, north = bench._square_m()
    square = shapely.box(west - 1, south - 1, east + 1, north + 1)
    assert all(square.covers(c.shape) for c in active)
    index = ImpactIndex(active, bench.EPSG, projected=True)
    items = bench.incidents(40, rng)
    touched = 0
    for shape, distance, at in items:
        got = index.touching(shape, distance, at, at + timedelta(hours=24))
        assert {h.corridor.target_id for h in got} == bench.brute_force(active, shape, distance, at)
        touched += len(got)
    assert touched
    samples, hits, cpu = bench.measure(index, items)
    assert len(samples) == len(hits) == len(cpu) == 30
