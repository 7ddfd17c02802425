"""The map at scale: zones asked by area as the map moves, against every zone inline.

The zones of ``bench/route.py`` (25 authorities, star-shaped polygons of 200-600 vertices on a
~2 km grid, neighbours overlapping), 5,000 by default, through the normal import. Then, in one
run, on the stored zones:

* inline: the map document the trader's form and the zone maps page used to carry (every zone
  in force and every checkpoint), built as the page built it (``map_layers.zones``), without
  the contested overlaps it also computed: a lower bound of the old page's weight;
* page: the trader's form today (``GET /applications/new``, signed in): bytes and time;
* area: ``GET /api/v1/map/zones`` in-process for views of a desktop map (520 x 352 px) at
  zoom 10, 12 and 14 at random places, the area snapped to the zoom's tile grid as map.js
  does: the first area at a zoom since the zones changed (``level``: the zones' boxes and,
  for a crowded area, the authorities' stored outlines read once), then each area the first
  time it is asked (``cold``) and again (``warm``, the per-process cache): time, bytes and
  what was drawn (``zones`` one by one, or each authority's ``outlines`` when the area holds
  more than ``visible.DETAIL_ZONES``).

    .venv/bin/python bench/map_bbox.py [--zones N] [--views N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import random
import re
import statistics
import sys
import time
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import route
from report import Tee, database, database_version, start, write_section
from tansiq.app import create_app
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.core.text import BilingualText
from tansiq.geo import map_layers, visible
from tansiq.parties.domain import PartyKind, Role
from tansiq.parties.service import create_party, create_user
from tansiq.settings import Settings

MAP_PX = (520, 352)  # the trader's form's map on a 1280 px screen
ZOOMS = (10, 12, 14)
PASSWORD = "bench-password"  # noqa: S105 - a throwaway bench database
SECRET = "bench-secret-key-0123456789abcdef"  # noqa: S105 - a throwaway bench hub
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
DATA_MAP = re.compile(r"data-map='([^']*)'")


def area_of(lon: float, lat: float, zoom: int) -> str:
    """The bbox map.js asks for a view centred on (lon, lat): grown to the tile grid."""
    degrees_per_px = 360 / (256 * 2**zoom)
    half_w = MAP_PX[0] / 2 * degrees_per_px
    half_h = MAP_PX[1] / 2 * degrees_per_px * math.cos(math.radians(lat))
    step = 360 / 2**zoom
    box = [
        math.floor((lon - half_w) / step) * step,
        math.floor((lat - half_h) / step) * step,
        math.ceil((lon + half_w) / step) * step,
        math.ceil((lat + half_h) / step) * step,
    ]
    return ",".join(f"{v:.6f}" for v in box)


def add_trader(url: str) -> None:
    """A trader company and an applicant, to open the trader's form as a page."""
    context = HubContext.from_settings(Settings(database_url=url), clock=FixedClock(route.NOW))
    with Session(context.engine) as session:
        party = create_party(
            session,
            code="trader",
            kind=PartyKind.TRADER,
            name=BilingualText("تاجر", "Trader"),
            clock=context.clock,
        )
        create_user(
            session,
            party=party,
            username="trader",
            display_name="Trader",
            password=PASSWORD,
            roles=frozenset({Role.APPLICANT}),
            clock=context.clock,
        )
        session.commit()
    context.engine.dispose()


