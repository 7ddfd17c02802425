"""Liaison threads from the command line: start one with a template, read it in Arabic as the
other party (which marks it read), write back, list; a refused message is a coded error."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tests.conftest import DatabaseFactory


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database-url", url, *args])


def test_start_show_send_list(databases: DatabaseFactory) -> None:
    url = databases.migrated_url("threadcli")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()

    started = run(
        url, "thread", "start", "--as", "relief", "--topic", "Patrol at the gate",
        "--to", "west-command", "--template", "confirm_patrol", "--param", "checkpoint=W-GATE",
        "--json",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    thread = json.loads(started.output)
    assert thread["messages"][0]["rendered"] == "Please confirm your patrol at West Gate."

    shown = run(url, "thread", "show", str(thread["id"]), "--as", "west.liaison", "--lang", "ar")
    assert shown.exit_code == 0, shown.output
    assert "west-command: delivered" in shown.output
    assert "West Gate" not in shown.output  # the checkpoint in Arabic script

    sent = run(url, "thread", "send", str(thread["id"]), "--as", "west.liaison", "--text", "OK")
    assert sent.exit_code == 0, sent.output
    assert "read " in sent.output
    assert "by west.liaison" in sent.output

    listed = run(url, "thread", "list", "--as", "relief")
    assert "Patrol at the gate" in listed.output
    assert "1 unread" in listed.output

    refused = run(
        url, "thread", "send", str(thread["id"]), "--as", "relief", "--template", "delayed",
        "--param", "place=x", "--param", "time=noon",
    )  # fmt: skip
    assert refused.exit_code != 0
    assert "thread.time_invalid" in refused.output
    outsider = run(url, "thread", "show", str(thread["id"]), "--as", "east.admin")
    assert outsider.exit_code != 0
    assert "thread.not_found" in outsider.output
    templates = run(url, "thread", "templates", "--lang", "ar")
    assert "convoy_passes" in templates.output
