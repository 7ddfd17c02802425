"""Clearances from the command line: submit from a file, decide, amend, revoke."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import load_demo
from tests.clearances.conftest import ROADS
from tests.conftest import DatabaseFactory

SECRET = "clearances-cli-test-secret-0123456789abcdef"


def run(url: str, *args: str, secret: str | None = SECRET) -> Result:
    """``tansiq --database-url URL ARGS`` with the hub's secret (None: with none set)."""
    return CliRunner().invoke(
        cli, ["--database-url", url, *args], env={"TANSIQ_SECRET_KEY": secret}
    )


def test_the_journey_from_the_console(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.migrated_url("clearcli")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()
    now = SystemClock().now()
    body: dict[str, Any] = {
        "client_reference": "cli-1",
        "vehicle": {"plate": "ب ج ١٢٣٤", "kind": "van"},
        "driver": {"name_ar": "ليلى", "id_number": "A1234567"},
        "cargo": [
            {
                "description": "Medicine",
                "quantity": 20,
                "unit": "boxes",
                "gross_mass_kg": 300,
                "un_number": "3373",
            }
        ],
        "origin": "Clinic store",
        "destination": "East clinic",
        "route": ROADS["bridge-road"],
        "valid_from": now.isoformat(),
        "valid_until": (now + timedelta(days=2)).isoformat(),
    }
    (tmp_path / "app.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")

    submitted = run(
        url, "applications", "submit", str(tmp_path / "app.json"), "--as", "relief", "--json"
    )
    assert submitted.exit_code == 0, submitted.output
    application = json.loads(submitted.output)
    assert application["content"]["cargo"][0]["un_number"] == "UN3373"
    reviews = {r["authority"]: r["id"] for r in application["reviews"]}

    pending = run(url, "reviews", "list", "--as", "east.reviewer")
    assert str(reviews["east-force"]) in pending.output

    refused = run(
        url,
        "reviews",
        "decide",
        str(reviews["east-force"]),
        "--decision",
        "reject",
        "--reason",
        "security_concern",
        "--as",
        "east.reviewer",
    )
    assert refused.exit_code == 2
    assert "review.note_required" in refused.output

    rejected = run(
        url,
        "reviews",
        "decide",
        str(reviews["east-force"]),
        "--decision",
        "reject",
        "--reason",
        "route_closed",
        "--note",
        "Bridge closed",
        "--as",
        "east.reviewer",
    )
    approved = run(
        url,
        "reviews",
        "decide",
        str(reviews["west-command"]),
        "--decision",
        "approve_with_conditions",
        "--via",
        "W-GATE",
        "--daylight-only",
        "--as",
        "west.reviewer",
    )
    assert rejected.exit_code == 0, rejected.output
    assert "CONTRADICTION" in approved.output

    (tmp_path / "amend.json").write_text(
        json.dumps(
            {
                "expected_version": 1,
                "route": {
                    "type": "LineString",
                    "coordinates": [[41.04, 34.40], [41.07, 34.40], [41.07, 34.43]],
                },
            }
        ),
        encoding="utf-8",
    )
    amend = ("applications", "amend", str(application["id"]), str(tmp_path / "amend.json"))
    # Without the hub's secret the approval it would complete cannot be signed: refused, and
    # nothing is stored (never a permit nobody signed).
    unsigned = run(url, *amend, "--as", "relief", secret=None)
    assert unsigned.exit_code == 2, unsigned.output
    assert unsigned.output.startswith("error settings.secret_key_missing: ")
    unchanged = run(url, "applications", "show", str(application["id"]), "--as", "relief")
    assert "version 1" in unchanged.output
    assert "permit " not in unchanged.output
    amended = run(url, *amend, "--as", "relief")
    assert amended.exit_code == 0, amended.output
    assert "approved" in amended.output
    # The refusing review the amendment dropped: no longer required, never "rejected".
    [east_line] = [line for line in amended.output.splitlines() if "east-force" in line]
    assert "no longer required" in east_line
    assert "rejected" not in east_line
    permit_id = amended.output.split("permit ")[1].split()[0]

    # The permit's signed text, for whoever may see the application.
    text = run(url, "permit", "token", permit_id, "--as", "relief")
    assert text.exit_code == 0, text.output
    assert text.output.startswith("TQ1:")
    assert len(text.output.splitlines()) == 1
    assert run(url, "permit", "token", permit_id, "--as", "trader").exit_code == 3

    wrong = run(url, "permit", "revoke", permit_id, "--reason", "other", "--as", "east.reviewer")
    assert wrong.exit_code == 5
    revoked = run(
        url, "permit", "revoke", permit_id, "--reason", "cargo_mismatch", "--as", "west.reviewer"
    )
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in revoked.output

    shown = run(url, "applications", "show", str(application["id"]), "--as", "relief")
    assert "revoked" in shown.output
    hidden = run(url, "applications", "show", str(application["id"]), "--as", "trader")
    assert hidden.exit_code == 3


def test_a_malformed_file_lists_its_problems(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.migrated_url("clearcli2")
    (tmp_path / "bad.json").write_text('{"client_reference": "x"}', encoding="utf-8")
    result = run(url, "applications", "submit", str(tmp_path / "bad.json"), "--as", "nobody")
    assert result.exit_code == 2
    assert "field.missing" in result.output
    assert "vehicle" in result.output
