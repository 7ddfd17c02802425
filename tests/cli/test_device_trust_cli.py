"""The operator's side of device trust against a real hub process: roll the governance key
over twice, compact the revocations, sign ledger heads; a terminal enrolled before all of it
follows along, and refuses (exit 1, coded) a ledger whose history was rewritten."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.db.engine import make_engine
from tansiq.ledger.domain import EntryFacts
from tansiq.ledger.models import LedgerEntryRecord
from tests.processes import demo_hub


def test_rollovers_snapshots_and_a_rewritten_ledger_from_the_command_line(
    tmp_path: Path,
) -> None:
    with demo_hub(tmp_path) as (port, database):
        secret = Path(f"{database}.key").read_text(encoding="utf-8").strip()
        url = f"sqlite:///{database}"

        def at_hub(*args: str) -> Result:
            return CliRunner().invoke(
                cli, ["--database-url", url, *args], env={"TANSIQ_SECRET_KEY": secret}
            )

        registered = at_hub("checkpoint", "register", "W-SOUTH", "--as", "west.admin")
        assert registered.exit_code == 0, registered.output
        token = registered.output.splitlines()[0]
        enrolled_with = [
            line.split(": ")[1]
            for line in registered.output.splitlines()
            if line.startswith("governance key:")
        ]
        queue = str(tmp_path / "terminal.sqlite")

        def terminal(*args: str) -> Result:
            return CliRunner().invoke(
                cli,
                ["checkpoint", *args, "--queue", queue],
                env={"TANSIQ_DEVICE_TOKEN": token, "TANSIQ_HUB_URL": f"http://127.0.0.1:{port}"},
            )

        enrol = CliRunner().invoke(
            cli,
            ["checkpoint", "enrol", "--queue", queue]
            + [arg for key in enrolled_with for arg in ("--governance-key", key)],
        )
        assert enrol.exit_code == 0, enrol.output
        assert at_hub("ledger", "head").exit_code == 0
        first = terminal("sync")
        assert first.exit_code == 0, first.output
        assert "ledger head held:" in first.stdout

        new_keys = []
        for _ in range(2):
            rolled = at_hub("trust", "rollover-governance")
            assert rolled.exit_code == 0, rolled.output
            assert "retired;" in rolled.stdout
            new_keys.append(rolled.stdout.splitlines()[-1].split(": ")[1])
        assert len(set(new_keys) | set(enrolled_with)) == len(enrolled_with) + 2
        compacted = at_hub("trust", "compact-revocations")
        assert compacted.exit_code == 0, compacted.output
        assert "folded into one signed snapshot" in compacted.stdout

        followed = terminal("sync")
        assert followed.exit_code == 0, followed.output
        assert "ledger head held:" in followed.stdout

        # Someone with the database rewrites an entry the terminal's head covers and signs a
        # head over the rewritten tree.
        engine = make_engine(url)
        with Session(engine) as session:
            entry = session.scalars(
                select(LedgerEntryRecord).where(LedgerEntryRecord.seq == 0)
            ).one()
            facts = EntryFacts(entry.kind, entry.subject + ":x", entry.recorded_at, entry.digest)
            session.execute(
                update(LedgerEntryRecord)
                .where(LedgerEntryRecord.id == entry.id)
                .values(subject=facts.subject, leaf=facts.leaf())
            )
            session.commit()
        engine.dispose()
        assert at_hub("trust", "compact-revocations").exit_code == 0  # new entries
        assert at_hub("ledger", "head").exit_code == 0
        caught = terminal("sync")
        assert caught.exit_code == 1, caught.output
        assert "error witness.inconsistent:" in caught.stderr
        assert "Traceback" not in caught.output
