"""The ``tansiq`` command through click's runner, and the demo hub as a real server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import demo_file, load_demo
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import PERMIT_KEYS
from tests.conftest import DatabaseFactory
from tests.factories import collection, square


@pytest.fixture
def demo_url(databases: DatabaseFactory, tmp_path: Path) -> str:
    """A fresh database holding the demo, created through the CLI itself."""
    url = databases.new_url("cli")
    runner = CliRunner()
    upgraded = runner.invoke(cli, ["--database-url", url, "db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()
    return url


def run(url: str, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(cli, ["--database-url", url, *args], input=input)


def write(path: Path, document: Any) -> str:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_demo_creates_the_database_and_prints_logins(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    result = CliRunner().invoke(cli, ["demo", "--database", str(database), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "west.reviewer" in result.output
    assert "tansiq-demo" in result.output

    again = CliRunner().invoke(cli, ["demo", "--database", str(database), "--no-serve"])
    assert "existing demo database" in again.output


def test_demo_loads_into_the_configured_database(databases: DatabaseFactory) -> None:
    url = databases.new_url("demo-configured")
    secret = {"TANSIQ_SECRET_KEY": "demo-configured-" + "k" * 32}

    loaded = CliRunner().invoke(cli, ["--database-url", url, "demo", "--no-serve"], env=secret)

    assert loaded.exit_code == 0, loaded.output
    assert "west.reviewer" in loaded.output
    engine = make_engine(url)
    with Session(engine) as session:
        permits = PermitRepository(session)
        signers = {key.party_id for key in permits.keys(PERMIT_KEYS)}
        trust_list = permits.latest_trust_list()
    engine.dispose()
    assert len(signers) == 2  # both demo authorities can sign before any permit exists
    assert trust_list is not None


def test_demo_never_resets_a_configured_database(demo_url: str) -> None:
    result = run(demo_url, "demo", "--no-serve", "--reset")

    assert result.exit_code != 0
    assert "cli.demo_reset_needs_file" in result.output
    assert "west-command" in run(demo_url, "parties", "list").output  # nothing was deleted


def test_route_resolve_from_a_file_and_stdin(demo_url: str, tmp_path: Path) -> None:
    bridge = next(
        f
        for f in demo_file("roads.geojson")["features"]
        if f["properties"]["code"] == "bridge-road"
    )
    text = run(demo_url, "route", "resolve", write(tmp_path / "r.json", bridge))
    as_json = run(demo_url, "route", "resolve", "--json", "-", input=json.dumps(bridge))

    assert text.exit_code == 0, text.output
    assert "west-command" in text.output
    assert "east-force" in text.output
    result = json.loads(as_json.output)
    assert [a["authority"] for a in result["authorities"]] == ["west-command", "east-force"]
    assert [c["code"] for c in result["checkpoints"]] == [
        "W-GATE",
        "BRIDGE-W",
        "BRIDGE-E",
        "E-GATE",
    ]


def test_zone_import_reports_every_problem_and_exits_non_zero(
    demo_url: str, tmp_path: Path
) -> None:
    bad = square(41.0, 34.0)
    bad["geometry"]["coordinates"][0].reverse()
    before = run(demo_url, "zones", "maps").output

    result = run(
        demo_url,
        "zones",
        "import",
        write(tmp_path / "z.json", collection(bad)),
        "--authority",
        "east-force",
    )

    assert result.exit_code == 2
    assert "geojson.wrong_winding" in result.output
    assert "feature=0" in result.output
    assert run(demo_url, "zones", "maps").output == before

    fixed = run(
        demo_url,
        "zones",
        "import",
        str(tmp_path / "z.json"),
        "--authority",
        "east-force",
        "--rewind",
        "--valid-from",
        "2030-01-01",
    )
    assert fixed.exit_code == 0, fixed.output
    assert "2030-01-01T00:00:00+00:00" in fixed.output


def test_unreadable_files_and_unknown_parties_are_coded(demo_url: str, tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    broken = run(
        demo_url, "zones", "import", str(tmp_path / "broken.json"), "--authority", "east-force"
    )
    unknown = run(demo_url, "checkpoints", "list", "--authority", "nobody")

    assert broken.exit_code == 2
    assert "cli.bad_file" in broken.output
    assert unknown.exit_code == 3
    assert "party.not_found" in unknown.output


def test_errors_in_arabic_when_asked(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANSIQ_LANG", "ar")
    result = run(demo_url, "checkpoints", "list", "--authority", "nobody")
    assert "لا توجد جهة" in result.output


def test_checkpoints_import_list_and_close(demo_url: str, tmp_path: Path) -> None:
    point = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [41.12, 34.41]},
        "properties": {"code": "E-NEW", "name_ar": "نقطة جديدة", "name_en": "New point"},
    }
    imported = run(
        demo_url,
        "checkpoints",
        "import",
        write(tmp_path / "c.json", collection(point)),
        "--authority",
        "east-force",
        "--as",
        "east.admin",
    )
    refused = run(
        demo_url,
        "checkpoints",
        "import",
        str(tmp_path / "c.json"),
        "--authority",
        "east-force",
        "--as",
        "west.admin",
    )
    no_reason = run(demo_url, "checkpoints", "status", "E-NEW", "closed")
    closed = run(demo_url, "checkpoints", "status", "E-NEW", "closed", "--reason", "Flooding")

    assert imported.exit_code == 0, imported.output
    assert refused.exit_code == 5
    assert no_reason.exit_code == 2
    assert "checkpoint.reason_required" in no_reason.output
    assert closed.exit_code == 0
    listing = run(demo_url, "checkpoints", "list", "--authority", "east-force").output
    assert "E-NEW\teast-force\tclosed" in listing
    assert "نقطة جديدة" in listing


def test_parties_and_users_from_the_console(demo_url: str) -> None:
    party = run(
        demo_url,
        "parties",
        "create",
        "foreign-troops",
        "--kind",
        "authority",
        "--name-en",
        "Foreign Troops",
        "--name-ar",
        "القوات الأجنبية",
    )
    user = run(
        demo_url,
        "users",
        "create",
        "ft.admin",
        "--party",
        "foreign-troops",
        "--role",
        "admin",
        "--role",
        "reviewer",
        "--password",
        "long-enough-pw",
    )
    bad_role = run(
        demo_url,
        "users",
        "create",
        "ft.trader",
        "--party",
        "foreign-troops",
        "--role",
        "applicant",
        "--password",
        "long-enough-pw",
    )

    assert party.exit_code == 0, party.output
    assert user.exit_code == 0, user.output
    assert bad_role.exit_code == 2
    assert (
        "ft.admin\tadmin,reviewer\tactive"
        in run(demo_url, "users", "list", "--party", "foreign-troops").output
    )
    assert "foreign-troops\tauthority" in run(demo_url, "parties", "list").output


def test_zone_export_is_geojson_of_the_maps_in_force(demo_url: str) -> None:
    early = json.loads(
        run(demo_url, "zones", "export", "--at", "2025-06-01", "--authority", "west-command").output
    )
    assert [f["properties"]["name_en"] for f in early["features"]] == ["West Bank sector"]
    maps = run(demo_url, "zones", "maps", "--authority", "west-command").output.splitlines()
    assert len(maps) == 2


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    for command in ("serve", "demo", "db", "parties", "users", "zones", "checkpoints", "route"):
        assert command in result.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_demo_command_serves_the_hub(tmp_path: Path) -> None:
    """The README's first command, for real: a process listening on 127.0.0.1."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tansiq.cli",
            "demo",
            "--database",
            str(tmp_path / "d.db"),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert json.loads(r.read())["status"] == "ok"
                    break
            except OSError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the demo hub did not start"
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/auth/tokens",
            data=json.dumps({"username": "trader", "password": "tansiq-demo"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["token"].startswith("tq_")
    finally:
        process.terminate()
        process.wait(timeout=20)
        if process.stdout:
            process.stdout.close()
