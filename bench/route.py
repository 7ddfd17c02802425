"""Route → required authorities: latency of a 200-point route among N zones.

Synthetic data around 34.4N 41.1E: irregular 16-vertex zones on a grid of ~1.1 km cells
(neighbours overlap, as contested ground does), owned by 40 authorities, 1 map in force and
1 superseded map per authority, plus one checkpoint every ~3 cells. The route is a 200-point
random walk of about 30 km. Zone density stays the same as N grows (a larger territory).

Measures the in-memory index (what every request runs: project the route, query, order) and,
for 10,000 zones, the same call through the service on SQLite (adds the stale-index check and
GeoJSON parsing). Prints a table, then `result: route_p99_ms = ...` for 10,000 zones.
"""

from __future__ import annotations

import math
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import shapely
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.core.text import BilingualText
from tansiq.db.engine import make_engine
from tansiq.db.migrate import upgrade
from tansiq.geo.domain import CheckpointEntry, CheckpointStatus, ZoneEntry
from tansiq.geo.index import SpatialIndex
from tansiq.geo.models import ZoneMapRecord, ZoneRecord
from tansiq.geo.service import SpatialIndexCache, resolve_route
from tansiq.parties.domain import PartyKind
from tansiq.parties.service import create_party

CELL_DEG = 0.01
ORIGIN = (41.1, 34.4)
NOW = datetime(2026, 11, 25, tzinfo=UTC)
ROUTE_POINTS = 200
RUNS = 400


def zones(count: int, rng: random.Random) -> list[tuple[ZoneEntry, shapely.Polygon]]:
    side = math.ceil(math.sqrt(count))
    made = []
    for index in range(count):
        row, col = divmod(index, side)
        cx = ORIGIN[0] + (col - side / 2) * CELL_DEG
        cy = ORIGIN[1] + (row - side / 2) * CELL_DEG
        ring = [
            (
                cx + math.cos(a) * CELL_DEG * rng.uniform(0.45, 0.7),
                cy + math.sin(a) * CELL_DEG * rng.uniform(0.45, 0.7),
            )
            for a in np.linspace(0, 2 * math.pi, 16, endpoint=False)
        ]
        superseded = index % 10 == 0  # a tenth of zones belong to maps no longer in force
        entry = ZoneEntry(
            zone_id=index,
            map_id=index % 80,
            authority_id=index % 40,
            name=BilingualText("", f"zone {index}"),
            in_force_from=NOW - timedelta(days=400),
            in_force_until=NOW - timedelta(days=30) if superseded else None,
        )
        made.append((entry, shapely.Polygon(ring)))
    return made


def checkpoints(count: int, rng: random.Random) -> list[CheckpointEntry]:
    side = math.ceil(math.sqrt(count)) * CELL_DEG
    return [
        CheckpointEntry(
            checkpoint_id=i,
            code=f"CP-{i}",
            authority_id=i % 40,
            name=BilingualText("", f"cp {i}"),
            status=CheckpointStatus.OPEN,
            lon=ORIGIN[0] + rng.uniform(-side / 2, side / 2),
            lat=ORIGIN[1] + rng.uniform(-side / 2, side / 2),
        )
        for i in range(max(count // 3, 1))
    ]


def route(rng: random.Random) -> shapely.LineString:
    lon, lat = ORIGIN[0] - 0.12, ORIGIN[1] - 0.05
    heading = rng.uniform(0, 0.5)
    points = []
    for _ in range(ROUTE_POINTS):
        points.append((lon, lat))
        heading += rng.uniform(-0.4, 0.4)
        lon += math.cos(heading) * 0.0015
        lat += math.sin(heading) * 0.0015
    return shapely.LineString(points)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def measure(index: SpatialIndex, routes: list[shapely.LineString]) -> tuple[list[float], int]:
    samples, found = [], 0
    for i in range(RUNS):
        line = routes[i % len(routes)]
        start = time.perf_counter()
        result = index.resolve(line, 200.0, NOW)
        samples.append((time.perf_counter() - start) * 1000)
        found += len(result.authorities)
    return samples, found // RUNS


def service_latency(count: int, rng: random.Random) -> list[float]:
    """The same resolution through geo.service on a real SQLite file."""
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/bench.db")
        upgrade(engine)
        clock = FixedClock(NOW)
        with Session(engine) as session:
            parties = [
                create_party(
                    session,
                    code=f"auth-{i}",
                    kind=PartyKind.AUTHORITY,
                    name=BilingualText("", f"A{i}"),
                    clock=clock,
                )
                for i in range(40)
            ]
            session.flush()
            maps = []
            for party in parties:
                zone_map = ZoneMapRecord(
                    authority_id=party.id,
                    valid_from=NOW - timedelta(days=9),
                    valid_until=None,
                    imported_at=NOW,
                    zone_count=0,
                )
                session.add(zone_map)
                maps.append(zone_map)
            session.flush()
            for entry, shape in zones(count, rng):
                minx, miny, maxx, maxy = shape.bounds
                session.add(
                    ZoneRecord(
                        map_id=maps[entry.authority_id].id,
                        authority_id=parties[entry.authority_id].id,
                        feature_index=entry.zone_id,
                        feature_ref=None,
                        name_ar="",
                        name_en="z",
                        geometry_wkb=shapely.to_wkb(shape),
                        min_lon=minx,
                        min_lat=miny,
                        max_lon=maxx,
                        max_lat=maxy,
                        properties={},
                    )
                )
            session.commit()
        cache = SpatialIndexCache()
        routes = [
            {"type": "LineString", "coordinates": shapely.get_coordinates(route(rng)).tolist()}
            for _ in range(20)
        ]
        samples = []
        with Session(engine) as session:
            cache.get(session)  # build once, as a running hub has
            for i in range(RUNS):
                start = time.perf_counter()
                resolve_route(
                    session,
                    cache,
                    route=routes[i % 20],
                    corridor_m=200.0,
                    max_corridor_m=20_000.0,
                    at=NOW,
                )
                samples.append((time.perf_counter() - start) * 1000)
        engine.dispose()
    return samples


def main() -> None:
    rng = random.Random(7)
    routes = [route(rng) for _ in range(20)]
    print(
        f"{'zones':>8} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'authorities':>12}"
    )
    headline = 0.0
    for count in (100, 1_000, 10_000, 100_000):
        data = zones(count, rng)
        started = time.perf_counter()
        index = SpatialIndex(data, checkpoints(count, rng))
        build = time.perf_counter() - started
        measure(index, routes[:5])  # warm caches (pyproj transformer, numpy paths)
        samples, found = measure(index, routes)
        p99 = percentile(samples, 0.99)
        print(
            f"{count:>8} {build:>8.2f} {statistics.median(samples):>8.3f} {p99:>8.3f} "
            f"{max(samples):>8.3f} {found:>12}"
        )
        if count == 10_000:
            headline = p99
    service = service_latency(10_000, rng)
    print(
        f"through the service on SQLite, 10,000 zones: p50 {statistics.median(service):.3f} ms, "
        f"p99 {percentile(service, 0.99):.3f} ms"
    )
    print(f"result: route_service_p99_ms = {percentile(service, 0.99):.3f}")
    print(f"result: route_p99_ms = {headline:.3f}")


if __name__ == "__main__":
    main()
