"""``tansiq figures``: the same figures from the command line, as a table or a CSV file."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tests.clearances.conftest import ROADS
from tests.conftest import DatabaseFactory

SECRET = "figures-cli-test-secret-0123456789abcdef"


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--database-url", url, *args], env={"TANSIQ_SECRET_KEY": SECRET}
    )


def test_figures_from_the_console(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.migrated_url("figcli")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()
    now = SystemClock().now()
    body = {
        "client_reference": "fig-cli-1",
        "vehicle": {"plate": "12 345", "kind": "van"},
        "driver": {"name_ar": "ليلى", "id_number": "A1234567"},
        "cargo": [{"description": "Flour", "quantity": 2, "unit": "bags", "gross_mass_kg": 100}],
        "origin": "Depot",
        "destination": "Market",
        "route": ROADS["bridge-road"],
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=2)).isoformat(),
    }
    (tmp_path / "app.json").write_text(json.dumps(body), encoding="utf-8")
    assert (
        run(url, "applications", "submit", str(tmp_path / "app.json"), "--as", "trader").exit_code
        == 0
    )
    decided = run(url, "reviews", "decide", "2", "--decision", "reject", "--reason", "route_closed",
                  "--as", "east.reviewer")  # fmt: skip
    assert decided.exit_code == 0, decided.output

    table = run(url, "figures", "--as", "municipality")
    assert table.exit_code == 0, table.output
    rows = {line.split()[0]: line.split() for line in table.output.splitlines()[1:]}
    # received, decided, approved, refused
    assert rows["west-command"][1:5] == ["1", "0", "0", "0"]
    assert rows["east-force"][1:5] == ["1", "1", "0", "1"]
    assert rows["ALL-AUTHORITIES"][1:5] == ["2", "1", "0", "1"]
    assert rows["ALL-CHECKPOINTS"][1:] == ["0", "0", "0", "0", "0"]

    exported = run(url, "figures", "--csv", "--authority", "east-force", "--as", "admin")
    assert exported.exit_code == 0, exported.output
    assert exported.stdout_bytes.startswith(b"\xef\xbb\xbf")
    values = {
        (r["code"], r["figure"], r["reason"]): r["value"]
        for r in csv.DictReader(io.StringIO(exported.stdout_bytes.decode("utf-8-sig")))
    }
    assert values[("east-force", "refused", "route_closed")] == "1"
    assert ("west-command", "received", "") not in values  # only the authority asked for

    refused = run(url, "figures", "--as", "east.reviewer", "--authority", "west-command")
    assert refused.exit_code != 0
    assert "auth.forbidden" in refused.output
    trader = run(url, "figures", "--as", "trader")
    assert trader.exit_code != 0
    assert "auth.forbidden" in trader.output
    backwards = run(url, "figures", "--from", "2026-11-30", "--to", "2026-11-01")
    assert "figures.bad_period" in backwards.output
    assert "figures.bad_date" in run(url, "figures", "--from", "yesterday").output
