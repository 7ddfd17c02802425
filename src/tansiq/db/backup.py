"""Backups of the hub's database that Tansiq checks itself: ``tansiq backup`` and ``restore``.

SQLite is copied online with its backup API, from inside one read transaction that also counts
every table's rows, so the counts describe exactly the copy. PostgreSQL is dumped with
``pg_dump -Fc`` under a snapshot exported by a repeatable-read transaction that counts the
rows in the same snapshot. The counts and the schema version go to a manifest beside the
backup (``PATH.manifest.json``); the backup is then checked against it, and so is every
restore.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, column, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_, NP_
from tansiq.db.engine import make_engine
from tansiq.db.migrate import alembic_config, upgrade

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
VERSION_TABLE = "alembic_version"
SQLITE_BUSY, SQLITE_LOCKED = 5, 6  # result codes of sqlite3_backup_step


class BackupExists(TansiqError):
    code = "backup.exists"
    message = N_("{path} already exists; choose another name, or pass --force to replace it.")
    category = ErrorCategory.CONFLICT


class ToolMissing(TansiqError):
    code = "backup.tool_missing"
    message = N_(
        "Backing up or restoring PostgreSQL needs {tool} (PostgreSQL's client tools, the same "
        "major version as the server) on the PATH."
    )


class ToolFailed(TansiqError):
    code = "backup.tool_failed"
    message = N_("{tool} failed: {problem}")


class NotABackup(TansiqError):
    code = "backup.unreadable"
    message = N_("{path} is not a backup Tansiq can read: {problem}")


class BackupMismatch(TansiqError):
    code = "backup.mismatch"
    message = N_(
        "The check failed: the table {table} does not hold the rows that were backed up "
        "({found} found, {expected} expected)."
    )
    category = ErrorCategory.CONFLICT


class UnknownSchema(TansiqError):
    code = "backup.unknown_schema"
    message = N_(
        "The backup's schema version {version} is unknown to this Tansiq; restore it with the "
        "version that made it."
    )


class WrongBackend(TansiqError):
    code = "backup.wrong_backend"
    message = N_("{path} is a {found} backup; it cannot be restored into a {expected} database.")


class DatabaseNotEmpty(TansiqError):
    code = "restore.not_empty"
    message = NP_(
        "The database already holds {count} row; pass --force to replace it with the backup.",
        "The database already holds {count} rows; pass --force to replace them with the backup.",
    )
    category = ErrorCategory.CONFLICT


class DatabaseInUse(TansiqError):
    code = "restore.in_use"
    message = N_("The database is in use ({problem}); stop the hub and its workers first.")
    category = ErrorCategory.CONFLICT


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: its backend, schema version and every table's row count."""

    backend: str
    schema: str | None
    tables: dict[str, int]
    created_at: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def save(self, backup: Path) -> None:
        manifest_path(backup).write_text(
            json.dumps(
                {
                    "backend": self.backend,
                    "schema": self.schema,
                    "tables": self.tables,
                    "created_at": self.created_at,
                },
                indent=2,
                sort_keys=True,
            )
            + "\n",
            encoding="utf-8",
        )

    @classmethod
    def load(cls, backup: Path) -> Manifest | None:
        path = manifest_path(backup)
        if not path.exists():
            return None
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                backend=str(data["backend"]),
                schema=None if data["schema"] is None else str(data["schema"]),
                tables={str(name): int(count) for name, count in data["tables"].items()},
                created_at=str(data["created_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as problem:
            raise NotABackup(path=str(path), problem=str(problem)[:200]) from None


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows in every table but Alembic's, in the connection's current transaction."""
    return {
        name: int(connection.execute(select(func.count()).select_from(table(name))).scalar_one())
        for name in sorted(inspect(connection).get_table_names())
        if name != VERSION_TABLE
    }


def schema_version(connection: Connection) -> str | None:
    if VERSION_TABLE not in inspect(connection).get_table_names():
        return None
    return connection.execute(select(table(VERSION_TABLE, column("version_num")))).scalar()


def known_revisions(engine: Engine) -> set[str]:
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    return {revision.revision for revision in scripts.walk_revisions()}


def backup(engine: Engine, path: Path, *, now: datetime, force: bool = False) -> Manifest:
    """Copy the database behind ``engine`` to ``path``, write its manifest, and check the copy."""
    if path.exists() and not force:
        raise BackupExists(path=str(path))
    path.unlink(missing_ok=True)
    if engine.dialect.name == "sqlite":
        manifest = _backup_sqlite(engine, path, now)
    else:
        manifest = _backup_postgresql(engine, path, now)
    manifest.save(path)
    verify(path, engine)
    return manifest


def _backup_sqlite(engine: Engine, path: Path, now: datetime) -> Manifest:
    with engine.connect() as connection, connection.begin():
        # One read transaction: the counts and the copy see the same moment, while the hub
        # goes on writing (WAL readers do not block the writer).
        manifest = Manifest(
            "sqlite", schema_version(connection), table_counts(connection), _iso(now)
        )
        source = _sqlite3(connection.connection.driver_connection)
        target = sqlite3.connect(path)
        try:
            source.backup(target)
            # One self-contained file (the hub's WAL mode would want -wal and -shm beside it).
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    return manifest


def _backup_postgresql(engine: Engine, path: Path, now: datetime) -> Manifest:
    pg_dump = _tool("pg_dump")
    url, env = _libpq(engine)
    repeatable = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with repeatable as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        manifest = Manifest(
            "postgresql", schema_version(connection), table_counts(connection), _iso(now)
        )
        # pg_dump reads the snapshot this transaction exported, so it dumps what was counted.
        _run([pg_dump, "-Fc", f"--snapshot={snapshot}", "-f", str(path), url], env)
    return manifest


def verify(path: Path, engine: Engine) -> Manifest:
    """Check a backup against its manifest: readable, a known schema, every table's rows."""
    backend = backup_backend(path)
    manifest = Manifest.load(path)
    found = _sqlite_file(path) if backend == "sqlite" else _pgdump_listing(path, manifest)
    if found.schema is not None and found.schema not in known_revisions(engine):
        raise UnknownSchema(version=found.schema)
    if manifest is not None:
        _compare(found.tables, manifest.tables)
        return manifest
    return found


def restore(engine: Engine, path: Path, *, force: bool = False) -> Manifest:
    """Replace the database behind ``engine`` with the backup at ``path``; check the result."""
    expected = verify(path, engine)
    backend = backup_backend(path)
    if backend != engine.dialect.name:
        raise WrongBackend(path=str(path), found=backend, expected=engine.dialect.name)
    with engine.connect() as connection:
        rows = _rows_beyond(table_counts(connection), _migration_rows())
    if rows and not force:
        raise DatabaseNotEmpty(count=rows)
    if backend == "sqlite":
        _restore_sqlite(engine, path)
    else:
        _restore_postgresql(engine, path)
    engine.dispose()  # nothing pooled from before the restore
    with engine.connect() as connection:
        _compare(table_counts(connection), expected.tables)
        if schema_version(connection) != expected.schema:
            raise UnknownSchema(version=str(schema_version(connection)))
    return expected


def _migration_rows() -> dict[str, int]:
    """The rows the migrations themselves write (a new database is empty but for these)."""
    fresh = make_engine("sqlite://")
    try:
        upgrade(fresh)
        with fresh.connect() as connection:
            return table_counts(connection)
    finally:
        fresh.dispose()


def _rows_beyond(found: dict[str, int], baseline: dict[str, int]) -> int:
    return sum(max(0, count - baseline.get(name, 0)) for name, count in found.items())


def _restore_sqlite(engine: Engine, path: Path) -> None:
    engine.dispose()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    raw = engine.raw_connection()
    try:
        target = _sqlite3(raw.driver_connection)
        patience_ms = int(target.execute("PRAGMA busy_timeout").fetchone()[0])
        source.backup(target, progress=_give_up_after(patience_ms))
    except sqlite3.OperationalError as problem:
        raise DatabaseInUse(problem=str(problem)[:200]) from None
    finally:
        raw.close()
        source.close()


def _give_up_after(patience_ms: int) -> Callable[[int, int, int], None]:
    """A backup progress callback that stops a copy kept waiting for a lock too long.

    Python's backup loop retries a busy destination forever; a hub still writing to it would
    hold the restore up for good.
    """
    waited_since: list[float] = []

    def progress(status: int, _remaining: int, _total: int) -> None:
        if status not in (SQLITE_BUSY, SQLITE_LOCKED):
            waited_since.clear()
            return
        if not waited_since:
            waited_since.append(time.monotonic())
        if (time.monotonic() - waited_since[0]) * 1000 >= patience_ms:
            raise DatabaseInUse(problem="database is locked")

    return progress


def _restore_postgresql(engine: Engine, path: Path) -> None:
    pg_restore = _tool("pg_restore")
    url, env = _libpq(engine)
    with engine.connect() as connection:
        # pg_restore --clean drops only what the dump holds; start from an empty schema so a
        # table the backup does not have cannot survive the restore.
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        connection.commit()
    engine.dispose()
    _run(
        [pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "-d", url, str(path)],
        env,
    )


def backup_backend(path: Path) -> str:
    """``sqlite`` or ``postgresql``, from the file's first bytes."""
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except OSError as problem:
        raise NotABackup(path=str(path), problem=str(problem)[:200]) from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise NotABackup(path=str(path), problem="neither a SQLite file nor a pg_dump archive")


def _sqlite_file(path: Path) -> Manifest:
    copy = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True),
        poolclass=NullPool,
    )
    try:
        with copy.connect() as connection:
            check = connection.execute(text("PRAGMA integrity_check")).scalar()
            if check != "ok":
                raise NotABackup(path=str(path), problem=f"integrity check: {check}")
            return Manifest("sqlite", schema_version(connection), table_counts(connection), "")
    finally:
        copy.dispose()


