"""``tansiq permit verify`` through click's runner (the group is invoked directly)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tansiq.cli.permit import permit
from tansiq.context import HubContext
from tansiq.permits.claims import Driver
from tansiq.permits.id_hash import hash_id_number
from tansiq.permits.keys import raw_public_key
from tansiq.permits.qr import make_qr
from tansiq.permits.token import assemble, decode, sign_permit
from tansiq.permits.trust import (
    RevocationDelta,
    RevocationStatus,
    revocations_file,
    sign_revocation_delta,
    sign_trust_list,
)
from tests.permits.builders import (
    AUTHORITY_SIGNERS,
    DRIVER_ID,
    GOVERNANCE,
    ISSUED,
    SALT,
    claims,
    revocation,
    trust_list,
)

TOKEN = sign_permit(claims(), AUTHORITY_SIGNERS)
FORGED = assemble(
    decode(TOKEN).payload, [(s.alg, s.kid, bytes(64)) for s in decode(TOKEN).signatures]
)
GOVERNANCE_HEX = raw_public_key(GOVERNANCE.private_key.public_key()).hex()
AT = "2026-11-25T12:00:00Z"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("trust", "revocations", "revoked", "image")}
    paths["trust"].write_bytes(sign_trust_list(trust_list(), GOVERNANCE))
    fresh = sign_revocation_delta(RevocationDelta(seq=1, issued_at=ISSUED), GOVERNANCE)
    paths["revocations"].write_bytes(revocations_file([fresh]))
    revoked = RevocationDelta(
        seq=2, issued_at=ISSUED, entries=(revocation(RevocationStatus.REVOKED),)
    )
    paths["revoked"].write_bytes(
        revocations_file([fresh, sign_revocation_delta(revoked, GOVERNANCE)])
    )
    paths["image"].write_bytes(make_qr(TOKEN).png)
    return paths


def run(
    files: dict[str, Path], *args: str, revocations: str = "revocations", **kw: object
) -> Result:
    base = [
        "verify",
        "--trust",
        str(files["trust"]),
        "--revocations",
        str(files[revocations]),
        "--governance-key",
        GOVERNANCE_HEX,
    ]
    return CliRunner().invoke(permit, [*base, *args], **kw)  # type: ignore[arg-type]


def test_a_valid_permit_prints_the_big_word_first_and_exits_0(files: dict[str, Path]) -> None:
    result = run(files, TOKEN, "--at", AT, "--checkpoint", "CP-BRIDGE")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "*** VALID ***"
    assert lines[1].startswith("Valid:")
    assert lines[2].startswith("ساري")
    assert "P-2026-000123" in result.output
    assert "signed by army, umbrella-force, coalition" in result.output
    assert "data age: 2.0 h" in result.output


def test_arabic_comes_first_when_the_locale_is_arabic(files: dict[str, Path]) -> None:
    result = run(files, TOKEN, "--at", AT, env={"TANSIQ_LANG": "ar"})
    assert result.output.splitlines()[1].startswith("ساري")


def test_a_permit_with_only_a_route_prints_no_checkpoints(files: dict[str, Path]) -> None:
    result = run(files, sign_permit(claims(checkpoints=()), AUTHORITY_SIGNERS), "--at", AT)
    assert result.exit_code == 0, result.output
    assert "  checkpoints " not in result.output


def test_json_output(files: dict[str, Path]) -> None:
    result = run(files, TOKEN, "--at", AT, "--json")
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["status"] == "valid"
    assert shown["valid"] is True
    assert shown["data_age_seconds"] == 7200
    assert shown["permit"]["vehicle"]["plate"] == "دمشق 123456"
    assert shown["permit"]["signed_by"] == ["army", "umbrella-force", "coalition"]
    assert set(shown["reason"]) == {"en", "ar"}


def test_json_output_for_an_unreadable_token(files: dict[str, Path]) -> None:
    result = run(files, "TQ1:XYZ", "--at", AT, "--json")
    assert result.exit_code == 1
    shown = json.loads(result.output)
    assert shown["status"] == "malformed"
    assert "permit" not in shown


def test_from_an_image(files: dict[str, Path]) -> None:
    result = run(files, "--image", str(files["image"]), "--at", AT)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "revocations", "word"),
    [
        ((FORGED, "--at", AT), "revocations", "FORGED"),
        (("TQ1:XYZ", "--at", AT), "revocations", "MALFORMED"),
        ((TOKEN, "--at", AT), "revoked", "REVOKED"),
        ((TOKEN, "--at", "2027-01-01T00:00:00+03:00"), "revocations", "EXPIRED"),
        ((TOKEN, "--at", AT, "--checkpoint", "CP-WEST-9"), "revocations", "OFF ROUTE"),
        (
            (TOKEN, "--at", "2026-11-26T11:00:00Z", "--hard-limit-hours", "24"),
            "revocations",
            "STALE",
        ),
    ],
)
def test_anything_but_valid_exits_1(
    files: dict[str, Path], args: tuple[str, ...], revocations: str, word: str
) -> None:
    result = run(files, *args, revocations=revocations)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == f"*** {word} ***"


def test_old_data_is_a_warning_beside_the_permits_own_verdict(files: dict[str, Path]) -> None:
    """Past the warning threshold the verdict stays the permit's own, with the age and what it
    means; past the hard limit it is stale, the permit's own checks still shown."""
    old = run(files, TOKEN, "--at", "2026-11-26T11:00:00Z")
    assert old.exit_code == 0, old.output
    assert old.output.startswith("*** VALID ***")
    assert "! On data 25 hours old: revocations since then are unknown." in old.output
    shown = json.loads(run(files, TOKEN, "--at", "2026-11-26T11:00:00Z", "--json").output)
    assert (shown["status"], shown["data_old"], shown["permit_status"]) == ("valid", True, "valid")
    too_old = run(files, TOKEN, "--at", "2026-11-26T11:00:00Z", "--hard-limit-hours", "24")
    assert too_old.exit_code == 1
    assert too_old.output.startswith("*** STALE ***")
    assert "permit's own checks: VALID" in too_old.output


