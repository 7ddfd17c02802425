"""``tansiq base-layers``: import a layer from a file (it replaces its kind), list the uploads,
and a bad file or a non-admin is a coded one-line error with nothing stored."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import demo_url, run, write  # noqa: F401 - demo_url is a fixture
from tests.factories import collection, square

ROAD = {
    "type": "Feature",
    "properties": {"name_ar": "طريق التل", "name_en": "Hill Road", "rank": 2},
    "geometry": {"type": "LineString", "coordinates": [[41.05, 34.38], [41.06, 34.39]]},
}


def test_an_imported_layer_replaces_its_kind(demo_url: str, tmp_path: Path) -> None:  # noqa: F811
    listed = run(demo_url, "base-layers", "list")
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("current") == 4  # the demo town's four layers
    done = run(
        demo_url,
        "base-layers",
        "import",
        write(tmp_path / "hill.geojson", collection(ROAD)),
        "--kind",
        "roads",
    )
    assert done.exit_code == 0, done.output
    assert "1 features" in done.output
    rows = [line.split("\t") for line in run(demo_url, "base-layers", "list").output.splitlines()]
    roads = [(row[4], row[5]) for row in rows if row[1] == "roads"]
    assert roads == [("current", "hill.geojson"), ("superseded", "base_roads.geojson")]


def test_a_bad_layer_or_user_is_a_coded_error(demo_url: str, tmp_path: Path) -> None:  # noqa: F811
    polygon = write(tmp_path / "block.geojson", collection(square(41.0, 34.0)))
    refused = run(demo_url, "base-layers", "import", polygon, "--kind", "roads")
    assert refused.exit_code != 0
    assert "geojson.wrong_geometry_type" in refused.output or "geojson.invalid" in refused.output
    assert "Traceback" not in refused.output
    road = write(tmp_path / "hill.geojson", collection(ROAD))
    authority = run(
        demo_url, "base-layers", "import", road, "--kind", "roads", "--as", "west.admin"
    )
    assert authority.exit_code != 0
    assert "auth.forbidden" in authority.output
    rows = run(demo_url, "base-layers", "list").output
    assert "hill.geojson" not in rows
    assert "block.geojson" not in rows
