"""Docs that could drift are checked against the code."""

from __future__ import annotations

import re
from pathlib import Path

import click
from click.testing import CliRunner

from tansiq.cli.main import cli
from tansiq.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(TANSIQ_[A-Z0-9_]+)`", docs))
    settings = {f"TANSIQ_{name.upper()}" for name in Settings.model_fields}
    assert settings - documented == set(), "settings missing from docs/configuration.md"
    assert (
        documented
        - settings
        - {
            "TANSIQ_TEST_DATABASE_URL",
            "TANSIQ_TEST_SECOND_PASS",
            "TANSIQ_LANG",
            "TANSIQ_NEW_PASSWORD",
        }
        == set()
    ), "docs name unknown settings"


def test_cli_reference_is_generated_from_help() -> None:
    """docs/cli.md is written by scripts/cli-docs; rerun it when a command changes."""
    expected = cli_reference()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "run scripts/cli-docs"


def cli_reference() -> str:
    runner = CliRunner()
    sections = [
        "# `tansiq` command reference\n",
        "Generated from `--help` by `scripts/cli-docs`; do not edit by hand.\n",
    ]
    queue: list[list[str]] = [[]]
    while queue:
        path = queue.pop(0)
        result = runner.invoke(cli, [*path, "--help"], prog_name="tansiq", terminal_width=100)
        title = " ".join(["tansiq", *path])
        sections.append(f"## `{title}`\n\n```\n{result.output.rstrip()}\n```\n")
        # Look commands up as a command line does: a lazy group loads them on demand.
        command: click.Command | None = cli
        context = click.Context(cli, info_name="tansiq")
        for name in path:
            assert isinstance(command, click.Group)
            command = command.get_command(context, name)
        if isinstance(command, click.Group):
            queue.extend([*path, name] for name in command.list_commands(context))
    return "\n".join(sections)
