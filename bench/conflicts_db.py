"""Conflict check of one new movement against movements stored in the hub's database: the
path filing takes (``deconfliction.planning.stored_conflicts``: one range query on the active
span plus the shift horizon, the candidates' occurrences, their footprints, the in-process
index, the conflicts with their places and the shift), on SQLite and, with ``--pg URL``, on
PostgreSQL.

The same synthetic movements as bench/conflicts.py (routes of 20-200 points, windows of 1-8 h
over the next 30 days, one in six repeating), stored through the models in bulk. Every check
reads what it needs afresh: nothing is cached between filings, as the service does. On SQLite
the movements' R*Tree (kept by filing in the same transaction) chooses which movements are read.

    .venv/bin/python bench/conflicts_db.py [--sizes 1000,10000] [--checks N] [--pg URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
import shapely.geometry
from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from conflicts import EPSG, NOW, Item, route, schedule
from report import Tee, start, write_section
from route import percentile
from tansiq.core.clock import FixedClock
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
from tansiq.deconfliction.schedule import span
from tansiq.deconfliction.stored import grown_box, stored_conflicts
from tansiq.demo.service import load_demo
from tansiq.parties.repository import PartyRepository

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


def fill(url: str, size: int, rng: random.Random) -> None:
    """A fresh database with ``size`` active movements of one notifier."""
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        load_demo(session, FixedClock(NOW))
        session.commit()
        user = PartyRepository(session).user_by_username("relief")
        if user is None:
            raise SystemExit("the demo has no user relief")
        party, by = user.party_id, user.id
        batch = 5_000
        next_id = 1
        for first in range(0, size, batch):
            rows = []
            for i in range(first, min(size, first + batch)):
                windows = schedule(rng)
                whole = span(windows)
                rows.append((i + 1, route(rng), rng.randrange(50, 501, 10), windows, whole))
            session.execute(
                insert(NotificationRecord),
                [
                    {
                        "id": n, "notifier_party_id": party, "created_by": by,
                        "kind": NotificationKind.MOVEMENT, "status": NotificationStatus.ACTIVE,
                        "current_version": 1, "emergency": False, "active_from": whole.start,
                        "active_until": whole.end, "created_at": NOW, "updated_at": NOW,
                        "end_note": "",
                    }
                    for n, _, _, _, whole in rows
                ],
            )  # fmt: skip
            session.execute(
                insert(NotificationVersionRecord),
                [
                    {
                        "id": n, "notification_id": n, "number": 1,
                        "geometry": shapely.geometry.mapping(line),
                        "shape_wkb": shapely.to_wkb(line),
                        **box_of(line, width / 2),
                        "width_m": float(width), "window_start": windows[0].start,
                        "window_end": windows[0].end, "content": {}, "shift_exists": False,
                        "created_at": NOW, "created_by": by,
                    }
                    for n, line, width, windows, _ in rows
                ],
            )  # fmt: skip
            occurrences = [
                (n, line, width, w) for n, line, width, windows, _ in rows for w in windows
            ]
            session.execute(
                insert(OccurrenceRecord),
                [
                    {
                        "id": next_id + k, "notification_id": n, "version_id": n,
                        "starts_at": w.start, "ends_at": w.end,
                    }
                    for k, (n, _, _, w) in enumerate(occurrences)
                ],
            )  # fmt: skip
            if session.get_bind().dialect.name == "sqlite":
                # As filing does (DeconflictionRepository.index_occurrences), in bulk.
                session.execute(
                    text(
                        "INSERT INTO deconfliction_occurrence_boxes "
                        "(id, min_lon, max_lon, min_lat, max_lat, min_t, max_t) "
                        "VALUES (:id, :min_lon, :max_lon, :min_lat, :max_lat, :t0, :t1)"
                    ),
                    [
                        {
                            "id": next_id + k, **box_of(line, width / 2),
                            "t0": w.start.timestamp(), "t1": w.end.timestamp(),
                        }
                        for k, (_, line, width, w) in enumerate(occurrences)
                    ],
                )  # fmt: skip
            next_id += len(occurrences)
            session.commit()
    engine.dispose()


def box_of(line: shapely.LineString, reach: float) -> dict[str, float]:
    west, south, east, north = grown_box(line, reach)
    return {"min_lon": west, "min_lat": south, "max_lon": east, "max_lat": north}


def _admin(server: str) -> Engine:
    return create_engine(normalise_url(server), isolation_level="AUTOCOMMIT", poolclass=NullPool)


def fresh_database(server: str, name: str) -> str:
    drop_database(server, name)
    with _admin(server).connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(server)).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_database(server: str, name: str) -> None:
    with _admin(server).connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def check(url: str, items: list[Item]) -> tuple[list[float], list[int]]:
    engine = make_engine(url)
    samples: list[float] = []
    found: list[int] = []
    with Session(engine) as session:
        for n, (line, width, windows) in enumerate(items):
            new = movement_footprint(0, line, width, windows, EPSG)
            started = time.perf_counter()
            box = grown_box(line, width / 2 + POLICY.site_margin_m)
            result = stored_conflicts(session, new, NotificationKind.MOVEMENT, POLICY, box)
            took = (time.perf_counter() - started) * 1000
            session.rollback()  # a fresh read each time, as a new request would
            if n >= 3:  # warm: connection, transformers
                samples.append(took)
                found.append(len(result.conflicts))
    engine.dispose()
    return samples, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--checks", type=int, default=60)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument(
        "--pg", help="a PostgreSQL server URL: one database per size is made there and dropped"
    )
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = start()
    out = Tee()
    rng = random.Random(args.seed)
    items = [
        (route(rng), float(rng.randrange(50, 501, 10)), schedule(rng))
        for _ in range(args.checks + 3)
    ]
    out(f"stored path (stored.stored_conflicts); {args.checks} new movements per size")
    out("times in ms: p50 / p99")
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            targets = [("sqlite", f"sqlite:///{Path(tmp) / f'c{size}.db'}")]
            if args.pg:
                targets.append(("pg", fresh_database(args.pg, f"tq_conflicts_{size}")))
            for name, url in targets:
                fill(url, size, random.Random(args.seed * 1_000 + size))
                samples, found = check(url, items)
                if name == "pg":
                    drop_database(args.pg, f"tq_conflicts_{size}")
                p50, p99 = statistics.median(samples), percentile(samples, 0.99)
                mean = statistics.mean(found)
                out(f"{name:>6} {size:>9,} {p50:>9.1f} / {p99:>9.1f}   conflicts/check {mean:.1f}")
                results[f"{name}_{size}"] = p99
    machine.finish()
    for key, value in results.items():
        out(f"result: conflict_db_p99_ms_{key} = {value:.1f}")
    if not args.no_write:
        write_section(
            "conflicts_db",
            "Deconfliction: conflict check against stored movements (filing's path)",
            machine,
            out.lines,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
