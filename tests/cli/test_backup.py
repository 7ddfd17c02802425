"""``tansiq backup`` and ``tansiq restore``: a round trip that Tansiq checks itself, and the
refusals (an existing file, a database that holds data, a tampered or foreign file)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine, make_session_factory
from tansiq.db.unit_of_work import unit_of_work
from tansiq.demo.service import load_demo
from tansiq.parties.domain import PartyKind
from tests.conftest import NOW, DatabaseFactory
from tests.factories import party


def tansiq(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in inspect(connection).get_table_names()
            }
    finally:
        engine.dispose()


@pytest.fixture
def hub_url(databases: DatabaseFactory) -> Iterator[str]:
    """A hub database with the demo town committed."""
    url = databases.migrated_url("backup")
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            load_demo(session, FixedClock(NOW))
            session.commit()
        yield url
    finally:
        engine.dispose()


def test_backup_and_restore_round_trip_checked_by_tansiq(
    hub_url: str, databases: DatabaseFactory, tmp_path: Path, backend: str
) -> None:
    copy = tmp_path / "hub.backup"
    made = tansiq("--database-url", hub_url, "backup", str(copy))
    assert made.exit_code == 0, made.output
    assert made.output.endswith(f"({backend}) to {copy}; checked.\n")
    manifest = json.loads(Path(f"{copy}.manifest.json").read_text(encoding="utf-8"))
    original = rows(hub_url)
    assert manifest["backend"] == backend
    assert manifest["tables"] == {k: v for k, v in original.items() if k != "alembic_version"}
    assert manifest["tables"]["users"] > 0

    checked = tansiq("backup", "--verify", str(copy))
    assert checked.exit_code == 0, checked.output

    target = databases.new_url("restored")
    restored = tansiq("--database-url", target, "restore", str(copy))
    assert restored.exit_code == 0, restored.output
    assert rows(target) == original

    again = tansiq("--database-url", target, "restore", str(copy))
    assert again.exit_code == 4
    assert "restore.not_empty" in again.output
    forced = tansiq("--database-url", target, "restore", "--force", str(copy))
    assert forced.exit_code == 0, forced.output
    assert rows(target) == original


def test_backup_refuses_to_replace_a_file_unless_forced(hub_url: str, tmp_path: Path) -> None:
    copy = tmp_path / "hub.backup"
    copy.write_bytes(b"precious")
    refused = tansiq("--database-url", hub_url, "backup", str(copy))
    assert refused.exit_code == 4
    assert "backup.exists" in refused.output
    assert copy.read_bytes() == b"precious"
    forced = tansiq("--database-url", hub_url, "backup", "--force", str(copy))
    assert forced.exit_code == 0, forced.output


def test_a_backup_that_does_not_match_its_manifest_is_refused(
    hub_url: str, databases: DatabaseFactory, tmp_path: Path
) -> None:
    copy = tmp_path / "hub.backup"
    assert tansiq("--database-url", hub_url, "backup", str(copy)).exit_code == 0
    manifest = Path(f"{copy}.manifest.json")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["tables"]["parties"] += 1
    manifest.write_text(json.dumps(data), encoding="utf-8")

    target = databases.new_url("tampered")
    refused = tansiq("--database-url", target, "restore", str(copy))
    assert refused.exit_code == 4
    assert "backup.mismatch" in refused.output
    assert "parties" in refused.output


def test_a_file_that_is_no_backup_is_refused(tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("not a database", encoding="utf-8")
    refused = tansiq("backup", "--verify", str(stray))
    assert refused.exit_code == 2
    assert "backup.unreadable" in refused.output


def test_postgresql_without_its_client_tools_is_a_coded_error(
    hub_url: str, tmp_path: Path, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite needs no outside tool")
    refused = tansiq(
        "--database-url", hub_url, "backup", str(tmp_path / "hub.dump"), env={"PATH": str(tmp_path)}
    )
    assert refused.exit_code == 2
    assert "backup.tool_missing" in refused.output
    assert "pg_dump" in refused.output


def test_a_backup_taken_while_the_hub_writes_is_consistent(
    hub_url: str, databases: DatabaseFactory, tmp_path: Path
) -> None:
    """Parties are created without pause during the backup; the copy is one moment's state
    (its counts are the manifest's), and the writer is not held up for its duration."""
    engine = make_engine(hub_url)
    sessions = make_session_factory(engine)
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        clock = FixedClock(NOW)
        while not stop.is_set():
            with unit_of_work(sessions) as session:
                party(session, clock, PartyKind.TRADER)
            written.append(1)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(written) < 5:
            time.sleep(0.01)
        copy = tmp_path / "online.backup"
        before = len(written)
        made = tansiq("--database-url", hub_url, "backup", str(copy))
        during = len(written) - before
    finally:
        stop.set()
        writer.join(timeout=30)
        engine.dispose()
    assert made.exit_code == 0, made.output
    assert during > 0, "the writer was held up for the whole backup"
    target = databases.new_url("online")
    restored = tansiq("--database-url", target, "restore", str(copy))
    assert restored.exit_code == 0, restored.output
    backed_up = json.loads(Path(f"{copy}.manifest.json").read_text(encoding="utf-8"))
    assert rows(target)["parties"] == backed_up["tables"]["parties"]
    assert rows(hub_url)["parties"] > backed_up["tables"]["parties"]


def sqlite_only(backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("a SQLite file edited or locked by hand")


def test_a_backup_of_a_schema_this_tansiq_does_not_know_is_refused(
    hub_url: str, tmp_path: Path, backend: str
) -> None:
    sqlite_only(backend)
    copy = tmp_path / "future.backup"
    assert tansiq("--database-url", hub_url, "backup", str(copy)).exit_code == 0
    with sqlite3.connect(copy) as edited:
        edited.execute("UPDATE alembic_version SET version_num = '9999'")
    edited.close()
    refused = tansiq("backup", "--verify", str(copy))
    assert refused.exit_code == 2
    assert "backup.unknown_schema" in refused.output
    assert "9999" in refused.output


def test_restoring_into_a_database_in_use_is_refused(
    hub_url: str, databases: DatabaseFactory, tmp_path: Path, backend: str
) -> None:
    sqlite_only(backend)
    copy = tmp_path / "hub.backup"
    assert tansiq("--database-url", hub_url, "backup", str(copy)).exit_code == 0
    target = databases.migrated_url("busy")
    # A hub still writing holds SQLite's write lock: here a plain sqlite3 connection does.
    holder = sqlite3.connect(make_url(target).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        refused = tansiq(
            "--database-url",
            target,
            "restore",
            str(copy),
            env={"TANSIQ_SQLITE_BUSY_TIMEOUT_MS": "50"},
        )
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    assert refused.exit_code == 4, refused.output
    assert "restore.in_use" in refused.output


def test_a_dump_without_its_manifest_is_refused(hub_url: str, tmp_path: Path, backend: str) -> None:
    """A SQLite copy can be counted on its own; a pg_dump archive only against its manifest."""
    copy = tmp_path / "hub.backup"
    assert tansiq("--database-url", hub_url, "backup", str(copy)).exit_code == 0
    Path(f"{copy}.manifest.json").unlink()
    checked = tansiq("backup", "--verify", str(copy))
    if backend == "sqlite":
        assert checked.exit_code == 0, checked.output
    else:
        assert checked.exit_code == 2
        assert "backup.unreadable" in checked.output
        assert "manifest" in checked.output
