"""``tansiq incident``, ``tansiq advisory`` and ``tansiq watch``: report incidents and judge
other parties' reports, issue and end advisories, watch areas and routes. The same use cases
as the API; ``--as`` names the acting user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tansiq.clearances import corridors as _permit_corridors  # noqa: F401 - registers the source
from tansiq.cli.base import echo_json, hub_context, operator, read_json, session_scope
from tansiq.cli.clearances import parse
from tansiq.core.i18n import Locale
from tansiq.incidents import queries, service
from tansiq.incidents.domain import (
    AdvisoryKind,
    AdvisoryStatus,
    EventType,
    Severity,
    Verdict,
    Verification,
)
from tansiq.incidents.env import env_of
from tansiq.incidents.expiry import expire_due
from tansiq.incidents.render import (
    advisories_out,
    advisory_out,
    impact_out,
    incident_out,
    incidents_out,
    watch_out,
)
from tansiq.incidents.schemas import (
    AdvisoryIn,
    AdvisoryOut,
    IncidentIn,
    IncidentOut,
    WatchIn,
    WindowIn,
)
from tansiq.web.deps import MAX_ID

AS_USER = click.option(
    "--as", "as_user", required=True, metavar="USERNAME", help="The user to act as."
)
JSON = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
RECORD = click.argument("record_id", type=click.IntRange(1, MAX_ID))
FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
LIMIT = click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
SHOWN = Locale.EN


def _show_incident(shown: IncidentOut) -> None:
    click.echo(
        f"{shown.reference:<8} {shown.event_type_label} / {shown.sub_type_label}  "
        f"{shown.severity.value}  {shown.verification.value}  {shown.status.value}  "
        f"{shown.occurred_at:%Y-%m-%d %H:%M}Z ({shown.time_precision.value})  "
        f"by {shown.reporting_party.en or shown.reporting_party.ar}"
    )
    for verdict in shown.verdicts:
        click.echo(
            f"  {verdict.verdict.value:<12} {verdict.party.en}  {verdict.at:%Y-%m-%d %H:%M}Z"
        )


def _show_advisory(shown: AdvisoryOut) -> None:
    where = f" {shown.checkpoint}" if shown.checkpoint else ""
    cosigned = ", ".join(c.party.en for c in shown.cosigned_by)
    click.echo(
        f"{shown.reference:<8} {shown.kind_label}{where}  {shown.status.value}  "
        f"{shown.valid_from:%Y-%m-%d %H:%M}Z to {shown.valid_until:%Y-%m-%d %H:%M}Z  "
        f"by {shown.issuing_party.en or shown.issuing_party.ar}"
        + (f"  co-signed by {cosigned}" if cosigned else "")
    )


@click.group()
def incident() -> None:
    """Incidents: report, list, corroborate or refute, expire."""


@incident.command("report")
@FILE
@AS_USER
@JSON
@click.pass_context
def report(ctx: click.Context, file: Path, as_user: str, as_json: bool) -> None:
    """Report the incident in FILE (JSON as POST /api/v1/incidents takes it); everything it
    touches is alerted at once."""
    hub = hub_context(ctx)
    body = parse(IncidentIn, read_json(file))
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        record = service.record_incident(
            session, me, body, env_of(hub.settings, hub.clock, hub.caches)
        )
        shown = incident_out(session, record, SHOWN)
        impacts = [impact_out(i) for i in queries.impacts_of(session, me, "incident", record.id)]
    if as_json:
        echo_json(
            {
                **shown.model_dump(mode="json"),
                "impacts": [i.model_dump(mode="json") for i in impacts],
            }
        )
        return
    _show_incident(shown)
    for found in impacts:
        flag = "  ROUTE AFFECTED" if found.route_affected else ""
        click.echo(
            f"  touches {found.target_kind} {found.target_id} at {found.distance_m:.0f} m{flag}"
        )


@incident.command("list")
@AS_USER
@click.option("--type", "event_type", type=click.Choice([t.value for t in EventType]))
@click.option("--severity", type=click.Choice([s.value for s in Severity]))
@click.option("--verification", type=click.Choice([v.value for v in Verification]))
@click.option("--current", is_flag=True, help="Only those still relevant now.")
@LIMIT
@JSON
@click.pass_context
def list_incidents(
    ctx: click.Context,
    as_user: str,
    event_type: str | None,
    severity: str | None,
    verification: str | None,
    current: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Incidents, newest first."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        found = queries.incidents(
            session,
            me,
            event_type=None if event_type is None else EventType(event_type),
            severity=None if severity is None else Severity(severity),
            verification=None if verification is None else Verification(verification),
            current_at=hub.clock.now() if current else None,
            limit=limit,
        )
        shown = incidents_out(session, found, SHOWN)
    if as_json:
        echo_json([s.model_dump(mode="json") for s in shown])
        return
    for one in shown:
        _show_incident(one)


def _judge(ctx: click.Context, record_id: int, as_user: str, note: str, verdict: Verdict) -> None:
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        record = service.judge_incident(session, me, record_id, verdict, note, hub.clock)
        shown = incident_out(session, record, SHOWN)
    _show_incident(shown)


@incident.command("corroborate")
@RECORD
@AS_USER
@click.option("--note", default="")
@click.pass_context
def corroborate(ctx: click.Context, record_id: int, as_user: str, note: str) -> None:
    """Your party confirms another party's report (once)."""
    _judge(ctx, record_id, as_user, note, Verdict.CORROBORATE)


@incident.command("refute")
@RECORD
@AS_USER
@click.option("--note", default="")
@click.pass_context
def refute(ctx: click.Context, record_id: int, as_user: str, note: str) -> None:
    """Your party says another party's report is wrong (once)."""
    _judge(ctx, record_id, as_user, note, Verdict.REFUTE)


