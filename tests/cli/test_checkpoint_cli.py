"""A checkpoint terminal against a real hub process: register, enrol, sync, scan, push."""

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
from tansiq.demo.service import demo_file
from tansiq.permits.models import PermitTokenRecord
from tests.processes import demo_hub


def test_a_terminal_syncs_scans_offline_and_pushes(tmp_path: Path) -> None:
    with demo_hub(tmp_path) as (port, database):
        secret = Path(f"{database}.key").read_text(encoding="utf-8").strip()
        url = f"sqlite:///{database}"

        def at_hub(*args: str) -> Result:
            return CliRunner().invoke(
                cli, ["--database-url", url, *args], env={"TANSIQ_SECRET_KEY": secret}
            )

        registered = at_hub("checkpoint", "register", "W-SOUTH", "--as", "west.admin")
        assert registered.exit_code == 0, registered.output
        device_token = registered.output.splitlines()[0]
        keys = [
            line.split(": ")[1]
            for line in registered.output.splitlines()
            if line.startswith("governance key:")
        ]
        queue = str(tmp_path / "terminal.sqlite")

        def terminal(*args: str) -> Result:
            return CliRunner().invoke(
                cli,
                ["checkpoint", *args, "--queue", queue],
                env={
                    "TANSIQ_DEVICE_TOKEN": device_token,
                    "TANSIQ_HUB_URL": f"http://127.0.0.1:{port}",
                },
            )

        assert "not_enrolled" in terminal("sync").output
        enrolled = terminal("enrol", *[x for key in keys for x in ("--governance-key", key)])
        assert enrolled.exit_code == 0, enrolled.output

        now = SystemClock().now()
        road = next(
            f["geometry"]
            for f in demo_file("roads.geojson")["features"]
            if f["properties"]["code"] == "west-road"
        )
        (tmp_path / "app.json").write_text(
            json.dumps(
                {
                    "client_reference": "terminal-1",
                    "vehicle": {"plate": "AB 1234", "kind": "van"},
                    "driver": {"name_latin": "Huda", "id_number": "556677"},
                    "cargo": [
                        {
                            "description": "Bread",
                            "quantity": 200,
                            "unit": "boxes",
                            "gross_mass_kg": 900,
                        }
                    ],
                    "origin": "Bakery",
                    "destination": "School",
                    "route": road,
                    "valid_from": now.isoformat(),
                    "valid_until": (now + timedelta(days=1)).isoformat(),
                }
            ),
            encoding="utf-8",
        )
        application = json.loads(
            at_hub(
                "applications", "submit", str(tmp_path / "app.json"), "--as", "trader", "--json"
            ).output
        )
        decided = at_hub(
            "reviews",
            "decide",
            str(application["reviews"][0]["id"]),
            "--decision",
            "approve",
            "--as",
            "west.reviewer",
        )
        assert decided.exit_code == 0, decided.output
        engine = make_engine(url)
        with Session(engine) as session:
            permit = session.scalars(select(PermitTokenRecord.token)).one()
        engine.dispose()
        assert permit is not None

        synced = terminal("sync")
        assert synced.exit_code == 0, synced.output
        assert "1 permit expected here" in synced.output

        scanned = terminal(
            "scan",
            permit,
            "--checkpoint",
            "W-SOUTH",
            "--action",
            "passage",
            "--officer",
            "Sgt. Rami",
        )
        assert scanned.exit_code == 0, scanned.output
        assert scanned.output.startswith("VALID")
        elsewhere = terminal(
            "scan",
            permit,
            "--checkpoint",
            "E-GATE",
            "--action",
            "refusal",
            "--reason",
            "route_closed",
        )
        assert elsewhere.exit_code == 1
        assert elsewhere.output.startswith("OFF_ROUTE")
        # Off route: a passage is not offered; letting it through is an override that says why.
        passed = terminal("scan", permit, "--checkpoint", "E-GATE", "--action", "passage")
        assert passed.exit_code == 2
        assert "--action override" in passed.output
        bare = terminal("scan", permit, "--checkpoint", "E-GATE", "--action", "override")
        assert bare.exit_code == 2
        overridden = terminal(
            "scan",
            permit,
            "--checkpoint",
            "E-GATE",
            "--action",
            "override",
            "--reason",
            "supervisor_order",
            "--note",
            "Capt. Hadi, by radio",
        )
        assert overridden.exit_code == 1  # the verdict stays what it is

        pushed = terminal("sync")
        assert "pushed 3 events: 3 new" in pushed.output, pushed.output
        # The device mans a West checkpoint and refused a permit West approved.
        assert "1 contradiction flagged" in pushed.output
        assert "0 suspected clones" in pushed.output
        again = terminal("sync")
        assert "pushed 0 events" in again.output
