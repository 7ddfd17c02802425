"""A serving hub on SQLite checkpoints its WAL in a thread of its own (``start_checkpointer``):
commits no longer copy the WAL back themselves, yet the database file still receives it."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from tansiq.db.engine import SERVING_AUTOCHECKPOINT_PAGES, make_engine, start_checkpointer


def _autocheckpoint(engine_url: str) -> int:
    engine = make_engine(engine_url)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())
    finally:
        engine.dispose()


def test_the_wal_reaches_the_database_file_through_the_checkpointer(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB)"))
    stop = start_checkpointer(engine)
    try:
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one()
            assert pages == SERVING_AUTOCHECKPOINT_PAGES  # commits leave it to the thread
        size_before = path.stat().st_size
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO t (body) VALUES (:body)"),
                [{"body": bytes(4000)} for _ in range(300)],  # about 300 pages, under the bound
            )
        assert path.stat().st_size == size_before  # committed to the WAL only
        # The thread copies the pages back (the file grows as it writes them, in page order).
        copied = size_before + 300 * 4000
        deadline = time.monotonic() + 20
        while path.stat().st_size < copied and time.monotonic() < deadline:
            time.sleep(0.1)
        assert path.stat().st_size >= copied
    finally:
        stop()
    engine.dispose()
    assert _autocheckpoint(f"sqlite:///{path}") == 1000  # SQLite's default again


def test_an_in_memory_database_gets_no_checkpointer() -> None:
    engine = make_engine("sqlite://")
    stop = start_checkpointer(engine)
    stop()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one() == 1000
