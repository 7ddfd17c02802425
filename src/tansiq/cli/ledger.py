"""``tansiq ledger``: sign a tree head now, and check the whole ledger against itself."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from tansiq.checkpoints.client import BadHubAnswer, HubUnreachable, http_transport
from tansiq.cli.base import hub_context, session_scope
from tansiq.cli.errors import cli_locale
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import NP_, translate
from tansiq.ledger.witness import (
    WATCH_FIRST,
    WATCH_GREW,
    WATCH_SAME,
    BadHeadAnswer,
    BadPinnedKey,
    HubNotAnswering,
    WatchResult,
    Witness,
)
from tansiq.ledger_check.sources import verify_ledger
from tansiq.permits.keys import decode_key
from tansiq.permits.ledger_heads import sign_ledger_head


@click.group()
def ledger() -> None:
    """The tamper-evident ledger: sign tree heads, verify the stored history."""


@ledger.command("head")
@click.pass_context
def head(ctx: click.Context) -> None:
    """Sign a tree head over every entry recorded so far."""
    context = hub_context(ctx)
    with session_scope(ctx) as session:
        record = sign_ledger_head(session, context.settings.secret_key, context.clock)
        click.echo(f"size {record.size}  root {record.root.hex()}  {record.signed_at.isoformat()}")


@ledger.command("verify")
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Recompute the tree from the database, check every signed head, and check every entry
    against the row it records; name the first bad entry."""
    hub_context(ctx)
    with session_scope(ctx) as session:
        check = verify_ledger(session)
    if check.problem is not None:
        shown = check.problem.render(cli_locale())
        click.echo(f"error {shown['code']}: {shown['message']}", err=True)
        sys.exit(1)
    intact = NP_(
        "The ledger is intact: {count} entry and every signed head checked.",
        "The ledger is intact: {count} entries and every signed head checked.",
    )
    click.echo(translate(intact, cli_locale(), count=check.entries))


def _fetcher(hub_url: str) -> Any:
    send = http_transport(hub_url)

    def fetch(path: str) -> Any:
        try:
            reply = send("GET", path, {}, None)
        except (HubUnreachable, BadHubAnswer) as error:
            raise HubNotAnswering(problem=str(error.params.get("problem", ""))[:200]) from None
        if reply.status != 200:
            raise BadHeadAnswer(problem=f"HTTP {reply.status}")
        return reply.body

    return fetch


def _said(result: WatchResult) -> tuple[str, str]:
    if result.old_size is None:
        return "ledger.watch_first", translate(WATCH_FIRST, cli_locale(), size=result.new_size)
    if result.old_size == result.new_size:
        return "ledger.watch_same", translate(WATCH_SAME, cli_locale(), size=result.new_size)
    return "ledger.watch_consistent", translate(
        WATCH_GREW, cli_locale(), old=result.old_size, new=result.new_size
    )


@ledger.command("watch")
@click.option("--hub", "hub_url", required=True, help="The hub's base URL.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The witness's file: the last head accepted and the pinned governance keys.",
)
@click.option(
    "--governance-key",
    "keys",
    multiple=True,
    help="Pin a governance public key (hex or base64), as the hub's operator gave it.",
)
@click.option(
    "--interval",
    type=click.FloatRange(1, 86_400),
    default=None,
    help="Seconds between checks; with --times, check repeatedly.",
)
@click.option(
    "--times",
    type=click.IntRange(1, 100_000),
    default=1,
    show_default=True,
    help="How many checks to make (bounded), --interval apart.",
)
def watch(
    hub_url: str, state: Path, keys: tuple[str, ...], interval: float | None, times: int
) -> None:
    """Witness the hub's ledger: check its signed head and a consistency proof from the
    last head kept here; a rewritten history fails with a coded error and exit 1."""
    try:
        witness = Witness(state)
        if keys:
            try:
                witness.pin([decode_key(key) for key in keys])
            except (ValueError, TansiqError):
                raise BadPinnedKey from None
        fetch = _fetcher(hub_url)
        for round_ in range(times):
            if round_ and interval:
                time.sleep(interval)
            code, message = _said(witness.check(fetch))
            click.echo(f"ok {code}: {message}")
    except TansiqError as problem:
        shown = problem.render(cli_locale())
        click.echo(f"error {shown['code']}: {shown['message']}", err=True)
        sys.exit(1)
