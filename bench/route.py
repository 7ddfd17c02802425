"""Route → required authorities, through the service, among zones shaped like real maps.

25 authorities each import one zone map (400 zones by default, 10,000 in all) through the
normal zone import (``geo.service.import_zone_map``, GeoJSON in). Each zone is a large noisy
star-shaped polygon of 200-600 vertices around a cell of a ~2 km grid (valid, neighbours
overlap a little); each authority's map covers a block of cells, and neighbouring
authorities' blocks overlap by three cells, as maps of contested ground do. About 300
checkpoints are imported too. Routes are 200-point random walks of about 30 km.

Measured, in one run, on the stored zones:

* service: ``geo.service.resolve_route`` — the function POST /api/v1/routes/resolve calls —
  with a session, GeoJSON in, resolution out (parse and validate the line, check the stored
  revision, project, query, order): the headline ``result: route_p99_ms`` (bar <= 2 ms);
* api: the endpoint itself in-process (auth, JSON both ways): ``result: route_api_p99_ms``;
* index: the in-memory index alone (``SpatialIndex.resolve``): ``result: route_index_p99_ms``.

    .venv/bin/python bench/route.py [--zones N] [--runs N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import shapely
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from report import Tee, database, database_version, start, write_section
from tansiq.app import create_app
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.text import BilingualText
from tansiq.db.engine import make_engine
from tansiq.db.migrate import upgrade
from tansiq.geo.service import SpatialIndexCache, import_checkpoints, import_zone_map
from tansiq.geo.service import resolve_route as service_resolve
from tansiq.parties.domain import PartyKind, Principal, Role
from tansiq.parties.service import create_party, create_user, issue_token
from tansiq.settings import Settings

CELL = 0.02  # degrees, ~2 km
ORIGIN = (40.0, 34.0)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
AUTHORITY_COLS, AUTHORITY_ROWS = 5, 5  # 400 zones a map: under the import limit of positions
OVERLAP = 3  # cells shared by neighbouring authorities' maps
ROUTE_POINTS = 200


def star(cx: float, cy: float, rng: random.Random) -> list[list[float]]:
    """A noisy star-shaped ring of 200-600 vertices around (cx, cy): always a valid polygon."""
    count = rng.randint(200, 600)
    waves = [
        (rng.randint(2, 9), rng.uniform(0, 2 * math.pi), rng.uniform(0.02, 0.08)) for _ in range(4)
    ]
    ring = []
    for k in range(count):
        angle = 2 * math.pi * k / count
        radius = 0.62 + sum(a * math.sin(f * angle + p) for f, p, a in waves)
        radius *= 1 + rng.uniform(-0.015, 0.015)
        ring.append(
            [
                round(cx + math.cos(angle) * radius * CELL, 6),
                round(cy + math.sin(angle) * radius * CELL * 0.83, 6),
            ]
        )
    ring.append(ring[0])
    return ring


def zone_maps(zones: int, rng: random.Random) -> list[dict[str, Any]]:
    """One FeatureCollection per authority; blocks of cells overlapping their neighbours'."""
    per_map = zones // (AUTHORITY_COLS * AUTHORITY_ROWS)
    height = max(int(math.sqrt(per_map * 0.8)), 1)
    width = math.ceil(per_map / height)
    maps = []
    for block in range(AUTHORITY_COLS * AUTHORITY_ROWS):
        brow, bcol = divmod(block, AUTHORITY_COLS)
        x0, y0 = bcol * (width - OVERLAP), brow * (height - OVERLAP)
        features = []
        for i in range(per_map):
            row, col = divmod(i, width)
            cx = ORIGIN[0] + (x0 + col) * CELL
            cy = ORIGIN[1] + (y0 + row) * CELL * 0.83
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [star(cx, cy, rng)]},
                    "properties": {"name_en": f"Sector {block}-{i}", "name_ar": f"قطاع {i}"},
                }
            )
        maps.append({"type": "FeatureCollection", "features": features})
    return maps


def territory(zones: int) -> tuple[float, float]:
    per_map = zones // (AUTHORITY_COLS * AUTHORITY_ROWS)
    height = max(int(math.sqrt(per_map * 0.8)), 1)
    width = math.ceil(per_map / height)
    return (
        (AUTHORITY_COLS * (width - OVERLAP) + OVERLAP) * CELL,
        (AUTHORITY_ROWS * (height - OVERLAP) + OVERLAP) * CELL * 0.83,
    )


def checkpoint_document(zones: int, rng: random.Random) -> dict[str, Any]:
    w, h = territory(zones)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [ORIGIN[0] + rng.uniform(0, w), ORIGIN[1] + rng.uniform(0, h)],
                },
                "properties": {
                    "code": f"CP-{i}",
                    "authority": f"auth-{i % (AUTHORITY_COLS * AUTHORITY_ROWS)}",
                    "name_en": f"Checkpoint {i}",
                },
            }
            for i in range(max(zones // 33, 1))
        ],
    }


def route(zones: int, rng: random.Random) -> dict[str, Any]:
    """A 200-point random walk of ~30 km inside the territory."""
    w, h = territory(zones)
    lon = ORIGIN[0] + rng.uniform(0.2, 0.8) * w
    lat = ORIGIN[1] + rng.uniform(0.2, 0.8) * h
    heading = rng.uniform(0, 2 * math.pi)
    points = []
    for _ in range(ROUTE_POINTS):
        points.append([round(lon, 6), round(lat, 6)])
        heading += rng.uniform(-0.4, 0.4)
        lon += math.cos(heading) * 0.0015
        lat += math.sin(heading) * 0.0015
    return {"type": "LineString", "coordinates": points}


