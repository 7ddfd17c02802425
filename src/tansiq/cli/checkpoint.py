"""``tansiq checkpoint``: a checkpoint's own terminal — scan offline, queue, sync later.

It loads neither the web nor the database stack: a device's commands start at once. The hub's
side (registering a device, the trust data) is :mod:`tansiq.cli.trust`.
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import click
from babel.numbers import format_decimal

from tansiq.checkpoints.client import (
    Backoff,
    CheckpointDevice,
    DeviceStore,
    Progress,
    Retrying,
    http_transport,
)
from tansiq.checkpoints.domain import CheckpointReason, OfficerAction, OverrideReason
from tansiq.clearances.reasons import ReasonCode
from tansiq.cli.advisory_lines import held_lines, route_warning_lines
from tansiq.cli.errors import cli_locale, cli_zone
from tansiq.cli.lazy import LazyCommand, LazyGroup
from tansiq.cli.permit import HARD_LIMIT, MAX_AGE, POSITION
from tansiq.core.clock import SystemClock
from tansiq.core.i18n import N_, NP_, Locale, translate
from tansiq.permits.keys import decode_key
from tansiq.verifier.driver import check_driver

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


SENT = NP_("sent {sent} of {count} event", "sent {sent} of {count} events")
RETRYING = NP_(
    "{problem}: trying again in {count} second (attempt {attempt} of {attempts})",
    "{problem}: trying again in {count} seconds (attempt {attempt} of {attempts})",
)
PULLED = NP_(
    "trust list {trust}, revocations up to {revocations}, {count} permit expected here",
    "trust list {trust}, revocations up to {revocations}, {count} permits expected here",
)
CONTRADICTIONS = NP_(
    "{count} contradiction flagged (refused by an authority that approved the permit)",
    "{count} contradictions flagged (refused by an authority that approved the permit)",
)
CLONES = NP_(
    "{count} suspected clone (a permit seen where it could not have travelled in time)",
    "{count} suspected clones (a permit seen where it could not have travelled in time)",
)
PUSHED = NP_(
    "pushed {count} event: {stored} new, {duplicates} already at the hub, {rejected} "
    "rejected; {remaining} queued",
    "pushed {count} events: {stored} new, {duplicates} already at the hub, {rejected} "
    "rejected; {remaining} queued",
)


WITNESSED = NP_(
    "ledger head held: {count} entry, checked against the one held before",
    "ledger head held: {count} entries, checked against the one held before",
)


def _number(value: int, locale: Locale) -> str:
    return format_decimal(value, locale=locale.value)


def _progress(locale: Locale) -> Progress:
    """Progress lines on stderr, so that stdout keeps only the sync's result."""

    def sent(done: int, total: int) -> None:
        text = translate(SENT, locale, sent=_number(done, locale), count=_number(total, locale))
        click.echo(text, err=True)

    def retrying(retry: Retrying) -> None:
        text = translate(
            RETRYING,
            locale,
            problem=retry.problem,
            count=_number(math.ceil(retry.wait_s), locale),
            attempt=_number(retry.attempt, locale),
            attempts=_number(retry.attempts, locale),
        )
        click.echo(text, err=True)

    return Progress(sent=sent, retrying=retrying)


# Registering a device is the hub's side (its database and keys): loaded only when run, so the
# device's own commands (scan, sync, enrol) start without the hub's database stack.
HUB_SIDE = {
    "register": LazyCommand(
        "tansiq.cli.trust:register",
        "Register a device at checkpoint CODE and print its token (shown once).",
    )
}


@click.group(cls=LazyGroup, lazy=HUB_SIDE)
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
@click.option(
    "--attempts",
    type=click.IntRange(1, 20),
    default=Backoff.attempts,
    show_default=True,
    help="Tries of each request while the hub is busy (503, 429) or unreachable.",
)
@TOKEN
@QUEUE
def sync(hub_url: str, attempts: int, device_token: str, queue_path: Path) -> None:
    """Pull trust list, revocations and expected permits; push every queued event.

    A busy or unreachable hub is retried with growing waits (its Retry-After honoured); any
    other refusal stops the sync at once. Events stay queued until the hub acknowledged them."""
    locale = cli_locale()
    store = DeviceStore(queue_path)
    try:
        device = CheckpointDevice(
            store,
            http_transport(hub_url),
            device_token,
            backoff=Backoff(attempts=attempts),
            progress=_progress(locale),
        )
        report = device.sync()
        held = device.advisories()
    finally:
        store.close()
    n = _number
    click.echo(
        translate(
            PULLED,
            locale,
            trust=n(report.pulled_trust_seq, locale),
            revocations=n(report.revocation_seq, locale),
            count=n(report.expected, locale),
        )
    )
    click.echo(
        translate(
            PUSHED,
            locale,
            count=n(report.pushed, locale),
            stored=n(report.stored, locale),
            duplicates=n(report.duplicates, locale),
            rejected=n(report.rejected, locale),
            remaining=n(report.remaining, locale),
        )
    )
    click.echo(translate(CONTRADICTIONS, locale, count=n(report.contradictions, locale)))
    click.echo(translate(CLONES, locale, count=n(report.clones_suspected, locale)))
    if report.ledger_size is not None:
        click.echo(translate(WITNESSED, locale, count=n(report.ledger_size, locale)))
    for line in held_lines(held, SystemClock().now(), locale):
        click.echo(line)
    if report.witness_alarm is not None:
        shown = report.witness_alarm.render(locale)
        click.echo(f"error {shown['code']}: {shown['message']}", err=True)
        raise SystemExit(1)


