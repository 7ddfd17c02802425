"""``tansiq deconfliction``: notify movements and sites, read what concerns your party,
acknowledge, withdraw. The same use cases as the API; ``--as`` names the acting user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tansiq.cli.base import echo_json, hub_context, operator, read_json, session_scope
from tansiq.cli.clearances import parse
from tansiq.cli.errors import cli_when
from tansiq.deconfliction import queries, service
from tansiq.deconfliction.domain import AcknowledgementState, ConcernCode, NotificationStatus
from tansiq.deconfliction.render import notification_out, summaries_out
from tansiq.deconfliction.schemas import AcknowledgeIn, MovementIn, NotificationOut, SiteIn
from tansiq.web.deps import MAX_ID

AS_USER = click.option(
    "--as",
    "as_user",
    required=True,
    metavar="USERNAME",
    help="The user to act as (a liaison officer or admin of the party).",
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
NOTIFICATION = click.argument("notification_id", type=click.IntRange(1, MAX_ID))


def show(shown: NotificationOut) -> None:
    window = (
        f"{cli_when(shown.start)} to {cli_when(shown.end)}"
        if shown.start is not None and shown.end is not None
        else f"until {cli_when(shown.active_until)}"
    )
    emergency = "  EMERGENCY" if shown.emergency else ""
    click.echo(
        f"{shown.reference}  {shown.kind.value}  {shown.status.value}  version {shown.version}"
        f"  by {shown.notifier}  {window}{emergency}"
    )
    for ack in shown.acknowledgements:
        why = ", ".join(
            r.checkpoint or r.reference or (r.name.en if r.name else r.reason) for r in ack.reasons
        )
        overdue = " OVERDUE" if ack.overdue else ""
        concern = f" ({ack.concern.value}: {ack.note})" if ack.concern else ""
        click.echo(
            f"  {ack.party:<16} {ack.state.value}{concern}{overdue}"
            f"  due {cli_when(ack.deadline)}  why: {why}"
        )
    for conflict in shown.conflicts:
        start, end = conflict.overlaps[0][0], conflict.overlaps[-1][1]
        click.echo(
            f"  CONFLICT with {conflict.other_reference}: {cli_when(start)} to {cli_when(end)}"
        )
    if shown.shift is not None:
        click.echo(
            f"  proposed shift: {shown.shift.minutes:.0f} minutes later"
            if shown.shift.exists and shown.shift.minutes is not None
            else "  no shift within the horizon clears the conflicts"
        )


def _print(shown: NotificationOut, as_json: bool) -> None:
    echo_json(shown.model_dump(mode="json")) if as_json else show(shown)


@click.group()
def deconfliction() -> None:
    """Deconfliction: notify movements and sites, acknowledge, withdraw."""


@deconfliction.command("file")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@AS_USER
@click.option("--site", "is_site", is_flag=True, help="FILE is a site, not a movement.")
@click.option("--update", "update_id", type=click.IntRange(1, MAX_ID), help="A new version of it.")
@JSON
@click.pass_context
def file_notification(
    ctx: click.Context,
    file: Path,
    as_user: str,
    is_site: bool,
    update_id: int | None,
    as_json: bool,
) -> None:
    """Notify the movement (or, with --site, the site) in FILE: JSON as POST
    /api/v1/deconfliction/movements (or /sites) takes it."""
    hub = hub_context(ctx)
    data: Any = read_json(file)
    env = service.env_of(hub.settings, hub.clock, hub.caches)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        if is_site:
            site = parse(SiteIn, data)
            record = (
                service.file_site(session, me, site, env)
                if update_id is None
                else service.update_site(session, me, update_id, site, env)
            )
        else:
            movement = parse(MovementIn, data)
            record = (
                service.file_movement(session, me, movement, env)
                if update_id is None
                else service.update_movement(session, me, update_id, movement, env)
            )
        shown = notification_out(session, me, record.id, hub.clock, via="cli")
    _print(shown, as_json)


@deconfliction.command("list")
@AS_USER
@click.option(
    "--filed/--received", default=None, help="Only those your party filed, or only received."
)
@click.option("--status", type=click.Choice([s.value for s in NotificationStatus]))
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@JSON
@click.pass_context
def list_notifications(
    ctx: click.Context,
    as_user: str,
    filed: bool | None,
    status: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """The notifications your party filed or was reached by, newest first."""
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        found = queries.notifications(
            session,
            me,
            filed=filed,
            status=None if status is None else NotificationStatus(status),
            limit=limit,
            offset=0,
        )
        summaries = summaries_out(session, found)
    if as_json:
        echo_json([s.model_dump(mode="json") for s in summaries])
        return
    for s in summaries:
        when = cli_when(s.start) if s.start else f"until {cli_when(s.active_until)}"
        flag = "  EMERGENCY" if s.emergency else ""
        click.echo(
            f"{s.reference:<8} {s.kind.value:<8} {s.status.value:<9} {s.notifier:<16} {when}{flag}"
        )


@deconfliction.command("show")
@NOTIFICATION
@AS_USER
@JSON
@click.pass_context
def show_notification(
    ctx: click.Context, notification_id: int, as_user: str, as_json: bool
) -> None:
    """One notification, as you may see it (every party's receipt if your party filed it)."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        shown = notification_out(session, me, notification_id, hub.clock, via="cli")
    _print(shown, as_json)


@deconfliction.command("ack")
@NOTIFICATION
@AS_USER
@click.option("--version", type=click.IntRange(1, MAX_ID), required=True, help="The version read.")
@click.option(
    "--concern",
    type=click.Choice([c.value for c in ConcernCode]),
    help="Received with this concern (informs the notifier, vetoes nothing).",
)
@click.option("--note", default="", help="A note (the concern 'other' needs one).")
@click.pass_context
def acknowledge(
    ctx: click.Context,
    notification_id: int,
    as_user: str,
    version: int,
    concern: str | None,
    note: str,
) -> None:
    """Acknowledge for your own party: received, or received with a concern."""
    hub = hub_context(ctx)
    body = parse(
        AcknowledgeIn,
        {
            "version": version,
            "answer": AcknowledgementState.RECEIVED
            if concern is None
            else AcknowledgementState.RECEIVED_WITH_CONCERN,
            "concern": concern,
            "note": note,
        },
    )
    with session_scope(ctx) as session:
        ack = service.acknowledge(
            session, operator(session, as_user), notification_id, body, hub.clock
        )
        click.echo(f"acknowledged version {version}: {ack.state.value}")


@deconfliction.command("withdraw")
@NOTIFICATION
@AS_USER
@click.option("--note", default="", help="Why, for the parties it reached.")
@JSON
@click.pass_context
def withdraw(
    ctx: click.Context, notification_id: int, as_user: str, note: str, as_json: bool
) -> None:
    """Withdraw your party's notification: recorded, never deleted; the parties are told."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        service.withdraw(session, me, notification_id, note, hub.clock)
        shown = notification_out(session, me, notification_id, hub.clock, via="cli")
    _print(shown, as_json)
