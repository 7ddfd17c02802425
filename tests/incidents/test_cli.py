"""Incidents from the command line: report from a JSON file, corroborate, issue and withdraw an
advisory, watch a route; a report naming a phone number is a coded error and stores nothing."""

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
from tests.incidents.conftest import BRIDGE_ROAD_STRETCH, ROADS


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database-url", url, *args])


def test_report_judge_issue_withdraw_watch(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.migrated_url("incidentscli")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()
    now = SystemClock().now()
    (tmp_path / "road.json").write_text(json.dumps(ROADS["bridge-road"]), encoding="utf-8")
    watched = run(
        url, "watch", "add", str(tmp_path / "road.json"), "--as", "trader", "--name", "Bridge"
    )
    assert watched.exit_code == 0, watched.output

    body = {
        "event_type": "unexploded_ordnance",
        "sub_type": "ordnance_sighted",
        "occurred_at": (now - timedelta(hours=1)).isoformat(),
        "location": {"type": "Point", "coordinates": [41.06, 34.4005]},
        "description": "Shell on the hard shoulder",
    }
    (tmp_path / "incident.json").write_text(json.dumps(body), encoding="utf-8")
    reported = run(
        url, "incident", "report", str(tmp_path / "incident.json"), "--as", "west.officer"
    )
    assert reported.exit_code == 0, reported.output
    number = reported.output.split()[0].removeprefix("INC-")
    watch_id = watched.output.split()[1].rstrip(":")
    alerts = run(url, "watch", "alerts", watch_id, "--as", "trader")
    assert alerts.output.startswith(f"incident:{number}  at "), alerts.output
    # Another party's watch is nobody else's business.
    assert "watch.not_found" in run(url, "watch", "alerts", watch_id, "--as", "relief").output

    judged = run(url, "incident", "corroborate", number, "--as", "east.officer")
    assert judged.exit_code == 0, judged.output
    assert "corroborated" in judged.output
    own = run(url, "incident", "refute", number, "--as", "west.admin")
    assert own.exit_code != 0
    assert "incident.own_verdict" in own.output

    closure = {
        "kind": "road_closed",
        "geometry": BRIDGE_ROAD_STRETCH,
        "valid_until": (now + timedelta(days=1)).isoformat(),
    }
    (tmp_path / "closure.json").write_text(json.dumps(closure), encoding="utf-8")
    issued = run(
        url, "advisory", "issue", str(tmp_path / "closure.json"), "--as", "west.admin", "--json"
    )
    assert issued.exit_code == 0, issued.output
    advisory = json.loads(issued.output)
    withdrawn = run(url, "advisory", "withdraw", str(advisory["id"]), "--as", "west.admin")
    assert "withdrawn" in withdrawn.output
    listed = run(url, "advisory", "list", "--as", "trader", "--current")
    assert listed.exit_code == 0
    assert listed.output == ""

    body["description"] = "call +964 770 123 4567"
    (tmp_path / "bad.json").write_text(json.dumps(body), encoding="utf-8")
    refused = run(url, "incident", "report", str(tmp_path / "bad.json"), "--as", "west.officer")
    assert refused.exit_code != 0
    assert "text.phone_number" in refused.output
    assert len(json.loads(run(url, "incident", "list", "--as", "trader", "--json").output)) == 1