@incident.command("expire")
@click.pass_context
def expire(ctx: click.Context) -> None:
    """End every advisory and incident past its time now (the worker does this on time; this
    catches up after the worker was down)."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        ended = expire_due(session, hub.clock)
    click.echo(f"{ended} ended")


@click.group()
def advisory() -> None:
    """Advisories: issue, list, co-sign, withdraw."""


@advisory.command("issue")
@FILE
@AS_USER
@JSON
@click.pass_context
def issue(ctx: click.Context, file: Path, as_user: str, as_json: bool) -> None:
    """Issue the advisory in FILE (JSON as POST /api/v1/advisories takes it)."""
    hub = hub_context(ctx)
    body = parse(AdvisoryIn, read_json(file))
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        record = service.issue_advisory(
            session, me, body, env_of(hub.settings, hub.clock, hub.caches)
        )
        shown = advisory_out(session, record, SHOWN)
    echo_json(shown.model_dump(mode="json")) if as_json else _show_advisory(shown)


@advisory.command("list")
@AS_USER
@click.option("--kind", type=click.Choice([k.value for k in AdvisoryKind]))
@click.option("--status", type=click.Choice([s.value for s in AdvisoryStatus]))
@click.option("--current", is_flag=True, help="Only those in force now.")
@LIMIT
@JSON
@click.pass_context
def list_advisories(
    ctx: click.Context,
    as_user: str,
    kind: str | None,
    status: str | None,
    current: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Advisories, newest first."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        found = queries.advisories(
            session,
            me,
            kind=None if kind is None else AdvisoryKind(kind),
            status=None if status is None else AdvisoryStatus(status),
            current_at=hub.clock.now() if current else None,
            limit=limit,
        )
        shown = advisories_out(session, found, SHOWN)
    if as_json:
        echo_json([s.model_dump(mode="json") for s in shown])
        return
    for one in shown:
        _show_advisory(one)


@advisory.command("cosign")
@RECORD
@AS_USER
@click.pass_context
def cosign(ctx: click.Context, record_id: int, as_user: str) -> None:
    """Your party stands behind another party's advisory."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        shown = advisory_out(
            session, service.cosign_advisory(session, me, record_id, hub.clock), SHOWN
        )
    _show_advisory(shown)


@advisory.command("window")
@RECORD
@AS_USER
@click.option("--until", "valid_until", required=True, help="The new end (ISO 8601, with zone).")
@click.pass_context
def change_window(ctx: click.Context, record_id: int, as_user: str, valid_until: str) -> None:
    """Move the end of your party's advisory; what a longer window touches is alerted."""
    hub = hub_context(ctx)
    body = parse(WindowIn, {"valid_until": valid_until})
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        env = env_of(hub.settings, hub.clock, hub.caches)
        record = service.change_advisory_window(session, me, record_id, body.valid_until, env)
        shown = advisory_out(session, record, SHOWN)
    _show_advisory(shown)


@advisory.command("withdraw")
@RECORD
@AS_USER
@click.option("--note", default="")
@click.pass_context
def withdraw(ctx: click.Context, record_id: int, as_user: str, note: str) -> None:
    """End your party's advisory early; a checkpoint it closed opens again."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        record = service.withdraw_advisory(session, me, record_id, note, hub.clock)
        shown = advisory_out(session, record, SHOWN)
    _show_advisory(shown)


@click.group()
def watch() -> None:
    """Standing watches: be alerted of what touches an area or a route."""


@watch.command("add")
@FILE
@AS_USER
@click.option("--name", required=True, help="What your party calls it.")
@click.option(
    "--reach", "reach_m", type=click.FloatRange(0, 20_000), default=500.0, show_default=True
)
@click.pass_context
def add_watch(ctx: click.Context, file: Path, as_user: str, name: str, reach_m: float) -> None:
    """Watch the GeoJSON geometry in FILE (a Polygon, or a LineString with its reach)."""
    hub = hub_context(ctx)
    data: Any = read_json(file)
    body = parse(WatchIn, {"name": name, "geometry": data, "reach_m": reach_m})
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        shown = watch_out(
            service.create_watch(session, me, body, env_of(hub.settings, hub.clock, hub.caches))
        )
    click.echo(f"watch {shown.id}: {shown.name}")


@watch.command("list")
@AS_USER
@JSON
@click.pass_context
def list_watches(ctx: click.Context, as_user: str, as_json: bool) -> None:
    """Your party's watches."""
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        shown = [watch_out(w) for w in queries.watches(session, me)]
    if as_json:
        echo_json([s.model_dump(mode="json") for s in shown])
        return
    for one in shown:
        click.echo(f"{one.id:>5}  {'active' if one.active else 'ended ':<6}  {one.name}")


@watch.command("end")
@RECORD
@AS_USER
@click.pass_context
def end_watch(ctx: click.Context, record_id: int, as_user: str) -> None:
    """Stop watching."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        service.end_watch(session, me, record_id, hub.clock)
    click.echo(f"watch {record_id} ended")


@watch.command("alerts")
@RECORD
@AS_USER
@click.pass_context
def watch_alerts(ctx: click.Context, record_id: int, as_user: str) -> None:
    """What touched one of your party's watches, newest first."""
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        found = service.own_watch(session, me, record_id)
        alerts = [
            impact_out(i) for i in queries.alerts_for_watch(session, me, found, current=False)
        ]
    for alert in alerts:
        ended = "" if alert.cleared_at is None else "  (no longer holds)"
        click.echo(f"{alert.hazard}  at {alert.distance_m:.0f} m{ended}")
