"""The trader form's pure parts, table-driven: list edits, times read on the town's clock,
problem paths."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tansiq.clearances.pages.form import Values, anchor, apply_op, parse_time, path_of


@pytest.mark.parametrize(
    ("op", "stops"),
    [
        ("cp-add", ["A", "B", "C", ""]),
        ("cp-up-1", ["B", "A", "C"]),
        ("cp-up-0", ["A", "B", "C"]),
        ("cp-down-1", ["A", "C", "B"]),
        ("cp-down-2", ["A", "B", "C"]),
        ("cp-remove-0", ["B", "C"]),
        ("cp-remove-9", ["A", "B", "C"]),
        ("cp-up-x", ["A", "B", "C"]),
        ("nonsense", ["A", "B", "C"]),
    ],
)
def test_checkpoint_list_edits(op: str, stops: list[str]) -> None:
    values = Values(checkpoints=["A", "B", "C"])
    apply_op(values, op)
    assert values.checkpoints == stops


def test_cargo_lines_never_drop_to_none() -> None:
    values = Values()
    apply_op(values, "cargo-remove-0")
    assert len(values.cargo) == 1
    apply_op(values, "cargo-add")
    apply_op(values, "cargo-add")
    values.cargo[1]["description"] = "kept"
    apply_op(values, "cargo-remove-0")
    assert [row["description"] for row in values.cargo] == ["kept", ""]


@pytest.mark.parametrize(
    ("text", "zone", "moment"),
    [
        ("2026-11-25T16:00", "Asia/Baghdad", datetime(2026, 11, 25, 13, 0, tzinfo=UTC)),
        ("2026-11-25T16:30:30", "Asia/Tehran", datetime(2026, 11, 25, 13, 0, 30, tzinfo=UTC)),
        ("2026-11-25T13:00", "UTC", datetime(2026, 11, 25, 13, 0, tzinfo=UTC)),
        # An offset typed with the time counts, whatever the town's zone.
        ("2026-11-25T16:00+03:00", "Asia/Tehran", datetime(2026, 11, 25, 13, 0, tzinfo=UTC)),
        (" 2026-11-25T16:00 ", "Asia/Baghdad", datetime(2026, 11, 25, 13, 0, tzinfo=UTC)),
        ("tomorrow", "Asia/Baghdad", None),
        ("", "Asia/Baghdad", None),
        ("0001-01-01T00:00+01:00", "UTC", None),
    ],
)
def test_times_are_read_on_the_towns_clock(text: str, zone: str, moment: datetime | None) -> None:
    assert parse_time(text, ZoneInfo(zone)) == moment


@pytest.mark.parametrize(
    ("loc", "path", "field_id"),
    [
        (("origin",), "origin", "origin"),
        (("vehicle", "plate"), "vehicle.plate", "vehicle-plate"),
        (("cargo", 0, "gross_mass_kg"), "cargo[0].gross_mass_kg", "cargo-0-gross-mass-kg"),
        (("checkpoints", 2), "checkpoints[2]", "checkpoints-2"),
        (("route",), "route", "route-section"),
        ((), "", "form"),
    ],
)
def test_problem_paths_name_the_field(loc: tuple[int | str, ...], path: str, field_id: str) -> None:
    assert path_of(loc) == path
    assert anchor(path) == field_id