def test_without_revocations_the_verdict_is_stale(files: dict[str, Path]) -> None:
    result = CliRunner().invoke(
        permit,
        ["verify", TOKEN, "--trust", str(files["trust"]), "--at", AT, "--json"],
        env={"TANSIQ_GOVERNANCE_KEYS": GOVERNANCE_HEX},
    )
    assert result.exit_code == 1
    assert json.loads(result.output)["status"] == "stale"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((), "verifier.token_source"),
        ((TOKEN, "--image", "x.png"), "verifier.token_source"),
        ((TOKEN, "--at", "yesterday"), "verifier.bad_time"),
        ((TOKEN, "--at", "2026-11-25T12:00:00"), "time.naive"),
        ((TOKEN, "--governance-key", "zz"), "permit.public_key_invalid"),
    ],
)
def test_usage_problems_are_coded_errors(
    files: dict[str, Path], args: tuple[str, ...], code: str
) -> None:
    result = run(files, *args)
    assert result.exit_code == 2
    assert f"error {code}:" in result.output


def test_a_trust_list_and_a_governance_key_are_needed(files: dict[str, Path]) -> None:
    result = CliRunner().invoke(permit, ["verify", TOKEN], env={"TANSIQ_GOVERNANCE_KEYS": ""})
    assert result.exit_code == 2
    assert "error verifier.trust_needed:" in result.output


def test_files_that_cannot_be_read_or_trusted(files: dict[str, Path], tmp_path: Path) -> None:
    missing = CliRunner().invoke(
        permit,
        ["verify", TOKEN, "--trust", str(tmp_path / "none"), "--governance-key", GOVERNANCE_HEX],
    )
    assert "error verifier.file_unreadable:" in missing.output
    other_key = raw_public_key(AUTHORITY_SIGNERS[0].private_key.public_key()).hex()
    untrusted = CliRunner().invoke(
        permit, ["verify", TOKEN, "--trust", str(files["trust"]), "--governance-key", other_key]
    )
    assert "error trust.signature_invalid:" in untrusted.output
    assert untrusted.exit_code == 2


