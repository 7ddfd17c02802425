"""CAP 1.2 from the command line: ``tansiq advisory export-cap`` prints a valid alert and
``import-cap`` makes it an advisory of the importing party; the same file again changes
nothing; a hostile or oversized file is a coded error and stores nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tansiq.incidents.models import AdvisoryRecord
from tests.conftest import DatabaseFactory
from tests.incidents.cap_support import BILLION_LAUGHS, validate_document
from tests.incidents.conftest import BRIDGE_ROAD_STRETCH


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--database-url", url, *args])


def advisories(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(AdvisoryRecord)) or 0
    engine.dispose()
    return count


def test_export_and_import_cap(
    databases: DatabaseFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = databases.migrated_url("capcli")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()
    body = {
        "kind": "road_closed",
        "geometry": BRIDGE_ROAD_STRETCH,
        "valid_until": (SystemClock().now() + timedelta(days=1)).isoformat(),
        "description": "Crater on the Bridge Road",
    }
    (tmp_path / "closure.json").write_text(json.dumps(body), encoding="utf-8")
    issued = run(url, "advisory", "issue", str(tmp_path / "closure.json"), "--as", "west.liaison")
    assert issued.exit_code == 0, issued.output
    number = issued.output.split()[0].split("-")[-1]

    published = run(url, "advisory", "publish", number, "--as", "west.liaison")
    assert published.exit_code == 0, published.output
    assert published.output.endswith(": in the public feed\n")
    taken_off = run(url, "advisory", "publish", number, "--as", "west.liaison", "--off")
    assert taken_off.output.endswith(": not in the public feed\n"), taken_off.output
    refused = run(url, "advisory", "publish", number, "--as", "east.admin")
    assert "auth.forbidden" in refused.output

    printed = run(url, "advisory", "export-cap", number, "--as", "trader")
    assert printed.exit_code == 0, printed.output
    assert validate_document(printed.stdout_bytes.strip()) == []
    exported = tmp_path / "closure.cap"
    written = run(
        url, "advisory", "export-cap", number, "--as", "trader", "--output", str(exported)
    )
    assert written.exit_code == 0, written.output
    assert exported.read_bytes() == printed.stdout_bytes.strip()

    own = run(url, "advisory", "import-cap", str(exported), "--as", "east.admin")
    assert own.exit_code != 0
    assert "cap.own_alert" in own.output
    # As another hub sends it:
    exported.write_bytes(
        exported.read_bytes().replace(b">tansiq@localhost<", b">tansiq@other.example.org<")
    )
    imported = run(url, "advisory", "import-cap", str(exported), "--as", "east.admin", "--json")
    assert imported.exit_code == 0, imported.output
    shown = json.loads(imported.output)
    assert shown["created"] is True
    assert shown["advisory"]["issuing_party"]["en"] == "East Force"
    assert shown["advisory"]["geometry"] == BRIDGE_ROAD_STRETCH
    again = run(url, "advisory", "import-cap", str(exported), "--as", "east.admin")
    assert again.exit_code == 0, again.output
    assert "imported before, unchanged" in again.output
    assert advisories(url) == 2

    hostile = tmp_path / "laughs.cap"
    hostile.write_bytes(BILLION_LAUGHS)
    hostile_refused = run(url, "advisory", "import-cap", str(hostile), "--as", "east.admin")
    assert hostile_refused.exit_code != 0
    assert "cap.declarations_forbidden" in hostile_refused.output
    monkeypatch.setenv("TANSIQ_CAP_MAX_BYTES", "1024")
    too_large = run(url, "advisory", "import-cap", str(exported), "--as", "east.admin")
    assert too_large.exit_code != 0
    assert "cap.too_large" in too_large.output
    assert advisories(url) == 2
