"""``tansiq zones``, ``tansiq checkpoints``, ``tansiq route`` and ``tansiq base-layers``."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tansiq.cli.base import (
    echo_json,
    hub_context,
    operator,
    read_json,
    session_scope,
)
from tansiq.cli.errors import cli_locale
from tansiq.core.clock import SystemClock, ensure_utc
from tansiq.core.i18n import NP_, translate
from tansiq.geo import base_layers, service
from tansiq.geo.domain import BaseLayerKind, CheckpointStatus
from tansiq.parties.repository import PartyRepository

AS_USER = click.option(
    "--as",
    "as_user",
    metavar="USERNAME",
    help="Act as this user (default: the hub's first administrator).",
)


class UtcDateTime(click.ParamType[datetime]):
    """An ISO 8601 time; without an offset it is taken as UTC."""

    name = "datetime"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time (e.g. 2026-06-01T00:00:00Z)", param, ctx)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=SystemClock().now().tzinfo)
        return ensure_utc(parsed)


UTC_TIME = UtcDateTime()


@click.group()
def zones() -> None:
    """Zones of control: import maps, list them, export the map in force."""


@zones.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--authority", required=True, help="Code of the authority that holds the zones.")
@click.option("--valid-from", type=UTC_TIME, help="In force from (default: now).")
@click.option("--valid-until", type=UTC_TIME, help="In force until (default: open-ended).")
@click.option(
    "--rewind", is_flag=True, help="Turn wrongly wound rings around instead of refusing them."
)
@AS_USER
@click.pass_context
def import_zones(
    ctx: click.Context,
    file: Path,
    authority: str,
    valid_from: datetime | None,
    valid_until: datetime | None,
    rewind: bool,
    as_user: str | None,
) -> None:
    """Import FILE (GeoJSON FeatureCollection of (Multi)Polygons) as a new zone map."""
    document = read_json(file)
    with session_scope(ctx) as session:
        record = service.import_zone_map(
            session,
            operator(session, as_user),
            authority=authority,
            document=document,
            valid_from=valid_from,
            valid_until=valid_until,
            clock=SystemClock(),
            rewind=rewind,
            source_name=file.name,
        )
        click.echo(
            f"Imported zone map {record.id} for {authority}: {record.zone_count} zones, "
            f"in force from {record.valid_from.isoformat()}."
        )


@zones.command("maps")
@click.option("--authority", help="Only this authority's maps.")
@click.pass_context
def list_maps(ctx: click.Context, authority: str | None) -> None:
    """List zone maps, current and past, with when each is in force."""
    with session_scope(ctx) as session:
        views = service.list_zone_maps(session, authority)
        codes = _codes(session, {v.record.authority_id for v in views})
        for view in views:
            start = view.in_force_from.isoformat() if view.in_force_from else "never"
            end = view.in_force_until.isoformat() if view.in_force_until else "open"
            click.echo(
                f"{view.record.id}\t{codes[view.record.authority_id]}\t{start}\t{end}\t"
                f"{view.record.zone_count} zones\t{view.record.source_name}"
            )


@zones.command("export")
@click.option("--at", type=UTC_TIME, help="The maps in force at this time (default: now).")
@click.option("--authority", help="Only this authority's zones.")
@click.pass_context
def export_zones(ctx: click.Context, at: datetime | None, authority: str | None) -> None:
    """Print the zones in force as a GeoJSON FeatureCollection."""
    with session_scope(ctx) as session:
        features = service.zone_features(session, at or SystemClock().now(), authority)
    echo_json({"type": "FeatureCollection", "features": features})


@click.group()
def checkpoints() -> None:
    """Checkpoints: import, list, open and close."""


@checkpoints.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--authority", help="Operating authority for features that name none.")
@AS_USER
@click.pass_context
def import_checkpoints(
    ctx: click.Context, file: Path, authority: str | None, as_user: str | None
) -> None:
    """Create or update checkpoints from FILE (GeoJSON Points with a "code" property)."""
    document = read_json(file)
    with session_scope(ctx) as session:
        records = service.import_checkpoints(
            session,
            operator(session, as_user),
            document=document,
            clock=SystemClock(),
            authority=authority,
        )
        imported = NP_("Imported {count} checkpoint.", "Imported {count} checkpoints.")
        click.echo(translate(imported, cli_locale(), count=len(records)))


@checkpoints.command("list")
@click.option("--authority", help="Only this authority's checkpoints.")
@click.pass_context
def list_checkpoints(ctx: click.Context, authority: str | None) -> None:
    """List checkpoints with their operator and status."""
    with session_scope(ctx) as session:
        records = service.list_checkpoints(session, authority)
        codes = _codes(session, {r.authority_id for r in records})
        for r in records:
            click.echo(
                f"{r.code}\t{codes[r.authority_id]}\t{r.status}\t{r.lon:.5f},{r.lat:.5f}"
                f"\t{r.name_en}\t{r.name_ar}"
            )


@checkpoints.command("status")
@click.argument("code")
@click.argument("status", type=click.Choice([s.value for s in CheckpointStatus]))
@click.option("--reason", default="", help="Why (required to close).")
@AS_USER
@click.pass_context
def set_status(
    ctx: click.Context, code: str, status: str, reason: str, as_user: str | None
) -> None:
    """Open or close checkpoint CODE."""
    with session_scope(ctx) as session:
        service.set_checkpoint_status(
            session,
            operator(session, as_user),
            checkpoint=code,
            status=CheckpointStatus(status),
            reason=reason,
            clock=SystemClock(),
        )
        click.echo(f"Checkpoint {code} is {status}.")


@click.group()
def route() -> None:
    """Routes: which authorities must decide, which checkpoints lie on the way."""


@route.command("resolve")
@click.argument("file", type=click.Path(allow_dash=True, path_type=Path))
@click.option(
    "--corridor",
    "corridor_m",
    type=float,
    help="Full corridor width in metres (default: TANSIQ_DEFAULT_CORRIDOR_M).",
)
@click.option("--at", type=UTC_TIME, help="Judge against the maps in force then (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def resolve(
    ctx: click.Context, file: Path, corridor_m: float | None, at: datetime | None, as_json: bool
) -> None:
    """Resolve the route in FILE ('-' for stdin): a GeoJSON LineString or Feature."""
    document = json.load(sys.stdin) if str(file) == "-" else read_json(file)
    context = hub_context(ctx)
    settings = context.settings
    with session_scope(ctx) as session:
        result = service.resolve_route(
            session,
            service.spatial_index_cache(context.caches, context.settings.metric_epsg),
            route=document,
            corridor_m=corridor_m or settings.default_corridor_m,
            max_corridor_m=settings.max_corridor_m,
            at=at or context.clock.now(),
        )
        codes = _codes(session, {a.authority_id for a in result.authorities})
    if as_json:
        echo_json(
            {
                "route_length_m": round(result.route_length_m, 1),
                "authorities": [
                    {
                        "authority": codes[a.authority_id],
                        "zones": [z.name.en for z in a.zones],
                        "checkpoints": [c.checkpoint.code for c in a.checkpoints],
                    }
                    for a in result.authorities
                ],
                "checkpoints": [
                    {
                        "code": c.checkpoint.code,
                        "distance_along_m": round(c.distance_along_m, 1),
                        "status": c.checkpoint.status.value,
                    }
                    for c in result.checkpoints
                ],
            }
        )
        return
    click.echo(
        f"Route of {result.route_length_m:,.0f} m, corridor {result.corridor_m:g} m, "
        f"maps in force at {result.at.isoformat()}."
    )
    click.echo("Required authorities:" if result.authorities else "No authority required.")
    for a in result.authorities:
        why = [f"zone {z.name.en}" for z in a.zones]
        why += [f"checkpoint {c.checkpoint.code}" for c in a.checkpoints]
        click.echo(f"  {codes[a.authority_id]}: {'; '.join(why)}")
    if result.checkpoints:
        click.echo("Checkpoints in route order:")
    for c in result.checkpoints:
        click.echo(
            f"  {c.distance_along_m:>9,.0f} m  {c.checkpoint.code}  "
            f"({c.checkpoint.status.value})  {c.checkpoint.name.en}"
        )


def _codes(session: Any, ids: set[int]) -> dict[int, str]:
    return {pid: p.code for pid, p in PartyRepository(session).parties_by_ids(ids).items()}


@click.group("base-layers")
def base_layers_group() -> None:
    """The deployment's base layers (roads, rivers, built-up areas, place names)."""


@base_layers_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    required=True,
    type=click.Choice([kind.value for kind in BaseLayerKind]),
    help="Which layer FILE is; it replaces that layer on every map.",
)
@AS_USER
@click.pass_context
def import_base_layer(ctx: click.Context, file: Path, kind: str, as_user: str | None) -> None:
    """Import FILE (GeoJSON FeatureCollection) as the base layer KIND (hub admins only)."""
    document = read_json(file)
    with session_scope(ctx) as session:
        record = base_layers.import_base_layer(
            session,
            operator(session, as_user),
            kind=BaseLayerKind(kind),
            document=document,
            clock=SystemClock(),
            source_name=file.name,
        )
        click.echo(f"Imported base layer {record.id} ({kind}): {record.feature_count} features.")


@base_layers_group.command("list")
@click.pass_context
def list_base_layers(ctx: click.Context) -> None:
    """List every base layer upload, the ones maps draw marked "current"."""
    with session_scope(ctx) as session:
        for record, current in base_layers.list_base_layers(session):
            state = "current" if current else "superseded"
            click.echo(
                f"{record.id}\t{record.kind.value}\t{record.feature_count}\t"
                f"{record.uploaded_at.isoformat()}\t{state}\t{record.source_name}"
            )