def need(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(message)


def percentile(samples: list[float], q: float) -> float:
    return route.percentile(samples, q)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=5_000)
    parser.add_argument("--views", type=int, default=60, help="random views per zoom")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=os.environ.get("TANSIQ_DATABASE_URL"))
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    rng = random.Random(args.seed)
    postgres = bool(args.database_url) and not str(args.database_url).startswith("sqlite")
    with database(args.database_url, "map") as url:
        machine.database = database_version(url)
        out(f"database: {machine.database}")
        seconds, token, vertices = route.load(url, args.zones, rng)
        add_trader(url)
        out(f"{args.zones:,} zones ({vertices:,} vertices) imported in {seconds:.1f} s")
        context = HubContext.from_settings(
            Settings(database_url=url, secret_key=SECRET),
            clock=FixedClock(route.NOW),
        )
        with Session(context.engine) as session:
            # The old page's map: every zone in force and every checkpoint, as it built them;
            # without the contested overlaps it added (a lower bound of its weight, in
            # seconds rather than the minutes they take among thousands of zones).
            started = time.perf_counter()
            old = map_layers.zones(session, Locale.EN, route.NOW) + map_layers.checkpoints(
                session, Locale.EN
            )
            document = json.dumps({"type": "FeatureCollection", "features": old})
            inline_s = time.perf_counter() - started
        inline_bytes = len(html.escape(document).encode())
        del old, document
        width, height = route.territory(args.zones)
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(create_app(context)) as client:
            login = client.get("/login")
            found = CSRF.search(login.text)
            if found is None:
                raise SystemExit("no CSRF field on /login")
            signed = client.post(
                "/login",
                data={"csrf": found.group(1), "username": "trader", "password": PASSWORD},
                follow_redirects=False,
            )
            need(signed.status_code == 303, signed.text)
            page_ms = []
            for _ in range(5):
                started = time.perf_counter()
                page = client.get("/applications/new")
                page_ms.append((time.perf_counter() - started) * 1000)
                need(page.status_code == 200, page.text[:300])
            page_bytes = len(page.content)
            attribute = DATA_MAP.search(page.text)
            if attribute is None:
                raise SystemExit("no map on the trader's form")
            new_map_bytes = len(attribute.group(1).encode())
            old_page_bytes = page_bytes - new_map_bytes + inline_bytes
            need(
                "zones" in json.loads(html.unescape(attribute.group(1)))["tansiq"],
                "unexpected answer",
            )

            cache = visible.area_cache(context.caches)
            levels = visible.level_cache(context.caches)
            rows: list[tuple[int, list[float], list[float], list[int], list[int]]] = []
            drawn: dict[int, set[str]] = {}
            builds: list[float] = []
            for zoom in ZOOMS:
                areas = [
                    area_of(
                        route.ORIGIN[0] + rng.uniform(0.1, 0.9) * width,
                        route.ORIGIN[1] + rng.uniform(0.1, 0.9) * height,
                        zoom,
                    )
                    for _ in range(args.views)
                ]

                def ask(bbox: str, zoom: int = zoom) -> Any:
                    response = client.get(
                        "/api/v1/map/zones",
                        params={"bbox": bbox, "zoom": zoom},
                        headers=headers,
                    )
                    if response.status_code != 200:
                        raise SystemExit(f"map/zones: {response.status_code} {response.text}")
                    return response

                ask(areas[0])  # warm: statement caches, numpy paths
                levels.clear()
                cache.clear()
                started = time.perf_counter()
                ask(areas[0])  # the first area at this zoom since the zones changed
                builds.append((time.perf_counter() - started) * 1000)
                cold, warm, sizes, counts = [], [], [], []
                for bbox in areas:
                    cache.clear()  # to time an area never asked before (its level built)
                    started = time.perf_counter()
                    response = ask(bbox)
                    cold.append((time.perf_counter() - started) * 1000)
                    sizes.append(len(response.content))
                    counts.append(len(response.json()["features"]))
                    drawn.setdefault(zoom, set()).add(response.json().get("detail", ""))
                    started = time.perf_counter()
                    ask(bbox)
                    warm.append((time.perf_counter() - started) * 1000)
                rows.append((zoom, cold, warm, sizes, counts))
        context.engine.dispose()
    machine.finish()
    out(
        f"old page: every zone inline, map document at least {inline_bytes / 1e6:,.1f} MB "
        f"(zones and checkpoints, built in {inline_s:.1f} s, without the contested overlaps); "
        f"the page at least {old_page_bytes / 1e6:,.1f} MB"
    )
    out(
        f"new page: GET /applications/new {page_bytes / 1e3:,.1f} kB "
        f"(map document {new_map_bytes / 1e3:,.1f} kB: checkpoints, no zones), "
        f"median {statistics.median(page_ms):.0f} ms"
    )
    out(f"map {MAP_PX[0]}x{MAP_PX[1]} px, {args.views} random views a zoom, area snapped to tiles")
    out(
        f"{'zoom':>4}{'level ms':>9}{'zones':>7}{'kB p50':>8}{'kB max':>8}{'cold p50':>10}"
        f"{'cold p99':>10}{'warm p50':>10}{'warm p99':>10}"
    )
    for (zoom, cold, warm, sizes, counts), build in zip(rows, builds, strict=True):
        out(
            f"{zoom:>4}{build:>9.0f}{statistics.median(counts):>7.0f}"
            f"{statistics.median(sizes) / 1e3:>8.1f}"
            f"{max(sizes) / 1e3:>8.1f}{statistics.median(cold):>10.1f}"
            f"{percentile(cold, 0.99):>10.1f}{statistics.median(warm):>10.2f}"
            f"{percentile(warm, 0.99):>10.2f}"
        )
    for zoom, kinds in drawn.items():
        out(f"zoom {zoom} drew: {', '.join(sorted(kinds))}")
    for zoom, cold, warm, _sizes, _counts in rows:
        out(f"result: map_bbox_z{zoom}_cold_p50_ms = {statistics.median(cold):.1f}")
        out(f"result: map_bbox_z{zoom}_cold_p99_ms = {percentile(cold, 0.99):.1f}")
        out(f"result: map_bbox_z{zoom}_warm_p99_ms = {percentile(warm, 0.99):.2f}")
    every_cold = [v for row in rows for v in row[1]]
    every_warm = [v for row in rows for v in row[2]]
    every_size = [v for row in rows for v in row[3]]
    out(f"result: map_inline_kb = {inline_bytes / 1e3:.0f}")
    out(f"result: map_page_old_kb = {old_page_bytes / 1e3:.0f}")
    out(f"result: map_page_kb = {page_bytes / 1e3:.1f}")
    out(f"result: map_bbox_kb_p50 = {statistics.median(every_size) / 1e3:.1f}")
    out(f"result: map_bbox_kb_max = {max(every_size) / 1e3:.1f}")
    out(f"result: map_bbox_cold_p99_ms = {percentile(every_cold, 0.99):.1f}")
    out(f"result: map_bbox_warm_p99_ms = {percentile(every_warm, 0.99):.2f}")
    out(f"result: map_level_build_ms_max = {max(builds):.0f}")
    if not args.no_write:
        name = "map_bbox-postgresql" if postgres else "map_bbox"
        title = "Map by area (PostgreSQL)" if postgres else "Map by area"
        command = "bench/map_bbox.py" + (" --database-url <PostgreSQL server>" if postgres else "")
        write_section(name, title, machine, out.lines, command=command)
    return 0


if __name__ == "__main__":
    sys.exit(main())
