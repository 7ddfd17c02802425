"""Deconfliction from the command line: file a movement from a JSON file, list, show,
acknowledge, withdraw; a refused one is a coded error and stores nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tests.conftest import DatabaseFactory
from tests.deconfliction.conftest import ACROSS


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database-url", url, *args])


def test_file_list_show_ack_withdraw(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.migrated_url("deconfcli")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()
    now = SystemClock().now()
    body = {
        "checkpoints": ACROSS,
        "start": (now + timedelta(hours=3)).isoformat(),
        "end": (now + timedelta(hours=5)).isoformat(),
        "vehicles": 2,
        "vehicle_kind": "ambulance",
        "purpose": "medical_evacuation",
        "contact": "+963 11 555 0199",
        "markings": "Red crescent",
    }
    (tmp_path / "movement.json").write_text(json.dumps(body), encoding="utf-8")

    filed = run(
        url, "deconfliction", "file", str(tmp_path / "movement.json"), "--as", "relief", "--json"
    )
    assert filed.exit_code == 0, filed.output
    shown = json.loads(filed.output)
    number = str(shown["id"])
    assert {a["party"] for a in shown["acknowledgements"]} == {"west-command", "east-force"}

    listed = run(url, "deconfliction", "list", "--as", "west.liaison")
    assert listed.exit_code == 0, listed.output
    assert f"M-{number}" in listed.output
    hidden = run(url, "deconfliction", "show", number, "--as", "trader")
    assert hidden.exit_code == 3
    assert "notification.not_found" in hidden.output

    acked = run(
        url,
        "deconfliction",
        "ack",
        number,
        "--as",
        "west.liaison",
        "--version",
        "1",
        "--concern",
        "timing",
        "--note",
        "our own convoy",
    )
    assert acked.exit_code == 0, acked.output
    assert "received_with_concern" in acked.output
    again = run(url, "deconfliction", "ack", number, "--as", "west.liaison", "--version", "1")
    assert again.exit_code == 4
    assert "acknowledgement.already_given" in again.output

    mine = run(url, "deconfliction", "show", number, "--as", "relief")
    assert mine.exit_code == 0, mine.output
    assert "west-command     received_with_concern (timing: our own convoy)" in mine.output
    assert "east-force       pending" in mine.output

    gone = run(url, "deconfliction", "withdraw", number, "--as", "relief", "--note", "postponed")
    assert gone.exit_code == 0, gone.output
    assert "withdrawn" in gone.output

    body["start"] = (now - timedelta(hours=5)).isoformat()
    body["end"] = (now - timedelta(hours=4)).isoformat()
    (tmp_path / "late.json").write_text(json.dumps(body), encoding="utf-8")
    late = run(url, "deconfliction", "file", str(tmp_path / "late.json"), "--as", "relief")
    assert late.exit_code == 2
    assert "window.in_past" in late.output
    count = run(url, "deconfliction", "list", "--as", "relief", "--json")
    assert len(json.loads(count.output)) == 1
