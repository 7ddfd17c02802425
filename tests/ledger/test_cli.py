"""``tansiq ledger head`` and ``tansiq ledger verify`` on a real, committed database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import FixedClock, SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tansiq.ledger import service
from tansiq.ledger.models import LedgerEntryRecord
from tests.conftest import DatabaseFactory

SECRET = {"TANSIQ_SECRET_KEY": "ledger-cli-test-" + "s" * 32}


@pytest.fixture
def url(databases: DatabaseFactory) -> str:
    """A committed demo database holding five ledger entries."""
    url = databases.new_url("ledger")
    assert CliRunner().invoke(cli, ["--database-url", url, "db", "upgrade"]).exit_code == 0
    engine = make_engine(url)
    clock = FixedClock()
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
        demo_entries = session.query(LedgerEntryRecord).count()
        session.execute(delete(LedgerEntryRecord))
        for i in range(5):
            service.record_entry(
                session,
                kind="test.entry",
                subject=f"test:{i}",
                content={"i": i},
                at=clock.now(),
                private=False,
            )
            clock.current += timedelta(minutes=1)
        session.commit()
    engine.dispose()
    assert demo_entries > 0  # the demo town's parties and users were recorded as made
    return url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database-url", url, "ledger", *args], env=SECRET)


def test_a_signed_ledger_verifies(url: str) -> None:
    signed = run(url, "head")
    verified = run(url, "verify")

    assert signed.exit_code == 0, signed.output
    assert signed.output.startswith("size 5  root ")
    assert verified.exit_code == 0, verified.output
    assert "5 entries" in verified.output


def test_verify_names_the_first_entry_edited_in_the_database(url: str) -> None:
    assert run(url, "head").exit_code == 0
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE ledger_entries SET content = '{\"i\": 9}' WHERE seq = 2"))
        connection.execute(text("UPDATE ledger_entries SET content = '{\"i\": 8}' WHERE seq = 3"))
    engine.dispose()

    verified = run(url, "verify")

    assert verified.exit_code == 1
    assert "ledger.entry_content_changed" in verified.output
    assert "Entry 2:" in verified.output


def test_the_demo_towns_own_history_is_on_the_ledger_and_verifies(
    databases: DatabaseFactory,
) -> None:
    url = databases.new_url("ledger-demo")
    loaded = CliRunner().invoke(cli, ["--database-url", url, "demo", "--no-serve"], env=SECRET)
    assert loaded.exit_code == 0, loaded.output

    signed = run(url, "head")
    verified = run(url, "verify")

    assert signed.exit_code == 0, signed.output
    size = int(signed.output.split()[1])
    assert size >= 17  # 6 parties, 11 users, the trust lists and the keys they carry
    assert verified.exit_code == 0, verified.output
