"""``tansiq ledger head`` and ``tansiq ledger verify`` on a real, committed database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import text
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tansiq.ledger.models import LedgerEntryRecord
from tests.conftest import DatabaseFactory

SECRET = {"TANSIQ_SECRET_KEY": "ledger-cli-test-" + "s" * 32}


@pytest.fixture
def url(databases: DatabaseFactory) -> str:
    """A committed demo database: its parties, users, keys and trust lists on the ledger."""
    url = databases.migrated_url("ledger")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
        assert session.query(LedgerEntryRecord).count() > 0
    engine.dispose()
    return url


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database-url", url, "ledger", *args], env=SECRET)


def sql(url: str, statement: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def test_a_signed_ledger_verifies(url: str) -> None:
    signed = run(url, "head")
    verified = run(url, "verify")

    assert signed.exit_code == 0, signed.output
    size = int(signed.output.split()[1])
    assert verified.exit_code == 0, verified.output
    assert f"{size} entries" in verified.output


def test_verify_names_the_first_ledger_row_edited_in_the_database(url: str) -> None:
    assert run(url, "head").exit_code == 0
    sql(url, "UPDATE ledger_entries SET recorded_at = recorded_at WHERE seq = 0")
    sql(url, "UPDATE ledger_entries SET subject = 'party:999' WHERE seq = 3")
    sql(url, "UPDATE ledger_entries SET subject = 'party:998' WHERE seq = 5")

    verified = run(url, "verify")

    assert verified.exit_code == 1
    assert verified.output.startswith("error ledger.entry_changed: Entry 3 (")
    assert "party:999" in verified.output
    assert len(verified.output.strip().splitlines()) == 1


def test_verify_names_the_entry_of_a_recorded_row_edited_in_the_database(url: str) -> None:
    assert run(url, "head").exit_code == 0
    sql(url, "UPDATE parties SET name_en = 'Someone else' WHERE code = 'east-force'")

    verified = run(url, "verify")

    assert verified.exit_code == 1
    assert verified.output.startswith("error ledger.row_changed: Entry ")
    assert "(party.created, party:" in verified.output


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
