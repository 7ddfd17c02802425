"""The back-fill migration (0013_ledger_backfill): a database at revision 0010 holding rows the
ledger never recorded (made before it existed, or of kinds recorded since) is upgraded; every
such row gets its entry, in the stated order, the whole ledger then verifies against its rows,
heads signed before the upgrade still verify, and running the back-fill again adds nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from tansiq.checkpoints.domain import OfficerAction
from tansiq.checkpoints.models import DeviceRecord, ScanEventRecord
from tansiq.clearances.ledger_facts import TRANSITIONS
from tansiq.core.clock import FixedClock
from tansiq.db.engine import make_engine
from tansiq.db.migrate import upgrade
from tansiq.deconfliction import ledger_facts as deconfliction_facts
from tansiq.demo.service import load_demo
from tansiq.geo.models import ZoneMapOutlineRecord
from tansiq.geo.repository import GeoRepository
from tansiq.incidents import ledger_facts as incidents_facts
from tansiq.ledger import service
from tansiq.ledger.models import LedgerEntryRecord, LedgerHeadRecord
from tansiq.ledger_check.sources import governance_keys, ledger_sources
from tansiq.parties.repository import PartyRepository
from tansiq.permits.ledger_heads import sign_ledger_head
from tests.conftest import NOW, SECRET_KEY, DatabaseFactory


def old_database(databases: DatabaseFactory) -> str:
    """A hub at 0010: the demo town, a device with two scans nobody recorded, and the users'
    and keys' entries gone as if they predated the ledger; a head signed over what is left."""
    url = databases.new_url("backfill")
    engine = make_engine(url)
    upgrade(engine, "0010")
    clock = FixedClock(NOW)
    # Today's import also writes each map's outlines (0026); the table is made for the load
    # and dropped after it, as it was not there at 0010 (0026 fills it from the zones).
    outlines = ZoneMapOutlineRecord.metadata.tables[ZoneMapOutlineRecord.__tablename__]
    outlines.create(engine)
    with Session(engine) as session:
        load_demo(session, clock, base_layers=False)
        session.execute(delete(ZoneMapOutlineRecord))
        session.commit()
    outlines.drop(engine)
    with Session(engine) as session:
        sign_ledger_head(session, SECRET_KEY, clock)  # makes the governance key
        session.execute(
            delete(LedgerEntryRecord).where(
                LedgerEntryRecord.kind.in_(["user.created", "key.active"])
            )
        )
        session.execute(delete(LedgerEntryRecord).where(LedgerEntryRecord.seq.is_(None)))
        session.flush()
        session.execute(delete(LedgerHeadRecord))
        service.sequence_entries(session)
        # Renumber what is left from 0, as a ledger that never had those entries would be.
        for place, entry in enumerate(
            session.scalars(select(LedgerEntryRecord).order_by(LedgerEntryRecord.id))
        ):
            entry.seq = -1 - place
        session.flush()
        for entry in session.scalars(select(LedgerEntryRecord)):
            assert entry.seq is not None
            entry.seq = -1 - entry.seq
        session.flush()
        sign_ledger_head(session, SECRET_KEY, clock)
        checkpoint = GeoRepository(session).checkpoint_by_code("W-GATE")
        user = PartyRepository(session).user_by_username("west.admin")
        assert checkpoint is not None
        assert user is not None
        gate = DeviceRecord(
            checkpoint_id=checkpoint.id,
            name="Gate phone",
            token_hash="0" * 64,
            created_at=NOW - timedelta(days=2),
            created_by=user.id,
        )
        session.add(gate)
        session.flush()
        for minutes, action in ((10, OfficerAction.PASSAGE), (20, OfficerAction.REFUSAL)):
            # Only the columns the table had then: a model's later columns (driver_check, 0018)
            # are not in this old schema.
            session.execute(
                insert(ScanEventRecord).values(
                    event_uid=f"old-{minutes}",
                    device_id=gate.id,
                    checkpoint_id=checkpoint.id,
                    scanned_at=NOW - timedelta(days=1, minutes=minutes),
                    received_at=NOW - timedelta(days=1) + timedelta(minutes=minutes),
                    permit_ref="P-000007",
                    permit_version=1,
                    verdict="valid",
                    action=action,
                    reason_code=None,
                    note="",
                    officer="Cpl. Nour",
                    data_age_seconds=None,
                    contradiction=False,
                    clone_suspected=False,
                )
            )
        session.commit()
    engine.dispose()
    return url


def test_an_old_database_gets_its_history_in_the_stated_order_and_verifies(
    databases: DatabaseFactory,
) -> None:
    url = old_database(databases)
    engine = make_engine(url)
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(LedgerEntryRecord))
        # At 0010 the transitions have no version yet (0021 adds it) and deconfliction's and
        # incidents' tables are not there (0015, 0016): those are checked after the upgrade.
        older = [
            s
            for s in ledger_sources()
            if s.name != TRANSITIONS
            and s not in deconfliction_facts.SOURCES
            and s not in incidents_facts.SOURCES
        ]
        check = service.check_ledger(session, governance_keys(session), older)
        assert check.problem is not None  # the users, keys and scans are unrecorded
        assert check.problem.code == "ledger.row_unrecorded"

    upgrade(engine)

    with Session(engine) as session:
        service.sequence_entries(session)
        entries = session.scalars(select(LedgerEntryRecord).order_by(LedgerEntryRecord.seq)).all()
        added = entries[before:]
        kinds = [e.kind for e in added]
        check = service.check_ledger(session, governance_keys(session), ledger_sources())

        assert check.problem is None, check.problem
        assert check.heads == 1  # the head signed before the upgrade is a prefix still
        assert kinds.count("user.created") == 11
        assert kinds.count("device.enrolled") == 1
        assert "key.active" in kinds
        assert kinds.count("scan.synced") == 2  # the two scans came in two syncs
        order = [(e.recorded_at, e.kind, e.subject) for e in added]
        assert order == sorted(order)
        assert service.backfill_ledger(session, ledger_sources()) == 0  # idempotent
    engine.dispose()