@checkpoint.command("enrol")
@click.option(
    "--governance-key",
    "keys",
    multiple=True,
    required=True,
    metavar="KEY",
    help="A hub governance public key (base64, or hex), from the hub's operator (repeatable).",
)
@QUEUE
def enrol(keys: tuple[str, ...], queue_path: Path) -> None:
    """Pin the hub's governance keys in this device's file. Only data they sign is believed:
    they come from the hub's operator, never from the network."""
    store = DeviceStore(queue_path)
    try:
        CheckpointDevice(store, http_transport("http://unused.invalid"), "").enrol(
            [decode_key(key) for key in keys]
        )
    except ValueError:
        raise click.BadParameter("a governance key is 32 bytes in base64 or hex") from None
    finally:
        store.close()
    pinned = NP_(
        "{count} governance key pinned in {path}", "{count} governance keys pinned in {path}"
    )
    click.echo(translate(pinned, cli_locale(), count=len(keys), path=str(queue_path)))


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
    "--reason",
    type=click.Choice(
        [r.value for r in ReasonCode]
        + [r.value for r in CheckpointReason]
        + [r.value for r in OverrideReason]
    ),
    help="Reason code of a refusal, or of an override (required with its note).",
)
@click.option("--note", default="")
@click.option("--officer", default="")
@click.option(
    "--driver-id",
    metavar="NUMBER",
    help="The ID number on the driver's card, checked offline against the permit's salted "
    "hash; the outcome (✓ or ✗) is recorded with the officer's decision.",
)
@MAX_AGE
@HARD_LIMIT
@POSITION
@TOKEN
@QUEUE
def scan(
    token: str,
    code: str | None,
    action: str,
    reason: str | None,
    note: str,
    officer: str,
    driver_id: str | None,
    max_age_hours: float,
    hard_limit_hours: float,
    position: tuple[float, float] | None,
    device_token: str,
    queue_path: Path,
) -> None:
    """Verify TOKEN offline and queue what the officer did."""
    store = DeviceStore(queue_path)
    try:
        device = CheckpointDevice(store, http_transport("http://unused.invalid"), device_token)
        now = SystemClock().now()
        verdict = device.check(
            token,
            at=now,
            checkpoint=code,
            max_data_age=timedelta(hours=max_age_hours),
            hard_data_age=timedelta(hours=hard_limit_hours),
            position=position,
        )
        driver = (
            check_driver(verdict.claims, driver_id)
            if driver_id is not None and verdict.claims is not None
            else None
        )
        # Not the permit's driver: a passage is an override, as for a bad verdict.
        judged = "driver_mismatch" if driver is not None and not driver.matches else None
        _check_action(judged or verdict.status.value, action, reason, note)
        device.record(
            verdict,
            at=now,
            action=action,
            reason_code=reason,
            note=note,
            officer=officer,
            driver_check=None if driver is None else driver.matches,
        )
        held = device.advisories()
    finally:
        store.close()
    click.echo(verdict.status.value.upper())
    click.echo(verdict.message(cli_locale(), cli_zone()))
    if driver is not None:
        click.echo(f"{driver.mark} {driver.message(cli_locale())}")
    warning = verdict.data_warning(cli_locale())
    if warning is not None:
        click.echo(f"! {warning}")
    claims = verdict.claims
    for line in route_warning_lines(
        held if held is None or code is None or held.checkpoint == code else None,
        None if claims is None else claims.cti,
        [] if claims is None else list(claims.checkpoints),
        now,
        cli_locale(),
    ):
        click.echo(line)
    if verdict.status.value != "valid":
        raise SystemExit(1)


def _check_action(verdict: str, action: str, reason: str | None, note: str) -> None:
    """A passage needs a valid verdict; against any other it is an override, which says why
    (a coded reason and a note) — the same rule as the app and the hub."""
    if action == OfficerAction.PASSAGE and verdict != "valid":
        raise click.UsageError(
            translate(PASSAGE_NEEDS_VALID, cli_locale(), verdict=verdict.upper())
        )
    if action == OfficerAction.OVERRIDE and (
        reason not in {r.value for r in OverrideReason} or not note.strip()
    ):
        raise click.UsageError(translate(OVERRIDE_NEEDS_REASON, cli_locale()))


PASSAGE_NEEDS_VALID = N_(
    "The verdict is {verdict}: record a refusal, or an override (--action override with "
    "--reason and --note)."
)
OVERRIDE_NEEDS_REASON = N_("An override needs an override --reason and a --note.")
