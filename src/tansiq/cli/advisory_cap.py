"""``tansiq advisory import-cap``, ``export-cap`` and ``publish``: advisories as CAP 1.2 alerts
and in the public Atom feed, through the same use cases as ``POST /api/v1/advisories/cap``,
``GET /api/v1/advisories/{id}.cap`` and ``POST``/``DELETE .../publication``.

The commands join the ``advisory`` group of :mod:`tansiq.cli.incidents`; the CLI's table of
groups loads the group from here, so both lanes' commands are in it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tansiq.cli.base import echo_json, hub_context, operator, session_scope
from tansiq.cli.incidents import AS_USER, FILE, JSON, RECORD, SHOWN, advisory
from tansiq.incidents import cap_service
from tansiq.incidents.cap_model import CapTooLarge
from tansiq.incidents.env import env_of
from tansiq.incidents.render import advisories_out, advisory_out

__all__ = ["advisory"]


@advisory.command("import-cap")
@FILE
@AS_USER
@JSON
@click.pass_context
def import_cap(ctx: click.Context, file: Path, as_user: str, as_json: bool) -> None:
    """Import the CAP 1.2 alert in FILE as an advisory of your party (an Update also
    withdraws what it replaces, a Cancel only withdraws)."""
    hub = hub_context(ctx)
    limit = hub.settings.cap_max_bytes
    # The size is checked before the file is read, as the API checks it before parsing.
    if file.stat().st_size > limit:
        raise CapTooLarge(count=limit)
    with file.open("rb") as stream:
        document = stream.read(limit + 1)
    env = env_of(hub.settings, hub.clock, hub.caches)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        done = cap_service.import_cap(
            session, me, document, env, max_bytes=limit, own_sender=hub.settings.cap_sender
        )
        shown = None if done.advisory is None else advisory_out(session, done.advisory, SHOWN)
        ended = advisories_out(session, done.ended, SHOWN)
    if as_json:
        echo_json(
            {
                "advisory": None if shown is None else shown.model_dump(mode="json"),
                "ended": [one.model_dump(mode="json") for one in ended],
                "created": done.created,
            }
        )
        return
    if shown is not None:
        said = "issued" if done.created else "imported before, unchanged"
        click.echo(f"{shown.reference} {shown.kind_label}: {said}")
    for one in ended:
        click.echo(f"{one.reference} {one.kind_label}: withdrawn")


@advisory.command("export-cap")
@RECORD
@AS_USER
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the alert to this file instead of standard output.",
)
@click.pass_context
def export_cap(ctx: click.Context, record_id: int, as_user: str, output: Path | None) -> None:
    """Print the advisory as a CAP 1.2 alert (XML, one <info> in Arabic and one in English)."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        document = cap_service.export_advisory(session, me, record_id, hub.settings.cap_sender)
    if output is None:
        sys.stdout.buffer.write(document + b"\n")
        sys.stdout.flush()
    else:
        output.write_bytes(document)


@advisory.command("publish")
@RECORD
@AS_USER
@click.option("--off", is_flag=True, help="Take it off the public feed instead.")
@click.pass_context
def publish(ctx: click.Context, record_id: int, as_user: str, off: bool) -> None:
    """Put your party's advisory in the public Atom feed (/feeds/advisories.atom), or take it
    off with --off."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        me = operator(session, as_user)
        record = cap_service.set_public(session, me, record_id, not off, hub.clock)
        shown = advisory_out(session, record, SHOWN)
    said = "in the public feed" if shown.public else "not in the public feed"
    click.echo(f"{shown.reference} {shown.kind_label}: {said}")
