"""A hub whose database connections are cut (as by a PostgreSQL restart or failover) answers
the request caught in it with a coded 503 and serves the next one on fresh connections.

The shared test server is not restarted: the test ends the hub's own connections with
``pg_terminate_backend``, which is what a restart does to them.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.pool import NullPool

from tansiq.db.engine import make_engine
from tests.conftest import DatabaseFactory
from tests.processes import free_port, start, wait_until_serving


def lowered(headers: Message) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def get(port: int, path: str) -> tuple[int, dict[str, str], Any]:
    # A token the hub must look up in its database (and will not find).
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": "Bearer tq_unknown"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, lowered(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, lowered(error.headers), json.loads(error.read())


def end_connections(url: str) -> int:
    """Terminate every connection to the database of ``url`` but this one; how many."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
            return int(ended)
    finally:
        engine.dispose()


def test_a_dropped_database_connection_is_a_coded_503_then_recovered(
    databases: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite is a file in the hub's own process: there is no connection to drop")
    url = databases.migrated_url("drop")
    port = free_port()
    hub = start(
        ["serve", "--no-worker", "--port", str(port)], database_url=url, log=tmp_path / "hub.log"
    )
    try:
        wait_until_serving(hub, port)
        assert get(port, "/api/v1/inbox")[0] == 401
        assert end_connections(url) >= 1, "the hub held no connection to cut"

        status, headers, body = get(port, "/api/v1/inbox")
        assert status == 503, body
        assert body["error"]["code"] == "database.unavailable"
        assert headers["retry-after"] == "1"

        status, _, body = get(port, "/api/v1/inbox")
        assert (status, body["error"]["code"]) == (401, "auth.bad_token")
        status, _, body = get(port, "/health")
        assert (status, body["status"], body["database"]) == (200, "ok", "postgresql")
        assert hub.process.poll() is None
    finally:
        hub.stop()
    assert "Traceback" not in hub.output
