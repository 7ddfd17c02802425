"""The hub's side of checkpoint devices: register one (``tansiq checkpoint register``) and the
trust data devices and offline verifiers work from (``tansiq trust``)."""

from __future__ import annotations

from pathlib import Path

import click

from tansiq.checkpoints.service import register_device
from tansiq.cli.base import hub_context, operator, session_scope
from tansiq.cli.errors import cli_locale
from tansiq.core.i18n import N_, NP_, translate
from tansiq.permits.keys import encode_key
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import NoTrustList, governance_public_keys
from tansiq.permits.snapshots import compact_revocations, roll_over
from tansiq.permits.trust import revocations_file


@click.group()
def trust() -> None:
    """The hub's trust data, exported for offline verifiers."""


@trust.command("export")
@click.option(
    "--out",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
)
@click.pass_context
def export_trust(ctx: click.Context, folder: Path) -> None:
    """Write trust-list.cbor, revocations.cbor and governance-keys.txt (hex) into --out."""
    with session_scope(ctx) as session:
        repo = PermitRepository(session)
        latest = repo.latest_trust_list()
        if latest is None:
            raise NoTrustList
        deltas = [d.body for d in repo.deltas_since(0)]
        keys = governance_public_keys(session)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trust-list.cbor").write_bytes(latest.body)
    (folder / "revocations.cbor").write_bytes(revocations_file(deltas))
    (folder / "governance-keys.txt").write_text(
        "".join(encode_key(k) + "\n" for k in keys), encoding="utf-8"
    )
    click.echo(
        f"trust list {latest.seq}, {len(deltas)} revocation deltas, {len(keys)} "
        f"governance keys written to {folder}"
    )


@trust.command("rollover-governance")
@click.pass_context
def rollover_governance(ctx: click.Context) -> None:
    """Replace the hub's governance key. The old key signs the trust list that announces the
    new one, then retires (what it signed stays trusted); the trust list, a revocation
    snapshot and a ledger head follow under the new key. Enrolled devices follow on their
    next sync; give the new key (printed) to devices enrolled from now on."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        old, new = roll_over(session, hub.settings.secret_key, hub.clock)
        keys = governance_public_keys(session)
    click.echo(translate(ROLLED_OVER, cli_locale(), old=old.kid, new=new.kid))
    click.echo(f"governance key: {encode_key(new.public_key)}")
    click.echo(
        translate(KEYS_NOW, cli_locale(), count=len(keys), keys=" ".join(map(encode_key, keys))),
        err=True,
    )


@trust.command("compact-revocations")
@click.pass_context
def compact(ctx: click.Context) -> None:
    """Fold every revocation delta into a signed snapshot now (the job worker does it on its
    own every TANSIQ_REVOCATION_SNAPSHOT_INTERVAL_HOURS)."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        record = compact_revocations(session, hub.settings.secret_key, hub.clock)
        seq = None if record is None else record.seq
    if seq is None:
        click.echo(translate(NOTHING_TO_COMPACT, cli_locale()))
    else:
        click.echo(translate(COMPACTED, cli_locale(), seq=seq))


ROLLED_OVER = N_(
    "Governance key {old} retired; {new} announced in a trust list signed by {old}, and in use."
)
KEYS_NOW = NP_(
    "{count} governance key trusted by devices enrolled from now on: {keys}",
    "{count} governance keys trusted by devices enrolled from now on: {keys}",
)
NOTHING_TO_COMPACT = N_("No revocation delta has been published yet: nothing to compact.")
COMPACTED = N_("Revocation deltas 1 to {seq} folded into one signed snapshot.")


@click.command("register")
@click.argument("code")
@click.option("--name", default="device", show_default=True)
@click.option(
    "--as",
    "as_user",
    required=True,
    metavar="USERNAME",
    help="An admin of the checkpoint's authority.",
)
@click.pass_context
def register(ctx: click.Context, code: str, name: str, as_user: str) -> None:
    """Register a device at checkpoint CODE and print its token (shown once)."""
    hub = hub_context(ctx)
    with session_scope(ctx) as session:
        new = register_device(
            session, operator(session, as_user), checkpoint=code, name=name, clock=hub.clock
        )
        keys = governance_public_keys(session)
    click.echo(new.token)
    for key in keys:
        click.echo(f"governance key: {encode_key(key)}", err=True)
