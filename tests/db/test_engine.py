"""The storage layer: isolation recipe, UTC datetimes, migrations that match the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

import tansiq.geo.models
import tansiq.parties.models  # noqa: F401 - registers every table on the metadata
from tansiq.core.clock import FixedClock, NaiveTime
from tansiq.core.text import BilingualText
from tansiq.db.base import Base
from tansiq.db.engine import SQLITE_CACHE_KIB, make_engine, normalise_url
from tansiq.db.migrate import downgrade, upgrade
from tansiq.db.unit_of_work import unit_of_work
from tansiq.deconfliction.models import OCCURRENCE_BOXES
from tansiq.parties.domain import PartyKind
from tansiq.parties.models import PartyRecord, UserRecord
from tansiq.parties.service import create_party
from tests.conftest import DatabaseFactory


def count_parties(engine: Engine, code: str) -> int:
    with Session(engine) as session:
        return (
            session.scalar(
                select(func.count()).select_from(PartyRecord).where(PartyRecord.code == code)
            )
            or 0
        )


def test_rolled_back_test_transaction_leaves_no_rows(engine: Engine) -> None:
    """The PEP 249 recipe: a commit inside the test session only releases a savepoint."""
    with engine.connect() as connection:
        outer = connection.begin()
        factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        with unit_of_work(factory) as session:
            create_party(
                session,
                code="isolation-probe",
                kind=PartyKind.TRADER,
                name=BilingualText("", "Probe"),
                clock=FixedClock(),
            )
        with factory() as session:
            assert (
                session.scalar(
                    select(func.count())
                    .select_from(PartyRecord)
                    .where(PartyRecord.code == "isolation-probe")
                )
                == 1
            )
        outer.rollback()
    assert count_parties(engine, "isolation-probe") == 0


def test_unit_of_work_rolls_back_on_error(engine: Engine) -> None:
    factory = sessionmaker(bind=engine)

    def fail_after_creating() -> None:
        with unit_of_work(factory) as session:
            create_party(
                session,
                code="never-stored",
                kind=PartyKind.TRADER,
                name=BilingualText("", "Never"),
                clock=FixedClock(),
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail_after_creating()
    assert count_parties(engine, "never-stored") == 0


def test_datetimes_come_back_aware_in_utc(session: Session) -> None:
    beirut = timezone(timedelta(hours=3))
    moment = datetime(2026, 5, 1, 15, 30, tzinfo=beirut)
    party = create_party(
        session,
        code="tz-probe",
        kind=PartyKind.TRADER,
        name=BilingualText("", "Tz"),
        clock=FixedClock(moment),
    )
    session.flush()
    session.expire(party)

    assert party.created_at == moment
    assert party.created_at.tzinfo is UTC
    assert party.created_at.hour == 12


def test_naive_datetimes_are_refused(session: Session) -> None:
    with pytest.raises(NaiveTime):
        FixedClock(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


def _mapped(name: str | None, kind: str, parent: object) -> bool:
    """Every table but the SQLite R*Tree (and its shadow tables) the migrations make outside
    the mapped metadata."""
    return not (kind == "table" and (name or "").startswith(OCCURRENCE_BOXES))


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _mapped})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_downgrade_and_upgrade_again(databases: DatabaseFactory) -> None:
    fresh = make_engine(databases.new_url("migrate"))
    try:
        upgrade(fresh)
        downgrade(fresh, "base")
        upgrade(fresh)
        with fresh.connect() as connection:
            assert connection.exec_driver_sql("SELECT revision FROM geo_revision").scalar() == 0
    finally:
        fresh.dispose()


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(
        UserRecord(
            party_id=999_999,
            username="orphan",
            display_name="x",
            password_hash="x",
            locale="en",
            is_active=True,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()


def test_sqlite_runs_in_wal_mode(engine: Engine, backend: str) -> None:
    with engine.connect() as connection:
        if backend == "sqlite":
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            # A page cache that holds a busy sync's index pages (SQLite's default: 2 MB).
            cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
            assert cache == -SQLITE_CACHE_KIB
        else:
            assert connection.dialect.name == "postgresql"


def test_plain_postgresql_urls_use_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
