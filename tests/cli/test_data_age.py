"""Data age means one thing everywhere: the device's ``checkpoint scan`` and ``permit verify``
count it from the newest signed revocation delta, and both obey TANSIQ_DATA_MAX_AGE_HOURS."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from tansiq.checkpoints.client import CheckpointDevice, DeviceStore, http_transport
from tansiq.cli.main import cli
from tansiq.core.clock import SystemClock
from tansiq.permits.keys import raw_public_key
from tansiq.permits.token import sign_permit
from tansiq.permits.trust import (
    RevocationDelta,
    revocations_file,
    sign_revocation_delta,
    sign_trust_list,
)
from tansiq.settings import Settings
from tansiq.verifier.verify import DEFAULT_MAX_DATA_AGE
from tests.permits.builders import AUTHORITY_SIGNERS, GOVERNANCE, claims, trust_list

GOVERNANCE_HEX = raw_public_key(GOVERNANCE.private_key.public_key()).hex()


def test_the_device_and_permit_verify_agree_on_the_data_age(tmp_path: Path) -> None:
    now = SystemClock().now()
    token = sign_permit(
        claims(nbf=now - timedelta(hours=1), exp=now + timedelta(days=1)), AUTHORITY_SIGNERS
    )
    # The trust list is two days old (keys have not changed since); the hub's last signed
    # "nothing new" delta is an hour old. The data is an hour old.
    trust = sign_trust_list(trust_list(issued_at=now - timedelta(hours=48)), GOVERNANCE)
    delta = sign_revocation_delta(
        RevocationDelta(seq=1, issued_at=now - timedelta(hours=1)), GOVERNANCE
    )
    (tmp_path / "trust.cbor").write_bytes(trust)
    (tmp_path / "revocations.cbor").write_bytes(revocations_file([delta]))
    queue = tmp_path / "device.sqlite"
    store = DeviceStore(queue)
    CheckpointDevice(store, http_transport("http://unused.invalid"), "").enrol(
        [bytes.fromhex(GOVERNANCE_HEX)]
    )
    store.put(trust_list=trust, revocations=revocations_file([delta]))
    store.db.commit()
    store.close()

    def verified(max_age: str | None, hard_limit: str | None = None) -> Result:
        return CliRunner().invoke(
            cli,
            [
                "permit",
                "verify",
                token,
                "--json",
                "--trust",
                str(tmp_path / "trust.cbor"),
                "--revocations",
                str(tmp_path / "revocations.cbor"),
                "--governance-key",
                GOVERNANCE_HEX,
            ],
            env={"TANSIQ_DATA_MAX_AGE_HOURS": max_age, "TANSIQ_DATA_HARD_LIMIT_HOURS": hard_limit},
        )

    def scanned(max_age: str | None, hard_limit: str | None = None) -> Result:
        return CliRunner().invoke(
            cli,
            ["checkpoint", "scan", token, "--device-token", "tqd_x", "--queue", str(queue)],
            env={"TANSIQ_DATA_MAX_AGE_HOURS": max_age, "TANSIQ_DATA_HARD_LIMIT_HOURS": hard_limit},
        )

    answer = verified(None)
    assert answer.exit_code == 0, answer.output
    shown = json.loads(answer.output)
    assert shown["status"] == "valid"
    assert 3600 <= shown["data_age_seconds"] < 3600 + 60
    scan = scanned(None)
    assert scan.exit_code == 0, scan.output
    assert scan.output.startswith("VALID")

    # The hub's warning threshold, half an hour: both keep the permit's verdict and warn.
    warned = verified("0.5")
    assert warned.exit_code == 0, warned.output
    assert (json.loads(warned.output)["status"], json.loads(warned.output)["data_old"]) == (
        "valid",
        True,
    )
    warned_scan = scanned("0.5")
    assert warned_scan.exit_code == 0, warned_scan.output
    assert warned_scan.output.startswith("VALID")
    assert "On data 1 hour old: revocations since then are unknown." in warned_scan.output

    # The hub's hard limit, half an hour: the same data is stale on both.
    stale = verified(None, hard_limit="0.5")
    assert stale.exit_code == 1
    assert json.loads(stale.output)["status"] == "stale"
    stale_scan = scanned(None, hard_limit="0.5")
    assert stale_scan.exit_code == 1
    assert stale_scan.output.startswith("STALE")

    # A setting that makes no sense is refused, naming it; no traceback.
    for refused in (scanned("0"), verified("soon")):
        assert refused.exit_code == 2
        assert "TANSIQ_DATA_MAX_AGE_HOURS" in refused.output
        assert isinstance(refused.exception, SystemExit)


def test_the_hub_and_the_verifiers_default_to_the_same_age() -> None:
    default = Settings.model_fields["data_max_age_hours"].default
    assert timedelta(hours=default) == DEFAULT_MAX_DATA_AGE
