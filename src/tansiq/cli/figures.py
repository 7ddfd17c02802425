"""``tansiq figures``: the accountability figures of a period, as a table or a CSV file."""

from __future__ import annotations

import sys

import click

from tansiq.accountability import service
from tansiq.accountability.domain import Period, parse_day
from tansiq.accountability.export import figures_csv
from tansiq.cli.base import hub_context, operator, session_scope
from tansiq.cli.errors import cli_locale


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f}h"


@click.command()
@click.option(
    "--from", "first", metavar="YYYY-MM-DD", help="First UTC day (default: 29 days before --to)."
)
@click.option("--to", "last", metavar="YYYY-MM-DD", help="Last UTC day, included (default: today).")
@click.option("--authority", metavar="CODE", help="Only this authority's rows.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the CSV file (UTF-8 with a BOM).")
@click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    help="See what this user may see (default: the hub's first administrator).",
)
@click.pass_context
def figures(
    ctx: click.Context,
    first: str | None,
    last: str | None,
    authority: str | None,
    as_csv: bool,
    as_user: str | None,
) -> None:
    """Figures of authorities, checkpoints and notified parties over a period, with the totals.

    A notified party's figures say how it answered the notifications of movements and sites
    that reached it."""
    hub = hub_context(ctx)
    period = Period.of(parse_day(first), parse_day(last), hub.clock.now().date())
    with session_scope(ctx) as session:
        found = service.figures(session, operator(session, as_user), period, authority)
    if as_csv:
        sys.stdout.buffer.write(figures_csv(found, cli_locale()).encode("utf-8"))
        return
    click.echo(f"{period.first.isoformat()} .. {period.last.isoformat()}")
    click.echo(
        f"{'authority':<16} {'received':>8} {'decided':>8} {'approved':>8} {'refused':>8} "
        f"{'half in':>8} {'9/10 in':>8} {'overdue':>8} {'appealed':>8} {'revoked':>8}"
    )
    for row in [*found.authorities, found.totals]:
        click.echo(
            f"{row.code or 'ALL-AUTHORITIES':<16} {row.received:>8} {row.decided:>8} "
            f"{row.approved:>8} {sum(row.refused.values()):>8} {_hours(row.median_seconds):>8} "
            f"{_hours(row.p90_seconds):>8} {row.overdue:>8} {sum(row.appealed.values()):>8} "
            f"{sum(row.revoked.values()):>8}"
        )
    click.echo(
        f"{'checkpoint':<16} {'passages':>8} {'refusals':>8} {'override':>8} "
        f"{'contrad.':>8} {'clones':>8}"
    )
    for place in [*found.checkpoints, found.checkpoint_totals]:
        click.echo(
            f"{place.code or 'ALL-CHECKPOINTS':<16} {place.passages:>8} "
            f"{sum(place.refusals.values()):>8} {sum(place.overrides.values()):>8} "
            f"{place.contradictions:>8} {place.clones:>8}"
        )
    click.echo(
        f"{'party':<16} {'notified':>8} {'acknowl.':>8} {'concern':>8} {'unackn.':>8} "
        f"{'half in':>8} {'9/10 in':>8}"
    )
    for answered in [*found.liaison, found.liaison_totals]:
        click.echo(
            f"{answered.code or 'ALL-PARTIES':<16} {answered.notified:>8} "
            f"{sum(answered.acknowledged.values()):>8} {answered.with_concern:>8} "
            f"{answered.unacknowledged:>8} {_hours(answered.median_seconds):>8} "
            f"{_hours(answered.p90_seconds):>8}"
        )
