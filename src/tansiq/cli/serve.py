"""``tansiq serve``, ``tansiq demo`` and ``tansiq db``."""

from __future__ import annotations

import gc
import os
import secrets
import time
from pathlib import Path

import click
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tansiq.app import create_app
from tansiq.cli.base import (
    DatabaseUnreachable,
    hub_context,
    secret_beside,
    session_scope,
    use_context,
)
from tansiq.cli.worker import head_interval, snapshot_interval, start_background_worker
from tansiq.context import HubContext
from tansiq.core.clock import Clock
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_
from tansiq.db.engine import start_checkpointer
from tansiq.db.migrate import upgrade
from tansiq.db.unit_of_work import unit_of_work
from tansiq.demo.deconfliction import load_demo_notifications
from tansiq.demo.incidents import load_demo_incidents
from tansiq.demo.service import DEMO_PASSWORD, load_demo
from tansiq.geo.service import spatial_index_cache
from tansiq.incidents.corridor_cache import warm_corridors
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository
from tansiq.permits.ledger_heads import schedule_heads
from tansiq.permits.service import ensure_permit_key, publish_trust_list
from tansiq.permits.snapshots import schedule_compaction
from tansiq.settings import load_settings

# A serving hub makes many short-lived objects per request; with Python's default first
# threshold (700 allocations) the collector ran every few requests and, now and then, through
# the whole heap of long-lived objects (app, routes, caches), stalling every request in flight:
# bench/load.py's scan p99 was 170 ms at a p50 of 25-30 ms, and 61 ms with these settings.
GC_THRESHOLDS = (50_000, 50, 100)


def tune_garbage_collector() -> None:
    """Move what exists once the hub has started (app, routes, caches) out of the collector's
    sight (``gc.freeze``) and collect the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def warm_caches(context: HubContext) -> None:
    """Load what the hub keeps in memory before it serves: the zones' spatial index and every
    active permit's and movement's corridor (impact and conflict checks ask them). Loaded in a
    request instead, the first check after a start waited for it (about 17 s at 100,000
    movements on SQLite); loaded here, it is also frozen with the rest out of the garbage
    collector's sight (a full collection through it took 190 ms at 100,000)."""
    click.echo("Loading the active corridors into memory…")
    started = time.perf_counter()
    with context.sessions() as session:
        epsg = spatial_index_cache(context.caches, context.settings.metric_epsg).get(session).epsg
        held = warm_corridors(context.caches, session, epsg)
    took = time.perf_counter() - started
    click.echo(f"{held:,} active corridors held in memory ({took:.1f} s).")


def run_server(context: HubContext, host: str, port: int, *, worker: bool = True) -> None:
    """Serve the hub; with ``worker``, run due jobs in a background thread meanwhile."""
    # The recurring ledger head job, whichever process ends up running the jobs.
    with unit_of_work(context.sessions) as session:
        schedule_heads(session, head_interval(context.settings), context.clock)
        schedule_compaction(session, snapshot_interval(context.settings), context.clock)
    stop_worker = start_background_worker(context) if worker else None
    stop_checkpointer = start_checkpointer(context.engine)
    try:
        app = create_app(context)
        warm_caches(context)
        tune_garbage_collector()
        # Said once it is ready to listen: loading the corridors can take a while.
        click.echo(f"Tansiq hub on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="info",
            access_log=context.settings.access_log,
        )
    finally:
        stop_checkpointer()
        if stop_worker is not None:
            stop_worker()


@click.command()
@click.option("--host", help="Address to listen on (TANSIQ_HOST, default 127.0.0.1).")
@click.option("--port", type=int, help="Port (TANSIQ_PORT, default 8000).")
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not run background jobs in this process (run `tansiq worker` instead).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, no_worker: bool) -> None:
    """Bring the database up to date and run the hub (with its job worker)."""
    context = hub_context(ctx, upgrading=True)
    upgrade_database(context)
    run_server(
        context, host or context.settings.host, port or context.settings.port, worker=not no_worker
    )


