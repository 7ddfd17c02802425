"""Several hub processes starting at once on a new database: one migrates, the others wait and
find it up to date (a lock taken by the migration environment)."""

from __future__ import annotations

from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text

from tansiq.db.engine import make_engine
from tansiq.db.migrate import alembic_config
from tests.conftest import PATIENT_BUSY_TIMEOUT_MS, DatabaseFactory
from tests.processes import start

PROCESSES = 3


def test_hub_processes_that_upgrade_at_once_migrate_once(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    url = databases.new_url("upgrade")
    upgrades = [
        start(
            ["db", "upgrade"],
            database_url=url,
            log=tmp_path / f"upgrade{n}.log",
            env={"TANSIQ_SQLITE_BUSY_TIMEOUT_MS": str(PATIENT_BUSY_TIMEOUT_MS)},
        )
        for n in range(PROCESSES)
    ]
    codes = [upgrade.process.wait(timeout=120) for upgrade in upgrades]
    assert codes == [0] * PROCESSES, [upgrade.output for upgrade in upgrades]

    engine = make_engine(url)
    try:
        head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        assert [row[0] for row in versions] == [head]
    finally:
        engine.dispose()
