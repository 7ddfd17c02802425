"""``tansiq worker``: runs the database-backed jobs (deliveries, escalations).

``tansiq serve`` runs the same worker in a background thread unless told not to; on
PostgreSQL any number of workers may share the database, on SQLite run one.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from types import FrameType

import click

from tansiq.clearances import corridors as _permit_corridors  # noqa: F401 - registers the source
from tansiq.clearances import escalation as clearance_escalation
from tansiq.cli.base import hub_context
from tansiq.context import HubContext
from tansiq.deconfliction import escalation as deconfliction_escalation
from tansiq.incidents import expiry as incidents_expiry
from tansiq.jobs.service import JobHandler, JobRunner, run_worker
from tansiq.notify import service as notify_service
from tansiq.permits import ledger_heads, snapshots
from tansiq.permits import service as permits_service
from tansiq.settings import Settings


def build_runner(context: HubContext) -> JobRunner:
    """The job runner with every feature's handlers, configured from the hub's settings."""
    settings = context.settings
    handlers: dict[str, JobHandler] = {}
    handlers.update(notify_service.job_handlers(settings))
    handlers.update(clearance_escalation.job_handlers())
    handlers.update(deconfliction_escalation.job_handlers())
    handlers.update(incidents_expiry.job_handlers(settings))
    handlers.update(ledger_heads.job_handlers(settings.secret_key, head_interval(settings)))
    handlers.update(permits_service.job_handlers(settings.secret_key))
    handlers.update(snapshots.job_handlers(settings.secret_key, snapshot_interval(settings)))
    return JobRunner(
        handlers,
        max_attempts=settings.job_max_attempts,
        lease=timedelta(seconds=settings.job_lease_s),
        backoff_base=timedelta(seconds=settings.job_backoff_s),
        backoff_cap=timedelta(seconds=settings.job_backoff_max_s),
    )


def head_interval(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.ledger_head_interval_minutes)


def snapshot_interval(settings: Settings) -> timedelta:
    return timedelta(hours=settings.revocation_snapshot_interval_hours)


def start_background_worker(context: HubContext) -> Callable[[], None]:
    """Run the job worker in a daemon thread; returns the function that stops it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker,
        args=(
            context.sessions,
            context.clock,
            build_runner(context),
            stop,
            context.settings.worker_interval_s,
        ),
        name="tansiq-jobs",
        daemon=True,
    )
    thread.start()

    def stop_worker() -> None:
        stop.set()
        thread.join(timeout=context.settings.delivery_timeout_s + 5)

    return stop_worker


@click.command()
@click.option("--once", is_flag=True, help="Run the jobs that are due now, then exit.")
@click.option(
    "--until-idle",
    is_flag=True,
    help="Run due jobs, again and again, until none is left to claim; then exit.",
)
@click.pass_context
def worker(ctx: click.Context, once: bool, until_idle: bool) -> None:
    """Run background jobs (notification deliveries, escalations) until stopped."""
    context = hub_context(ctx)
    runner = build_runner(context)
    if once or until_idle:
        ran = runner.run_due(context.sessions, context.clock)
        total = ran
        while until_idle and ran:
            ran = runner.run_due(context.sessions, context.clock)
            total += ran
        click.echo(f"Ran {total} job(s).")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    click.echo(f"Tansiq job worker on {context.engine.dialect.name}; Ctrl-C stops it.")
    run_worker(context.sessions, context.clock, runner, stop, context.settings.worker_interval_s)