def load(url: str, zones: int, rng: random.Random) -> tuple[float, str, int]:
    """The zones through the normal import; seconds taken, and an API token."""
    engine = make_engine(url)
    upgrade(engine)
    clock = FixedClock(NOW - timedelta(days=400))
    with Session(engine) as session:
        hub = create_party(
            session, code="hub", kind=PartyKind.HUB, name=BilingualText("مركز", "Hub"), clock=clock
        )
        for i in range(AUTHORITY_COLS * AUTHORITY_ROWS):
            create_party(
                session,
                code=f"auth-{i}",
                kind=PartyKind.AUTHORITY,
                name=BilingualText(f"سلطة {i}", f"Authority {i}"),
                clock=clock,
            )
        admin = create_user(
            session,
            party=hub,
            username="admin",
            display_name="Admin",
            password="bench-password",  # noqa: S106 - a throwaway bench database
            roles=frozenset({Role.ADMIN}),
            clock=clock,
        )
        principal = Principal(admin.id, "admin", hub.id, PartyKind.HUB, frozenset({Role.ADMIN}))
        token = issue_token(session, admin, name="bench", clock=clock, ttl=None).secret
        session.commit()
        documents = zone_maps(zones, rng)
        vertices = sum(
            len(f["geometry"]["coordinates"][0]) - 1 for d in documents for f in d["features"]
        )
        started = time.perf_counter()
        for i, document in enumerate(documents):
            import_zone_map(
                session,
                principal,
                authority=f"auth-{i}",
                document=document,
                valid_from=NOW - timedelta(days=300),
                valid_until=None,
                clock=clock,
                source_name=f"auth-{i}.geojson",
            )
        import_checkpoints(
            session, principal, document=checkpoint_document(zones, rng), clock=clock
        )
        session.commit()
        seconds = time.perf_counter() - started
    engine.dispose()
    return seconds, token, vertices


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def timed(runs: int, once: Callable[[int], Any]) -> list[float]:
    for i in range(min(20, runs)):
        once(i)  # warm: pyproj transformer, numpy paths, statement caches
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        once(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1_000)
    parser.add_argument("--routes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("TANSIQ_DATABASE_URL"))
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    rng = random.Random(args.seed)
    routes = [route(args.zones, rng) for _ in range(args.routes)]
    postgres = bool(args.database_url) and not str(args.database_url).startswith("sqlite")
    with database(args.database_url, "route") as url:
        machine.database = database_version(url)
        out(f"database: {machine.database}")
        seconds, token, vertices = load(url, args.zones, rng)
        context = HubContext.from_settings(Settings(database_url=url), clock=FixedClock(NOW))
        cache = SpatialIndexCache()
        with Session(context.engine) as session:
            started = time.perf_counter()
            index = cache.get(session)
            build = time.perf_counter() - started
            shapes = [shapely.geometry.shape(r) for r in routes]
            found = [len(index.resolve(s, 200.0, NOW).authorities) for s in shapes]
            out(
                f"{args.zones:,} zones ({vertices:,} vertices) of "
                f"{AUTHORITY_COLS * AUTHORITY_ROWS} authorities imported in {seconds:.1f} s; "
                f"index built in {build:.2f} s; {len(routes)} routes of {ROUTE_POINTS} points "
                f"need {min(found)}-{max(found)} authorities (mean {statistics.mean(found):.1f})"
            )

            def by_index(i: int) -> Any:
                return index.resolve(shapes[i % len(shapes)], 200.0, NOW)

            def by_service(i: int) -> Any:
                return service_resolve(
                    session,
                    cache,
                    route=routes[i % len(routes)],
                    corridor_m=200.0,
                    max_corridor_m=context.settings.max_corridor_m,
                    at=NOW,
                )

            index_ms = timed(args.runs, by_index)
            service_ms = timed(args.runs, by_service)
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(context)) as client:

            def by_api(i: int) -> Any:
                response = client.post(
                    "/api/v1/routes/resolve",
                    headers=headers,
                    json={
                        "route": routes[i % len(routes)],
                        "corridor_m": 200,
                        "at": NOW.isoformat(),
                    },
                )
                if response.status_code != 200:
                    raise SystemExit(f"resolve: {response.status_code} {response.text[:300]}")
                return response

            api_ms = timed(args.runs, by_api)
        context.engine.dispose()
    machine.finish()
    out(f"{'path':<44}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'max ms':>8}")
    for name, samples in (
        ("service: geo.service.resolve_route", service_ms),
        ("api: POST /api/v1/routes/resolve in-process", api_ms),
        ("index: SpatialIndex.resolve only", index_ms),
    ):
        out(
            f"{name:<44}{statistics.median(samples):>8.3f}{percentile(samples, 0.9):>8.3f}"
            f"{percentile(samples, 0.99):>8.3f}{max(samples):>8.3f}"
        )
    out(f"runs: {args.runs} each, {len(routes)} routes, corridor 200 m")
    out(f"result: route_p99_ms = {percentile(service_ms, 0.99):.3f}")
    out(f"result: route_api_p99_ms = {percentile(api_ms, 0.99):.3f}")
    out(f"result: route_index_p99_ms = {percentile(index_ms, 0.99):.3f}")
    if not args.no_write:
        name = "route-postgresql" if postgres else "route"
        title = "Route resolution (PostgreSQL)" if postgres else "Route resolution"
        command = "bench/route.py" + (
            " --database-url <PostgreSQL server>" if name != "route" else ""
        )
        write_section(name, title, machine, out.lines, command=command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