def test_now_comes_from_the_hub_clock_when_there_is_one(
    files: dict[str, Path], hub: HubContext
) -> None:
    result = run(files, TOKEN, obj=hub)
    assert result.exit_code == 0, result.output


def test_now_is_the_system_clock_otherwise(files: dict[str, Path]) -> None:
    # A permit, trust list and revocation list made a minute ago by the real clock: valid by that
    # clock, whatever day the suite runs (the fixture's permit is valid only around NOW).
    now = datetime.now(UTC) - timedelta(minutes=1)
    token = sign_permit(
        claims(iat=now, nbf=now - timedelta(hours=1), exp=now + timedelta(days=1)),
        AUTHORITY_SIGNERS,
    )
    files["trust"].write_bytes(sign_trust_list(trust_list(issued_at=now), GOVERNANCE))
    fresh = sign_revocation_delta(RevocationDelta(seq=1, issued_at=now), GOVERNANCE)
    files["revocations"].write_bytes(revocations_file([fresh]))
    result = run(files, token, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == "valid"


def test_daylight_is_judged_where_the_checkpoint_stands(files: dict[str, Path]) -> None:
    """The test permit says "daylight hours only": at 20:00 UTC (23:00 there) with the
    checkpoint's position it is its own verdict; without a position it is left to the officer."""
    night = "2026-11-25T20:00:00Z"
    judged = run(files, TOKEN, "--at", night, "--position", "37.18,36.22", "--json")
    assert judged.exit_code == 1, judged.output
    assert json.loads(judged.output)["status"] == "condition_daylight"
    assert run(files, TOKEN, "--at", night).exit_code == 0
    assert run(files, TOKEN, "--at", AT, "--position", "37.18,36.22").exit_code == 0
    assert run(files, TOKEN, "--position", "east").exit_code == 2


BOTH_NAMES = sign_permit(
    claims(
        driver=Driver(
            name="Ahmad al-Khatib",
            name_ar="أحمد الخطيب",
            id_hash=hash_id_number(DRIVER_ID, SALT),
            id_salt=SALT,
        )
    ),
    AUTHORITY_SIGNERS,
)


@pytest.mark.parametrize("typed", ["123456789", "123-456 789", "١٢٣٤٥٦٧٨٩", "۱۲۳ ۴۵۶ ۷۸۹"])
def test_the_drivers_id_number_matches_however_it_is_typed(
    files: dict[str, Path], typed: str
) -> None:
    result = run(files, BOTH_NAMES, "--at", AT, "--driver-id", typed)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].startswith("✓ ID number matches the permit's driver.")
    assert "driver أحمد الخطيب / Ahmad al-Khatib" in result.output


def test_a_wrong_driver_id_is_a_cross_and_exits_1(files: dict[str, Path]) -> None:
    result = run(files, BOTH_NAMES, "--at", AT, "--driver-id", "123456780")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == "*** VALID ***"  # the permit itself is good: the driver is not
    assert lines[1].startswith("✗ ID number does NOT match")
    assert "رقم الهوية لا يطابق" in lines[1]


def test_the_driver_check_in_json(files: dict[str, Path]) -> None:
    right = json.loads(
        run(files, BOTH_NAMES, "--at", AT, "--json", "--driver-id", "123 456 789").output
    )
    wrong = json.loads(run(files, BOTH_NAMES, "--at", AT, "--json", "--driver-id", "1").output)
    assert right["driver_id"]["matches"] is True
    assert wrong["driver_id"]["matches"] is False
    assert set(wrong["driver_id"]["message"]) == {"en", "ar"}
    assert (right["permit"]["driver"], right["permit"]["driver_ar"]) == (
        "Ahmad al-Khatib",
        "أحمد الخطيب",
    )
    assert "driver_id" not in json.loads(run(files, BOTH_NAMES, "--at", AT, "--json").output)
