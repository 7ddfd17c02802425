"""The benches' building code runs at a tiny size (speed is measured by bench/, never here)."""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime
from pathlib import Path

import shapely

from tansiq.checkpoints.client import BATCH as CLI_BATCH
from tansiq.checkpoints.schemas import ScanBatchIn
from tansiq.clearances.schemas import ApplicationIn
from tansiq.web.session import SESSION_COOKIE, SessionSigner

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import figures
import load
import load_phases
import report
import route
import sync


def test_each_bench_owns_its_section_of_the_performance_page(tmp_path: Path) -> None:
    page = tmp_path / "performance.md"
    machine = report.Machine(
        cores=2,
        load_start=(0.1, 0.1, 0.1),
        started=datetime.now(UTC),
        versions=report.versions(),
    )
    machine.load_end = (0.2, 0.1, 0.1)
    report.write_section("cli", "Command line", machine, ["result: help_s = 0.3"], page)
    report.write_section("sync", "Sync", machine, ["result: a = 1"], page)
    report.write_section("sync", "Sync", machine, ["result: a = 2"], page)
    text = page.read_text(encoding="utf-8")
    assert text.count("<!-- bench:sync -->") == 1
    assert "result: a = 2" in text
    assert "result: a = 1" not in text
    assert "result: help_s = 0.3" in text
    loaded = report.Machine(cores=2, load_start=(1.5, 1, 1), started=machine.started, versions={})
    assert loaded.loaded
    assert not machine.loaded


def test_route_zones_are_valid_map_shaped_polygons_and_import(tmp_path: Path) -> None:
    rng = random.Random(1)
    maps = route.zone_maps(100, rng)
    assert len(maps) == route.AUTHORITY_COLS * route.AUTHORITY_ROWS
    for document in maps:
        for feature in document["features"]:
            ring = feature["geometry"]["coordinates"][0]
            assert 200 <= len(ring) - 1 <= 600
            assert shapely.Polygon(ring).is_valid
    _seconds, token, vertices = route.load(f"sqlite:///{tmp_path / 'route.db'}", 100, rng)
    assert token
    assert vertices >= 100 * 200
    assert len(route.route(100, rng)["coordinates"]) == route.ROUTE_POINTS


def test_sync_events_carry_the_expected_contradictions_and_clones() -> None:
    places = [
        sync.Checkpoint("W-GATE", "west-command", 41.04, 34.4, 0),
        sync.Checkpoint("E-GATE", "east-force", 41.16, 34.4, 1),
    ]
    devices = [
        sync.Device(places[i % 2], (CLI_BATCH, sync.browser_batch())[i % 2]) for i in range(4)
    ]
    signed = {"P-000001": {"west-command"}, "P-000002": {"west-command", "east-force"}}
    expected = sync.make_events(devices, signed, 2_000, random.Random(3))
    assert expected.events == sum(len(d.events) for d in devices) == 2_000
    assert expected.clones == 2
    refusals = [e for d in devices for e in d.events if e["action"] == "refusal"]
    assert refusals
    assert all(e["reason_code"] for e in refusals)
    assert sum(len(d.bodies) for d in devices) >= 4
    assert {d.batch for d in devices} == {CLI_BATCH, sync.browser_batch()}


def test_load_mixes_every_kind_of_client_and_builds_valid_requests() -> None:
    for total in (7, 32, 64):
        kinds = load.clients_of(total)
        assert len(kinds) == total
        assert set(kinds) == set(load.MIX)
    bodies = [json.loads(body) for body in load.route_bodies(50)]
    assert len(bodies[-1]["route"]["coordinates"]) == 50
    assert all(body["route"]["type"] == "LineString" for body in bodies)
    ApplicationIn.model_validate(load.application(1, random.Random(2)))
    cookies = load.session_cookies("a-secret-long-enough-for-the-bench-0123", {"trader": "tq_x"})
    name, _, value = cookies["trader"].partition("=")
    assert name == SESSION_COOKIE
    assert SessionSigner("a-secret-long-enough-for-the-bench-0123").load(value).token == "tq_x"
    scan = ScanBatchIn.model_validate_json(load_phases.scan_body(random.Random(4)))
    assert len(scan.events) == 1


def test_the_load_phases_tally_what_the_hub_answered() -> None:
    tally = load_phases.PhaseTally()
    tally.note(200, 0.01, {"stored": 3, "duplicates": 1}, "sync")
    tally.note(503, 0.02, {"error": {"code": "database.busy"}}, "sync")
    tally.note(0, 0.03, "ConnectionResetError()", "sync")
    tally.note(401, 0.01, {"error": {"code": "device.bad_token"}}, "sync")
    assert (tally.requests, tally.ok, tally.errors, tally.unexpected) == (4, 1, 2, 1)
    assert (tally.stored, tally.duplicates) == (3, 1)
    assert len(tally.samples) == 3


def test_figures_bench_data_agrees_with_the_services_and_the_back_fill(tmp_path: Path) -> None:
    """The bench's year (made in SQL, tallies included) reads through the service as the
    records count; the migration's back-fill, run on the same records, makes the same tallies
    (times to decision compared by count per day, since the bucket edges are compared in
    floating point on both sides)."""
    import importlib.util
    import sqlite3

    from sqlalchemy import create_engine

    url, rows, _seconds = figures.build(tmp_path / "figures.db", 400)
    assert rows > 400
    figures.check(url)  # raises SystemExit on any difference
    assert figures.measure(url, 1, report.Tee())

    def tallies() -> tuple[set[tuple[object, ...]], dict[tuple[object, ...], int]]:
        with sqlite3.connect(tmp_path / "figures.db") as connection:
            found = connection.execute("SELECT * FROM figure_tallies").fetchall()
        exact = {row for row in found if row[2] != "decision_time"}
        timed: dict[tuple[object, ...], int] = {}
        for row in found:
            if row[2] == "decision_time":
                timed[row[:4]] = timed.get(row[:4], 0) + row[-1]
        return exact, timed

    made = tallies()
    with sqlite3.connect(tmp_path / "figures.db") as connection:
        connection.execute("DELETE FROM figure_tallies")
    path = Path(__file__).resolve().parent.parent / "src/tansiq/migrations/versions/0012_figures.py"
    spec = importlib.util.spec_from_file_location("figures_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    engine = create_engine(url)
    with engine.begin() as bound:
        migration._back_fill(bound)
    engine.dispose()
    assert tallies() == made


def test_map_bbox_asks_for_areas_the_hub_accepts() -> None:
    import map_bbox
    from tansiq.geo.viewport import parse_bbox

    for zoom in map_bbox.ZOOMS:
        box = parse_bbox(map_bbox.area_of(40.7, 34.3, zoom))
        assert box.west <= 40.7 <= box.east
        assert box.south <= 34.3 <= box.north
        assert box.east - box.west <= 4 * 360 / 2**zoom  # the view grown to whole tiles
