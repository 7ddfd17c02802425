"""``tansiq checkpoint``: a checkpoint's own terminal — scan offline, queue, sync later."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from tansiq.checkpoints.client import CheckpointDevice, DeviceStore, http_transport
from tansiq.checkpoints.domain import OfficerAction
from tansiq.clearances.reasons import ReasonCode
from tansiq.core.clock import SystemClock

QUEUE = click.option(
    "--queue",
    "queue_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("checkpoint.sqlite"),
    show_default=True,
    help="The device's local file (trust data and queued events).",
)
TOKEN = click.option(
    "--device-token",
    envvar="TANSIQ_DEVICE_TOKEN",
    required=True,
    help="The device token from registration (or TANSIQ_DEVICE_TOKEN).",
)


@click.group()
def checkpoint() -> None:
    """A checkpoint device: sync with the hub, scan permits offline."""


@checkpoint.command("sync")
@click.option(
    "--hub",
    "hub_url",
    envvar="TANSIQ_HUB_URL",
    required=True,
    help="The hub's address, e.g. https://hub.example (or TANSIQ_HUB_URL).",
)
@TOKEN
@QUEUE
def sync(hub_url: str, device_token: str, queue_path: Path) -> None:
    """Pull trust list, revocations and expected permits; push every queued event."""
    store = DeviceStore(queue_path)
    try:
        report = CheckpointDevice(store, http_transport(hub_url), device_token).sync()
    finally:
        store.close()
    click.echo(
        f"trust list {report.pulled_trust_seq}, revocations up to "
        f"{report.revocation_seq}, {report.expected} permits expected here"
    )
    click.echo(
        f"pushed {report.pushed} events: {report.stored} new, {report.duplicates} "
        f"already at the hub, {report.rejected} rejected; {report.remaining} queued"
    )


@checkpoint.command("scan")
@click.argument("token")
@click.option("--checkpoint", "code", help="This checkpoint's code (for the route check).")
@click.option(
    "--action",
    type=click.Choice([a.value for a in OfficerAction]),
    default=OfficerAction.NONE.value,
    show_default=True,
)
@click.option(
    "--reason", type=click.Choice([r.value for r in ReasonCode]), help="Reason code of a refusal."
)
@click.option("--note", default="")
@click.option("--officer", default="")
@click.option(
    "--max-age-hours",
    type=float,
    default=24.0,
    show_default=True,
    help="Trust data older than this makes the verdict 'stale'.",
)
@TOKEN
@QUEUE
def scan(
    token: str,
    code: str | None,
    action: str,
    reason: str | None,
    note: str,
    officer: str,
    max_age_hours: float,
    device_token: str,
    queue_path: Path,
) -> None:
    """Verify TOKEN offline and queue what the officer did."""
    store = DeviceStore(queue_path)
    try:
        device = CheckpointDevice(store, http_transport("http://unused.invalid"), device_token)
        now = SystemClock().now()
        verdict = device.check(
            token, at=now, checkpoint=code, max_data_age=timedelta(hours=max_age_hours)
        )
        device.record(
            verdict, at=now, action=action, reason_code=reason, note=note, officer=officer
        )
    finally:
        store.close()
    click.echo(verdict.status.value.upper())
    click.echo(verdict.reason)
    if verdict.status.value != "valid":
        raise SystemExit(1)
