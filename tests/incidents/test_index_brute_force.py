"""ImpactIndex.touching and ImpactIndex.near against the plain answer: every corridor tested one
by one with shapely, on random corridors of every shape (long lines cut into pieces,
multi-lines, polygons, points), windows (one, several, long-lived) and reaches, and random
hazards and new routes (cut into pieces as the conflict check cuts them)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from tansiq.core.clock import micros
from tansiq.core.projection import project
from tansiq.incidents.index import Corridor, ImpactIndex, cut_pieces

EPSG = 32637
NOW = datetime(2026, 12, 1, 6, tzinfo=UTC)
CORNER = (40.0, 34.2)
SIDE = 0.1  # degrees: about 10 km, so 300 corridors crowd and hazards touch many


def _walk(rng: random.Random, points: int) -> list[tuple[float, float]]:
    lon = CORNER[0] + rng.uniform(0, SIDE)
    lat = CORNER[1] + rng.uniform(0, SIDE)
    found = []
    for _ in range(points):
        found.append((lon, lat))
        lon += rng.uniform(-0.002, 0.002)
        lat += rng.uniform(-0.002, 0.002)
    return found


def _shape(rng: random.Random) -> BaseGeometry:
    kind = rng.random()
    if kind < 0.6:  # 1 to 99 segments: one piece, several, a short last one
        return shapely.LineString(_walk(rng, rng.randint(2, 100)))
    if kind < 0.75:
        return shapely.MultiLineString([_walk(rng, rng.randint(2, 40)) for _ in range(2)])
    if kind < 0.9:
        return shapely.Point(_walk(rng, 1)[0]).buffer(0.003)
    return shapely.Point(_walk(rng, 1)[0])


def _windows(rng: random.Random) -> tuple[tuple[datetime, datetime], ...]:
    kind = rng.random()
    if kind < 0.1:  # a watch: counts for ever
        return ((NOW - timedelta(days=1), datetime(9999, 1, 1, tzinfo=UTC)),)
    count = 1 if kind < 0.6 else rng.randint(2, 4)
    starts = sorted(NOW + timedelta(hours=rng.uniform(0, 24 * 5)) for _ in range(count))
    return tuple((s, s + timedelta(hours=rng.uniform(0.5, 30))) for s in starts)


def _corridors(rng: random.Random, count: int) -> list[Corridor]:
    return [
        Corridor(
            kind=rng.choice(("permit", "movement", "watch")),
            label=str(i),
            target_id=i,
            subject_id=i,
            shape=_shape(rng),
            reach_m=rng.choice((0.0, 25.0, 100.0, 250.0)),
            windows=_windows(rng),
            party_ids=(1,),
        )
        for i in range(count)
    ]


def _hazard(rng: random.Random) -> BaseGeometry:
    lon, lat = _walk(rng, 1)[0]
    kind = rng.random()
    if kind < 0.4:
        return shapely.Point(lon, lat)
    if kind < 0.7:
        return shapely.LineString(_walk(rng, rng.randint(2, 6)))
    box = shapely.box(lon, lat, lon + rng.uniform(0.001, 0.01), lat + rng.uniform(0.001, 0.01))
    if kind < 0.85:
        return box
    # A hole, and a second part: a line starting in the hole or the other part is not inside
    # the first part, and one starting in the second part is.
    hole = shapely.centroid(box).buffer(rng.uniform(0.0002, 0.002))
    far = shapely.box(lon - 0.004, lat - 0.004, lon - 0.001, lat - 0.001)
    return shapely.union(box.difference(hole), far)


def _plain(
    corridors: list[Corridor],
    hazard: BaseGeometry,
    distance_m: float,
    start: datetime,
    end: datetime,
) -> dict[int, float]:
    """Each corridor touched and its gap, one shapely distance per corridor."""
    metric = project(hazard, EPSG)
    found = {}
    for c in corridors:
        if not any(s < end and start < e for s, e in c.windows):
            continue
        gap = shapely.distance(metric, project(c.shape, EPSG)) - c.reach_m
        if gap <= distance_m:
            found[c.target_id] = max(gap, 0.0)
    return found


def _crowd(seed: int) -> tuple[random.Random, list[Corridor], ImpactIndex]:
    rng = random.Random(seed)
    corridors = _corridors(rng, 300)
    return rng, corridors, ImpactIndex(corridors, EPSG)


def _span(rng: random.Random) -> tuple[datetime, datetime]:
    start = NOW + timedelta(hours=rng.uniform(-12, 24 * 5))
    return start, start + timedelta(hours=rng.choice((1, 24, 72)))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_index_answers_as_testing_every_corridor_would(seed: int) -> None:
    rng, corridors, index = _crowd(seed)
    touched = 0
    for _ in range(60):
        hazard = _hazard(rng)
        distance = rng.choice((0.0, 50.0, 500.0, 1500.0, 3000.0))
        start, end = _span(rng)
        hits = index.touching(hazard, distance, start, end)
        plain = _plain(corridors, hazard, distance, start, end)
        got = {h.corridor.target_id: h.distance_m for h in hits}
        assert len(got) == len(hits)  # each corridor once
        assert got.keys() == plain.keys()
        assert np.allclose([got[k] for k in plain], list(plain.values()), rtol=0, atol=1e-6)
        gaps = [h.distance_m for h in hits]
        assert gaps == sorted(gaps)  # nearest first
        touched += len(hits)
    assert touched > 500  # crowded enough that many hazards touch several


@pytest.mark.parametrize("seed", [4, 5])
def test_near_answers_as_testing_every_corridor_would(seed: int) -> None:
    rng, corridors, index = _crowd(seed)
    met = 0
    for _ in range(40):
        new = _shape(rng) if rng.random() < 0.3 else shapely.LineString(_walk(rng, 150))
        metric = project(new, EPSG)
        pieces, _ = cut_pieces(np.array([metric], dtype=object), rng.choice((4, 8, 32)))
        reach = rng.choice((0.0, 100.0, 500.0))
        start, end = _span(rng)
        found = index.near(pieces, reach, start, end)
        plain = [
            c
            for c in corridors
            if min(s for s, _ in c.windows) < end
            and start < max(e for _, e in c.windows)
            and shapely.distance(metric, project(c.shape, EPSG)) <= reach + c.reach_m
        ]
        assert [c.target_id for c in found.items] == [c.target_id for c in plain]
        # Every window of each, in order, exact.
        windows = [(n, micros(s), micros(e)) for n, c in enumerate(plain) for s, e in c.windows]
        assert (
            list(zip(found.owner.tolist(), found.starts.tolist(), found.ends.tolist(), strict=True))
            == windows
        )
        met += len(plain)
    assert met > 200  # crowded enough that most routes meet several