@click.command()
@click.option(
    "--database",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=(
        "SQLite file for the demo (created if missing, reused if present). Without it, the "
        "database of TANSIQ_DATABASE_URL or --database-url when one is set, else tansiq-demo.db."
    ),
)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--no-serve", is_flag=True, help="Only load the demo data.")
@click.option("--reset", is_flag=True, help="Delete the demo SQLite file first.")
@click.pass_context
def demo(
    ctx: click.Context, path: Path | None, port: int, host: str, no_serve: bool, reset: bool
) -> None:
    """Load the demo town (Jisr al-Wadi) and run the hub on it."""
    if path is None and _database_configured(ctx):
        if reset:
            raise DemoResetNeedsFile
        url = ctx.find_root().params.get("database_url") or load_settings().database_url
        beside = secret_beside(url)
        if beside is not None and not os.environ.get("TANSIQ_SECRET_KEY"):
            demo_secret(beside)  # a SQLite demo keeps its secret beside it, as `tansiq demo` does
        context = hub_context(ctx, creating=True)
        where = context.engine.url.render_as_string(hide_password=True)
    else:
        path = path or DEMO_FILE
        if reset:
            for suffix in ("", "-wal", "-shm", ".key"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        settings = load_settings(database_url=f"sqlite:///{path.resolve()}")
        # Beside the database, where every other command on this file finds it (cli.base).
        settings = settings.model_copy(
            update={"secret_key": settings.secret_key or demo_secret(Path(f"{path.resolve()}.key"))}
        )
        context = use_context(ctx, HubContext.from_settings(settings))
        where = str(path)
    upgrade_database(context)
    with session_scope(ctx) as session:
        fresh = not PartyRepository(session).has_parties()
        users = load_demo(session, context.clock) if fresh else []
        if fresh:
            prepare_signing(session, context.settings.secret_key, context.clock)
            filed = load_demo_notifications(session, context.settings, context.clock)
            recorded = load_demo_incidents(session, context.settings, context.clock)
    if fresh:
        click.echo(f"Demo data written to {where}. Logins (password: {DEMO_PASSWORD}):")
        for user in users:
            roles = ", ".join(sorted(role.value for role in user.roles))
            click.echo(f"  {user.username:<16} {user.party:<16} {roles}")
        click.echo(f"Deconfliction: {', '.join(filed)} notified (see /deconfliction).")
        click.echo(f"Incidents and advisories: {', '.join(recorded)}.")
    else:
        click.echo(
            f"Using the existing demo database {where} (--reset on a demo file starts again)."
        )
    if not no_serve:
        run_server(context, host, port)


DEMO_FILE = Path("tansiq-demo.db")


class DemoResetNeedsFile(TansiqError):
    code = "cli.demo_reset_needs_file"
    message = N_(
        "--reset deletes a demo SQLite file; a configured database is never deleted by the "
        "demo: empty it yourself, or give --database FILE."
    )


def _database_configured(ctx: click.Context) -> bool:
    """Whether this command line names a database (``--database-url`` or the environment)."""
    return bool(ctx.find_root().params.get("database_url")) or bool(
        os.environ.get("TANSIQ_DATABASE_URL")
    )


def upgrade_database(context: HubContext) -> None:
    """Apply the pending migrations, or say in one coded line why the database cannot be
    opened (a folder that does not exist, a server that refuses, …)."""
    try:
        upgrade(context.engine)
    except DBAPIError as error:
        problem = str(error.orig).strip().splitlines()[0][:200] if error.orig else "?"
        url = make_url(context.settings.database_url).render_as_string(hide_password=True)
        raise DatabaseUnreachable(url=url, problem=problem) from None


def demo_secret(path: Path) -> str:
    """The demo hub's secret, kept in a file beside its database (made on first use)."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    secret = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(secret + "\n", encoding="utf-8")
    return secret


def prepare_signing(session: Session, secret: str | None, clock: Clock) -> None:
    """Every authority's signing key and a first trust list, so checkpoints can sync at once."""
    for party in PartyRepository(session).parties(PartyKind.AUTHORITY.value):
        ensure_permit_key(session, party.id, secret, clock)
    publish_trust_list(session, secret, clock)


@click.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply every pending migration (SQLite or PostgreSQL); creates a SQLite file if missing."""
    context = hub_context(ctx, creating=True)
    upgrade_database(context)
    click.echo(f"Database is up to date ({context.engine.dialect.name}).")
