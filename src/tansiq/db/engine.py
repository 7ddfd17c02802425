"""The one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

WRITE_OPTION = "tansiq_write"
_PENDING_BEGIN = "tansiq_pending_begin"
_WRITES = "tansiq_writes"
_HOLDS_WRITER = "tansiq_holds_writer"
# A serving hub's SQLite connections leave WAL checkpoints to a thread of their own (below);
# they checkpoint themselves only if the WAL passes this many pages (64 MB at 4 kB a page),
# which bounds it should that thread fall behind.
SERVING_AUTOCHECKPOINT_PAGES = 16_000
CHECKPOINT_EVERY_S = 0.5
_autocheckpoint: weakref.WeakKeyDictionary[Engine, int] = weakref.WeakKeyDictionary()


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, busy_timeout_ms: int = 5000, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys, a busy timeout and the PEP 249 recipe.

    pysqlite begins transactions lazily and never around SAVEPOINTs, which makes
    ``Session(join_transaction_mode="create_savepoint")`` leak rows. Following SQLAlchemy's
    documented recipe, we turn off pysqlite's own transaction handling and emit BEGIN ourselves.
    """
    url = normalise_url(url)
    is_sqlite = make_url(url).get_backend_name() == "sqlite"
    if is_sqlite:
        kwargs.setdefault("connect_args", {}).setdefault("check_same_thread", False)
    engine = create_engine(url, **kwargs)
    if is_sqlite:
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


SQLITE_CACHE_KIB = 65_536  # each connection's page cache (SQLite's default: 2,000 KiB)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # PEP 249 recipe: we emit BEGIN ourselves.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA cache_size={-SQLITE_CACHE_KIB}")
            pages = _autocheckpoint.get(engine)
            if pages is not None:
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # BEGIN waits for the transaction's first statement (below), so the work a request does
        # before touching the database (parsing, validating, hashing) holds no lock. A unit
        # that will write takes the write lock with that first statement (BEGIN IMMEDIATE,
        # which waits up to the busy timeout): a deferred transaction that reads first and
        # writes later is refused at once ("database is locked") when another writer got there
        # in between, whatever the busy timeout. A unit that only reads never asks for it.
        connection.info[_PENDING_BEGIN] = True
        connection.info[_WRITES] = bool(connection.get_execution_options().get(WRITE_OPTION))

    # This process's writers queue here for SQLite's one write lock: the next one goes as soon
    # as the lock is handed back, where SQLite's busy handler would poll (every 100 ms once it
    # has waited a while), leaving the lock idle and serving the waiters in no order.
    writer = threading.Lock()

    @event.listens_for(engine, "before_cursor_execute")
    def on_statement(connection: Any, *_args: Any) -> None:
        if not connection.info.pop(_PENDING_BEGIN, False):
            return
        if not connection.info.pop(_WRITES, False):
            connection.exec_driver_sql("BEGIN")
            return
        if not in_memory:
            if not writer.acquire(timeout=busy_timeout_ms / 1000):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                )
            connection.info[_HOLDS_WRITER] = writer
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    def release(info: dict[Any, Any]) -> None:
        # A transaction that ran no statement never began; nothing is left pending.
        info.pop(_PENDING_BEGIN, None)
        info.pop(_WRITES, None)
        held = info.pop(_HOLDS_WRITER, None)
        if held is not None:
            held.release()

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def on_end(connection: Any) -> None:
        release(connection.info)

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        release(record.info)  # a connection closed or invalidated mid-transaction


@event.listens_for(Session, "after_begin")
def _mark_writes(session: Session, _transaction: Any, connection: Any) -> None:
    """A unit of work says whether it will write (``unit_of_work(write=...)``); its connection
    learns it as the session's transaction begins, before the first statement."""
    if session.info.get(WRITE_OPTION) and connection.info.get(_PENDING_BEGIN):
        connection.info[_WRITES] = True


def start_checkpointer(engine: Engine) -> Callable[[], None]:
    """For a hub process on a SQLite file: copy the WAL back into the database in a thread of
    its own, every half second, instead of in whichever commit crosses SQLite's 1,000-page
    mark. That commit waited for the copy and its fsync (the devices' sync batches most of
    all, each of which writes hundreds of pages); a passive checkpoint takes no lock a writer
    needs. Returns the function that stops it (a no-op on PostgreSQL or in memory)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:"):
        return lambda: None
    _autocheckpoint[engine] = SERVING_AUTOCHECKPOINT_PAGES
    engine.dispose()  # connections made from now on checkpoint only past that bound
    stop = threading.Event()

    def run() -> None:
        connection = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
        try:
            while not stop.wait(CHECKPOINT_EVERY_S):
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    continue  # busy, or the file is gone: the next round tries again
        finally:
            connection.close()

    thread = threading.Thread(target=run, name="tansiq-wal-checkpoint", daemon=True)
    thread.start()

    def stop_checkpointer() -> None:
        stop.set()
        thread.join(timeout=5)
        _autocheckpoint.pop(engine, None)

    return stop_checkpointer


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