def _pgdump_listing(path: Path, manifest: Manifest | None) -> Manifest:
    """What a pg_dump archive's table of contents shows (its rows are counted on restore)."""
    listing = _run([_tool("pg_restore"), "--list", str(path)], dict(os.environ))
    dumped = {
        parts[-2]
        for line in listing.splitlines()
        if " TABLE DATA " in line and len(parts := line.split()) >= 3
    }
    if manifest is None:
        # A dump's rows are only known once restored: without the counts there is no check.
        raise NotABackup(path=str(path), problem=f"its manifest {manifest_path(path)} is missing")
    expected = manifest.tables
    missing = sorted(set(expected) - dumped)
    if missing:
        raise BackupMismatch(table=missing[0], found=0, expected=expected[missing[0]])
    return Manifest("postgresql", manifest.schema, expected, "")


def _compare(found: dict[str, int], expected: dict[str, int]) -> None:
    for name in sorted(set(found) | set(expected)):
        if found.get(name, 0) != expected.get(name, 0):
            raise BackupMismatch(
                table=name, found=found.get(name, 0), expected=expected.get(name, 0)
            )


def _sqlite3(connection: Any) -> sqlite3.Connection:
    if not isinstance(connection, sqlite3.Connection):  # pragma: no cover - make_engine's driver
        raise TypeError(f"not a sqlite3 connection: {connection!r}")
    return connection


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(tool=name)
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The engine's database as a libpq URL, its password passed in the environment (not on
    a command line anyone on the machine can read)."""
    url = make_url(engine.url.render_as_string(hide_password=False))
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 - a PostgreSQL tool found on PATH, arguments ours
        command, capture_output=True, text=True, env=env, check=False
    )
    if result.returncode != 0:
        raise ToolFailed(tool=Path(command[0]).name, problem=result.stderr.strip()[:500])
    return result.stdout


def _iso(now: datetime) -> str:
    return now.isoformat()
