"""What a person sees when the hub's configuration is wrong: one coded line on stderr, in their
language, a non-zero exit, no traceback, and no database file made by accident. Run as real
processes, as a person would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tansiq.cli.base import DatabaseMissing, DatabaseNotReady
from tansiq.cli.errors import EXIT_BY_CATEGORY
from tansiq.settings import SettingInvalid


def tansiq(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``tansiq ARGS`` in ``folder`` with only the ``TANSIQ_*`` variables given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TANSIQ_")}
    return subprocess.run(
        [sys.executable, "-m", "tansiq.cli", *args],
        cwd=folder,
        env={**clean, "TANSIQ_LANG": "en", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_coded_line(result: subprocess.CompletedProcess[str], code: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error {code}: "), lines[0]
    return lines[0]


def test_an_invalid_setting_names_itself(tmp_path: Path) -> None:
    result = tansiq(tmp_path, "zones", "maps", TANSIQ_REVIEW_DEADLINE_HOURS="0")
    line = one_coded_line(result, SettingInvalid.code)
    assert "TANSIQ_REVIEW_DEADLINE_HOURS" in line
    assert line.endswith("'0' is too small; it must be greater than 0.")
    assert result.returncode == EXIT_BY_CATEGORY[SettingInvalid.category]
    assert list(tmp_path.iterdir()) == []

    arabic = tansiq(
        tmp_path, "serve", TANSIQ_PORT="eighty", TANSIQ_LANG="ar", TANSIQ_JOB_LEASE_S="-1"
    )
    assert "Traceback" not in arabic.stderr
    first, *details = arabic.stderr.strip().splitlines()
    assert first.startswith("error settings.invalid: ")
    assert "TANSIQ_PORT" in first
    assert "الإعداد" in first
    assert [d.split()[1:3] for d in details] == [
        ["settings.int_parsing", "path=TANSIQ_PORT:"],
        ["settings.greater_than", "path=TANSIQ_JOB_LEASE_S:"],
    ]


@pytest.mark.parametrize(
    "command",
    [
        ("zones", "maps"),
        ("parties", "list"),
        ("serve",),
        ("worker", "--once"),
        ("checkpoint", "register", "W-SOUTH", "--as", "west.admin"),
    ],
)
def test_no_database_is_refused_and_none_is_made(tmp_path: Path, command: tuple[str, ...]) -> None:
    result = tansiq(tmp_path, *command)
    line = one_coded_line(result, DatabaseMissing.code)
    assert str(tmp_path / "tansiq.db") in line
    assert result.returncode == EXIT_BY_CATEGORY[DatabaseMissing.category]
    assert list(tmp_path.iterdir()) == []


def test_a_database_without_tables_and_db_upgrade_making_one(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    (tmp_path / "hub.db").touch()
    empty = tansiq(tmp_path, "zones", "maps", TANSIQ_DATABASE_URL=url)
    one_coded_line(empty, DatabaseNotReady.code)
    assert empty.returncode == EXIT_BY_CATEGORY[DatabaseNotReady.category]

    made = tansiq(tmp_path, "--database-url", f"sqlite:///{tmp_path / 'new.db'}", "db", "upgrade")
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "new.db").exists()
    listed = tansiq(tmp_path, "zones", "maps", TANSIQ_DATABASE_URL=f"sqlite:///{tmp_path}/new.db")
    assert listed.returncode == 0, listed.stderr

    nowhere = tansiq(tmp_path, "db", "upgrade", TANSIQ_DATABASE_URL="sqlite:////no/such/dir/x.db")
    assert "unable to open database file" in one_coded_line(nowhere, "cli.database_unreachable")
    garbled = tansiq(tmp_path, "zones", "maps", TANSIQ_DATABASE_URL="tansiq.db")
    one_coded_line(garbled, "cli.database_url_invalid")
