"""Command groups that import a command's module only when that command is run.

``tansiq --help`` must answer at once and ``tansiq permit verify`` must not load the web and
database stacks, so a group names its commands in a table (name, where the command lives, its
short help) and imports a command's module only when the command is looked up to run or to
show its own help. The group's help lists every command from the table alone;
tests/cli/test_lazy.py checks that each table entry's short help is the command's own.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from gettext import gettext
from typing import Any, NamedTuple

import click

from tansiq.cli.errors import CodedErrors


class LazyCommand(NamedTuple):
    """Where a command lives and the short help that lists it.

    ``target`` is ``"package.module:attribute"``, or ``"package.module:group.command"`` for a
    command of another group (looked up in that group once the module is imported).
    """

    target: str
    short_help: str


def load_command(target: str) -> click.Command:
    """Import the module of ``target`` and return the command it names."""
    module_name, _, path = target.partition(":")
    attribute, *subcommands = path.split(".")
    found: object = getattr(importlib.import_module(module_name), attribute)
    for name in subcommands:
        if not isinstance(found, click.Group) or name not in found.commands:
            raise LookupError(f"{target} names no command")
        found = found.commands[name]
    if not isinstance(found, click.Command):
        raise LookupError(f"{target} names no command")
    return found


class LazyGroup(CodedErrors):
    """A group of commands added as usual, plus commands loaded from ``lazy`` on first use."""

    def __init__(self, *args: Any, lazy: Mapping[str, LazyCommand] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.lazy: dict[str, LazyCommand] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(load_command(self.lazy[cmd_name].target), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's own listing, with the short help of commands not yet loaded from the table."""
        listed: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None:
                # A stand-in with the table's text gets click's own shortening to the width.
                command = click.Command(name, help=self.lazy[name].short_help)
            if not command.hidden:
                listed.append((name, command))
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in listed)
        rows = [(name, command.get_short_help_str(limit)) for name, command in listed]
        with formatter.section(gettext("Commands")):
            formatter.write_dl(rows)
