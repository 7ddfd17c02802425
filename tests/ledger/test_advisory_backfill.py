"""Migration 0022_advisory_windows on a database whose advisories changed before it: the hub of
``test_advisory_rows`` (windows moved, ended, imported from CAP, published and taken off, an
incident closed, a watch ended) taken back to 0021, which drops the rows 0022 adds but keeps
the ledger, and upgraded again. The history is rebuilt from the entries' digests exactly as it
was, the closing time and the watch's end come back, an imported alert published by its CAP
scope without an entry (as imports were recorded before) gets one, so does a movement read by
answering it (deconfliction's first reads, checked against rows since 0022), a site's
re-confirmations get their rows back, and the ledger verifies."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.db.migrate import downgrade, upgrade
from tansiq.deconfliction.models import ReconfirmationRecord
from tansiq.incidents.models import AdvisoryChangeRecord, IncidentRecord, WatchRecord
from tansiq.ledger import service
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.ledger_check.sources import governance_keys, ledger_sources
from tests.accountability.test_liaison_figures import story
from tests.conftest import DatabaseFactory, Tokens, demo_engine
from tests.deconfliction.conftest import post as deconfliction_post
from tests.deconfliction.conftest import site
from tests.incidents.test_cap_api import import_cap, thunderstorm_now
from tests.ledger.test_advisory_rows import changed

__all__ = ["changed"]  # the scenario, as a fixture of this module


@pytest.fixture
def engine(databases: DatabaseFactory) -> Iterator[Engine]:
    """A database of this test's own, as the suite's is made: it is migrated down and up."""
    engine = demo_engine(databases.migrated_url("advisory_windows"))
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """The scenario's transaction, committed by the test (not rolled back)."""
    with engine.connect() as connection:
        connection.begin()
        yield connection


def _history(session: Session) -> list[tuple[Any, ...]]:
    return [
        (
            *(row.advisory_id, row.change.value, row.at, row.by, row.valid_until, row.was_until),
            *(row.note, row.reason, row.cap, row.msg_type, row.entry_digest is not None),
        )
        for row in session.scalars(
            select(AdvisoryChangeRecord).order_by(
                AdvisoryChangeRecord.advisory_id, AdvisoryChangeRecord.id
            )
        )
    ]


def _confirmations(session: Session) -> list[tuple[Any, ...]]:
    return [
        (row.notification_id, row.at, row.until)
        for row in session.scalars(select(ReconfirmationRecord).order_by(ReconfirmationRecord.id))
    ]


def test_an_upgraded_database_keeps_its_advisories_history_and_verifies(
    changed: dict[str, Any],
    engine: Engine,
    connection: Connection,
    session: Session,
    client: TestClient,
    hub: HubContext,
    tokens: Tokens,
    clock: FixedClock,
) -> None:
    liaison = tokens("west.liaison")
    cancelled = import_cap(client, liaison, thunderstorm_now(clock, "C-1"))["advisory"]["id"]
    sent = (clock.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    cancel = (
        thunderstorm_now(clock, "C-2")
        .replace(b"<msgType>Alert", b"<msgType>Cancel")
        .replace(b"<info>", f"<references>KSTO@NWS.NOAA.GOV,C-1,{sent}</references><info>".encode())
    )
    import_cap(client, liaison, cancel, status=200)
    # As the hub recorded an import before 0022: a public CAP alert had no publication entry.
    published = (
        LedgerEntryRecord.subject == f"advisory:{changed['update']}",
        LedgerEntryRecord.kind == "incidents.published",
    )
    session.execute(delete(LedgerEntryRecord).where(*published))
    # As the hub recorded a movement's acknowledgement before 0022: West answered without
    # opening it, which marked it read without an entry (East never read it).
    movement = story(client, hub, tokens, clock)
    read = (
        LedgerEntryRecord.subject == f"notification:{movement}",
        LedgerEntryRecord.kind == "deconfliction.read",
    )
    assert len(session.scalars(select(LedgerEntryRecord.id).where(*read)).all()) == 1
    session.execute(delete(LedgerEntryRecord).where(*read))
    clinic = deconfliction_post(client, "/sites", tokens("relief"), site())["id"]
    clock.advance(timedelta(days=5))
    deconfliction_post(client, f"/sites/{clinic}/reconfirmation", tokens("relief"), {})
    clock.advance(timedelta(days=1))
    deconfliction_post(client, f"/sites/{clinic}/reconfirmation", tokens("relief"), {})
    session.commit()
    connection.commit()
    connection.close()
    with Session(engine) as before:
        history = _history(before)
        confirmations = _confirmations(before)
        assert len(confirmations) == 2
        closed = before.get(IncidentRecord, changed["closing"])
        ended = before.get(WatchRecord, changed["watch"])
        assert closed is not None
        assert ended is not None
        closed_at, ended_by = closed.closed_at, ended.ended_by
    assert closed_at is not None
    assert ended_by is not None
    assert len(history) == 21

    downgrade(engine, "0021_transition_versions")
    upgrade(engine)

    with Session(engine) as after:
        service.sequence_entries(after)
        check = service.check_ledger(after, governance_keys(after), ledger_sources())
        assert check.problem is None, check.problem
        assert _confirmations(after) == confirmations
        rebuilt = _history(after)
        # The Cancel's own identifier was kept nowhere before 0022: its row keeps the digest.
        lost = [i for i, row in enumerate(history) if row[:2] == (cancelled, "cap_withdrawn")]
        assert [row[8] for row in (history[i] for i in lost)] == ["KSTO@NWS.NOAA.GOV,C-2"]
        assert [rebuilt[i][8:] for i in lost] == [(None, None, True)]
        kept = [i for i in range(len(history)) if i not in lost]
        assert [rebuilt[i] for i in kept] == [history[i] for i in kept]
        assert (
            after.scalar(
                select(IncidentRecord.closed_at).where(IncidentRecord.id == changed["closing"])
            )
            == closed_at
        )
        assert (
            after.scalar(select(WatchRecord.ended_by).where(WatchRecord.id == changed["watch"]))
            == ended_by
        )
        appended = after.scalars(select(LedgerEntryRecord.kind).where(*published)).all()
        assert appended == ["incidents.published"]
        assert after.scalars(select(LedgerEntryRecord.kind).where(*read)).all() == [
            "deconfliction.read"
        ]

        # That row still stands for its entry: deleted, verify names the entry.
        after.execute(
            delete(AdvisoryChangeRecord).where(AdvisoryChangeRecord.entry_digest.is_not(None))
        )
        check = service.check_ledger(after, governance_keys(after), ledger_sources())
        assert check.problem is not None
        assert check.problem.code == "ledger.row_missing"
        message = check.problem.render(Locale.EN)["message"]
        assert f"(incidents.cap_withdrawn, advisory:{cancelled})" in message
