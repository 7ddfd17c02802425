"""The command line loads a command group only when it runs one.

``--help`` lists every command from the lazy tables without importing them, and ``tansiq permit
verify`` (an offline checkpoint's check) loads neither the web nor the database stack.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tansiq.cli.lazy import LazyGroup, load_command
from tansiq.cli.main import cli
from tansiq.permits.keys import raw_public_key
from tansiq.permits.qr import make_qr
from tansiq.permits.token import sign_permit
from tansiq.permits.trust import (
    RevocationDelta,
    revocations_file,
    sign_revocation_delta,
    sign_trust_list,
)
from tests.permits.builders import AUTHORITY_SIGNERS, GOVERNANCE, ISSUED, claims, trust_list

HEAVY = ("sqlalchemy", "fastapi", "starlette", "alembic", "uvicorn")

# Runs the real `tansiq` command with the arguments given, then reports what it imported.
PROBE = """
import sys
from tansiq.cli.main import cli
try:
    cli(sys.argv[1:], prog_name="tansiq")
finally:
    print("loaded:", " ".join(sorted(sys.modules)), file=sys.stderr)
"""


def run_tansiq(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``tansiq ARGS`` in a fresh interpreter; its result and every module it loaded."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("loaded:"))
    return result, set(line.split()[1:])


def heavy(modules: set[str]) -> set[str]:
    return {name for name in modules if name.partition(".")[0] in HEAVY}


def lazy_groups(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, LazyGroup]]:
    context = click.Context(cli, info_name="tansiq")
    if isinstance(group, LazyGroup):
        yield " ".join(path), group
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from lazy_groups(command, (*path, name))


def lazy_entries() -> list[tuple[str, str, str]]:
    return [
        (f"{path} {name}".strip(), entry.target, entry.short_help)
        for path, group in lazy_groups(cli)
        for name, entry in group.lazy.items()
    ]


@pytest.mark.parametrize(("name", "target", "short_help"), lazy_entries())
def test_each_lazy_entry_lists_the_commands_own_short_help(
    name: str, target: str, short_help: str
) -> None:
    assert load_command(target).get_short_help_str(limit=10_000) == short_help, name


def test_the_root_and_the_permit_group_are_lazy() -> None:
    groups = dict(lazy_groups(cli))
    assert {"", "permit"} <= set(groups)
    assert {"reinstate", "revoke", "suspend", "token"} == set(groups["permit"].lazy)


def test_help_lists_every_command_and_imports_none() -> None:
    result, loaded = run_tansiq("--help")
    assert result.returncode == 0, result.stderr
    commands = result.stdout.split("Commands:")[1].split()
    assert {"serve", "permit", "applications", "zones", "worker"} <= set(commands)
    assert {name for name in loaded if name.startswith("tansiq.cli.")} == {
        "tansiq.cli.errors",
        "tansiq.cli.lazy",
        "tansiq.cli.main",
    }
    assert heavy(loaded) == set()


def test_permit_help_lists_the_lifecycle_without_loading_the_database() -> None:
    result, loaded = run_tansiq("permit", "--help")
    assert result.returncode == 0, result.stderr
    listed = [line.split(maxsplit=1) for line in result.stdout.split("Commands:")[1].splitlines()]
    assert ["suspend", "Suspend a permit for a while."] in listed
    assert "tansiq.cli.clearances" not in loaded
    assert heavy(loaded) == set()


def test_a_devices_commands_load_neither_the_web_nor_the_database() -> None:
    """The officer's terminal (scan, sync, enrol) starts without the hub's stacks; registering
    a device, the hub's side, is listed and loads only when run."""
    for args in (("checkpoint", "--help"), ("checkpoint", "scan", "--help")):
        result, loaded = run_tansiq(*args)
        assert result.returncode == 0, result.stderr
        assert heavy(loaded) == set(), args
        assert {"tansiq.cli.base", "tansiq.cli.trust", "tansiq.settings"}.isdisjoint(loaded)
    listed = run_tansiq("checkpoint", "--help")[0].stdout.split("Commands:")[1].split()
    assert {"enrol", "register", "scan", "sync"} <= set(listed)
    result, loaded = run_tansiq("checkpoint", "register", "--help")
    assert result.returncode == 0, result.stderr
    assert "--as" in result.stdout
    assert "tansiq.cli.trust" in loaded


@pytest.fixture
def permit_files(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / name for name in ("trust", "revocations", "permit.png")}
    paths["trust"].write_bytes(sign_trust_list(trust_list(), GOVERNANCE))
    fresh = sign_revocation_delta(RevocationDelta(seq=1, issued_at=ISSUED), GOVERNANCE)
    paths["revocations"].write_bytes(revocations_file([fresh]))
    paths["permit.png"].write_bytes(make_qr(sign_permit(claims(), AUTHORITY_SIGNERS)).png)
    return paths


def test_verify_from_an_image_loads_neither_the_web_nor_the_database(
    permit_files: dict[str, Path],
) -> None:
    result, loaded = run_tansiq(
        "permit",
        "verify",
        "--image",
        str(permit_files["permit.png"]),
        "--trust",
        str(permit_files["trust"]),
        "--revocations",
        str(permit_files["revocations"]),
        "--governance-key",
        raw_public_key(GOVERNANCE.private_key.public_key()).hex(),
        "--at",
        "2026-11-25T12:00:00Z",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "*** VALID ***"
    assert heavy(loaded) == set()
    assert {"tansiq.context", "tansiq.settings", "tansiq.cli.base"}.isdisjoint(loaded)


def test_a_lifecycle_command_loads_when_run() -> None:
    result = CliRunner().invoke(cli, ["permit", "suspend", "--help"])
    assert result.exit_code == 0, result.output
    assert "--reason" in result.output


def test_an_unknown_command_is_refused_as_before() -> None:
    result = CliRunner().invoke(cli, ["permits"])
    assert result.exit_code == 2
    assert "No such command 'permits'" in result.output


@pytest.mark.parametrize(
    "target",
    [
        "tansiq.cli.main:COMMANDS",
        "tansiq.cli.permit:verify_command.nothing",
        "tansiq.cli.main:cli.x",
    ],
)
def test_a_target_that_names_no_command_is_an_error(target: str) -> None:
    with pytest.raises(LookupError):
        load_command(target)
