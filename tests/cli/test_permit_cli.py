"""From the console: register a device, export trust data, verify a permit offline."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.db.engine import make_engine
from tansiq.demo.service import demo_file, load_demo
from tansiq.permits.models import PermitTokenRecord
from tests.conftest import DatabaseFactory

SECRET = "cli-secret-key-long-enough-for-the-hub-0123456789"


def run(url: str, *args: str, **env: str) -> Result:
    return CliRunner().invoke(
        cli, ["--database-url", url, *args], env={"TANSIQ_SECRET_KEY": SECRET, **env}
    )


def test_issue_export_and_verify_offline(databases: DatabaseFactory, tmp_path: Path) -> None:
    url = databases.migrated_url("permitcli")
    engine = make_engine(url)
    with Session(engine) as session:
        load_demo(session, SystemClock())
        session.commit()
    engine.dispose()
    now = SystemClock().now().replace(microsecond=0)
    road = next(
        f["geometry"]
        for f in demo_file("roads.geojson")["features"]
        if f["properties"]["code"] == "west-road"
    )
    (tmp_path / "app.json").write_text(
        json.dumps(
            {
                "client_reference": "cli-permit",
                "vehicle": {"plate": "AB 1234", "kind": "truck"},
                "driver": {"name_latin": "Omar", "id_number": "99887766"},
                "cargo": [
                    {"description": "Cement", "quantity": 10, "unit": "t", "gross_mass_kg": 10000}
                ],
                "origin": "Depot",
                "destination": "Site",
                "route": road,
                "valid_from": now.isoformat(),
                "valid_until": (now + timedelta(days=1)).isoformat(),
            }
        ),
        encoding="utf-8",
    )

    submitted = json.loads(
        run(
            url, "applications", "submit", str(tmp_path / "app.json"), "--as", "trader", "--json"
        ).output
    )
    review = submitted["reviews"][0]["id"]
    decided = run(
        url, "reviews", "decide", str(review), "--decision", "approve", "--as", "west.reviewer"
    )
    assert decided.exit_code == 0, decided.output

    exported = run(url, "trust", "export", "--out", str(tmp_path / "trust"))
    assert exported.exit_code == 0, exported.output
    device = run(url, "checkpoint", "register", "W-SOUTH", "--as", "west.admin")
    assert device.output.startswith("tqd_")
    refused = run(url, "checkpoint", "register", "W-SOUTH", "--as", "east.admin")
    assert refused.exit_code == 5

    engine = make_engine(url)
    with Session(engine) as session:
        token = session.scalars(select(PermitTokenRecord.token)).one()
    engine.dispose()
    assert token is not None
    keys = (tmp_path / "trust" / "governance-keys.txt").read_text().split()
    args = [
        "permit",
        "verify",
        token,
        "--trust",
        str(tmp_path / "trust" / "trust-list.cbor"),
        "--revocations",
        str(tmp_path / "trust" / "revocations.cbor"),
        "--checkpoint",
        "W-SOUTH",
        *[x for k in keys for x in ("--governance-key", k)],
    ]
    verdict = CliRunner().invoke(cli, args)
    assert verdict.exit_code == 0, verdict.output
    assert verdict.output.startswith("*** VALID ***")
    assert "99887766" not in verdict.output
    off = CliRunner().invoke(
        cli,
        [
            *args[: -2 * len(keys) - 2],
            "--checkpoint",
            "E-GATE",
            *[x for k in keys for x in ("--governance-key", k)],
        ],
    )
    assert "OFF" in off.output.upper()
