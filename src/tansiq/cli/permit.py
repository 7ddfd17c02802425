"""``tansiq permit verify``: the checkpoint's offline check, from token text or a photo of the QR.

It needs no database and loads no database or web code (tests/cli/test_lazy.py checks): only the
signed trust list, the signed revocation updates and the hub's governance public key(s) that both
must be signed with (``--governance-key`` or ``TANSIQ_GOVERNANCE_KEYS``, hex, space-separated).
Exit code 0 only for a valid permit.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click

from tansiq.cli.errors import cli_locale, cli_when, cli_zone
from tansiq.cli.lazy import LazyCommand, LazyGroup
from tansiq.core.clock import SystemClock, ensure_utc
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, Locale
from tansiq.permits.keys import ALG_EDDSA, PublicKey, decode_key, load_public_key
from tansiq.permits.token_errors import PublicKeyInvalid
from tansiq.permits.trust import RevocationState, load_revocations, load_trust_list
from tansiq.verifier.driver import DriverCheck, check_driver
from tansiq.verifier.image import read_qr_text
from tansiq.verifier.verify import DEFAULT_HARD_DATA_AGE, DEFAULT_MAX_DATA_AGE, Verdict, verify

EXIT_NOT_VALID = 1
# The hub's own setting, read by every verifier so that "stale" means one thing everywhere.
MAX_AGE = click.option(
    "--max-age-hours",
    type=click.FloatRange(min=0, min_open=True),
    envvar="TANSIQ_DATA_MAX_AGE_HOURS",
    default=DEFAULT_MAX_DATA_AGE.total_seconds() / 3600,
    show_default=True,
    show_envvar=True,
    help="Data older than this (since its newest signed revocation update) earns a warning of "
    "its age beside the verdict.",
)


def _position(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[float, float] | None:
    """``LON,LAT`` in degrees, as GeoJSON orders them."""
    if value is None:
        return None
    try:
        lon, lat = (float(part) for part in value.split(","))
    except ValueError:
        raise click.BadParameter("LON,LAT in degrees, e.g. 44.3661,33.3152") from None
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise click.BadParameter("LON,LAT in degrees, e.g. 44.3661,33.3152")
    return lon, lat


POSITION = click.option(
    "--position",
    metavar="LON,LAT",
    callback=_position,
    help="Where this checkpoint stands: 'daylight hours only' is judged by sunrise and sunset "
    "there (without it, that condition is left to the officer).",
)
HARD_LIMIT = click.option(
    "--hard-limit-hours",
    type=click.FloatRange(min=0, min_open=True),
    envvar="TANSIQ_DATA_HARD_LIMIT_HOURS",
    default=DEFAULT_HARD_DATA_AGE.total_seconds() / 3600,
    show_default=True,
    show_envvar=True,
    help="Data older than this is too old to decide on: the verdict is 'stale'.",
)


class TokenSourceNeeded(TansiqError):
    code = "verifier.token_source"
    message = N_("Give the permit token as text or an image with --image, not both.")


class TrustNeeded(TansiqError):
    code = "verifier.trust_needed"
    message = N_("A permit cannot be checked without a trust list (--trust) and a governance key.")


class BadTime(TansiqError):
    code = "verifier.bad_time"
    message = N_("Cannot read the time {value}; write it like 2026-06-01T08:00:00Z.")


class FileUnreadable(TansiqError):
    code = "verifier.file_unreadable"
    message = N_("Cannot read the file {path}.")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        raise FileUnreadable(path=str(path)) from None


def _governance_keys(values: tuple[str, ...]) -> list[PublicKey]:
    keys: list[PublicKey] = []
    for value in " ".join(values).split():
        try:
            keys.append(load_public_key(ALG_EDDSA, decode_key(value)))
        except ValueError:
            raise PublicKeyInvalid from None
    return keys


def _when(ctx: click.Context, value: str | None) -> datetime:
    if value is None:
        root = ctx.find_root().obj
        if root is None:
            return SystemClock().now()
        # Only a caller that made a hub context (a test, a hub process) loaded it already.
        from tansiq.context import HubContext

        return root.clock.now() if isinstance(root, HubContext) else SystemClock().now()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadTime(value=value[:40]) from None
    return ensure_utc(parsed)


def _shown(verdict: Verdict, driver: DriverCheck | None) -> dict[str, Any]:
    claims = verdict.claims
    body: dict[str, Any] = {
        "status": verdict.status.value,
        "valid": verdict.valid,
        "reason": verdict.messages(cli_zone()),
        "findings": [finding.value for finding in verdict.findings],
        "data_age_seconds": int(verdict.data_age.total_seconds()),
        "data_old": verdict.data_old,
        "permit_status": verdict.permit_status.value,
    }
    if claims is not None:
        body["permit"] = {
            "issuer": claims.issuer,
            "id": claims.cti,
            "version": claims.version,
            "valid_from": claims.nbf.isoformat(),
            "valid_until": claims.exp.isoformat(),
            "vehicle": {"plate": claims.vehicle.plate, "kind": claims.vehicle.kind},
            "driver": claims.driver.name,
            "driver_ar": claims.driver.name_ar,
            "cargo": claims.cargo,
            "checkpoints": list(claims.checkpoints),
            "conditions": [{"kind": c.kind, "detail": c.detail} for c in claims.conditions],
            "signed_by": list(verdict.authorities),
        }
    if driver is not None:
        body["driver_id"] = {
            "matches": driver.matches,
            "message": {locale.value: driver.message(locale) for locale in Locale},
        }
    return body


def _print(verdict: Verdict, driver: DriverCheck | None) -> None:
    word = verdict.status.value.replace("_", " ").upper()
    click.echo(f"*** {word} ***")
    first = cli_locale()
    if driver is not None:
        # The driver's check, as large as a terminal allows: its own line, the mark first.
        said = " / ".join(driver.message(locale) for locale in (first, *_others(first)))
        click.echo(f"{driver.mark} {said}")
    for locale in (first, *_others(first)):
        click.echo(verdict.message(locale, cli_zone()))
    click.echo(f"data age: {verdict.data_age.total_seconds() / 3600:.1f} h")
    warning = verdict.data_warning(first)
    if warning is not None:
        click.echo(f"! {warning}")
    if verdict.permit_status is not verdict.status:
        click.echo(f"permit's own checks: {verdict.permit_status.value.replace('_', ' ').upper()}")
    claims = verdict.claims
    if claims is None:
        return
    click.echo(f"permit {claims.cti} v{claims.version} ({claims.issuer})")
    click.echo(f"  valid {cli_when(claims.nbf)} to {cli_when(claims.exp)}")
    click.echo(f"        ({claims.nbf:%Y-%m-%d %H:%M} to {claims.exp:%Y-%m-%d %H:%M} UTC)")
    click.echo(f"  vehicle {claims.vehicle.plate} ({claims.vehicle.kind})")
    click.echo(f"  driver {' / '.join(claims.driver.names)}")
    click.echo(f"  cargo {claims.cargo}")
    if claims.checkpoints:
        click.echo(f"  checkpoints {' > '.join(claims.checkpoints)}")
    for condition in claims.conditions:
        click.echo(f"  condition {condition.kind} {condition.detail}".rstrip())
    if verdict.authorities:
        click.echo(f"  signed by {', '.join(verdict.authorities)}")


def _others(first: Locale) -> tuple[Locale, ...]:
    return tuple(other for other in Locale if other is not first)


# Suspend, reinstate, revoke and token act on the hub's database: they live beside the other
# clearance commands and load only when run.
LIFECYCLE = {
    "reinstate": LazyCommand("tansiq.cli.clearances:permits.reinstate", "Lift a suspension."),
    "revoke": LazyCommand("tansiq.cli.clearances:permits.revoke", "Revoke a permit for good."),
    "suspend": LazyCommand(
        "tansiq.cli.clearances:permits.suspend", "Suspend a permit for a while."
    ),
    "token": LazyCommand(
        "tansiq.cli.clearances:permits.token",
        "Print a permit's signed text (TQ1:…), what its QR code holds.",
    ),
}


# Help options as the root command has them: click caches a command's help option the first
# time it is built, so a group also run on its own must name them itself.
@click.group(
    "permit",
    cls=LazyGroup,
    lazy=LIFECYCLE,
    context_settings={"help_option_names": ["-h", "--help"]},
)
def permit() -> None:
    """Permit tokens: check one offline, as a checkpoint does."""


@permit.command("verify")
@click.argument("token", required=False)
@click.option(
    "--image",
    type=click.Path(path_type=Path, dir_okay=False),
    help="A photo or scan of the permit's QR code.",
)
@click.option(
    "--trust", type=click.Path(path_type=Path, dir_okay=False), help="Signed trust list file."
)
@click.option(
    "--revocations",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Signed revocation updates file; without it the verdict is at best 'stale'.",
)
@click.option(
    "--governance-key",
    "governance",
    multiple=True,
    metavar="HEX",
    envvar="TANSIQ_GOVERNANCE_KEYS",
    help="A hub governance public key (Ed25519, hex); may be repeated.",
)
@click.option("--checkpoint", metavar="CODE", help="This checkpoint's code.")
@click.option("--at", "at", metavar="TIME", help="Check as of this time (default: now).")
@click.option(
    "--driver-id",
    metavar="NUMBER",
    help="The ID number on the driver's card: checked against the permit's salted hash "
    "(digits of any script, spaces and dashes allowed); a mismatch exits 1.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@MAX_AGE
@HARD_LIMIT
@POSITION
@click.pass_context
def verify_command(
    ctx: click.Context,
    token: str | None,
    image: Path | None,
    trust: Path | None,
    revocations: Path | None,
    governance: tuple[str, ...],
    checkpoint: str | None,
    at: str | None,
    driver_id: str | None,
    as_json: bool,
    max_age_hours: float,
    hard_limit_hours: float,
    position: tuple[float, float] | None,
) -> None:
    """Check a permit TOKEN (or --image) offline: prints the verdict, exit code 0 only if valid
    (and, with --driver-id, only if the ID number is the permit's driver's)."""
    if (token is None) == (image is None):
        raise TokenSourceNeeded
    keys = _governance_keys(governance)
    if trust is None or not keys:
        raise TrustNeeded
    trust_list = load_trust_list(_read(trust), keys)
    state: RevocationState | None = None
    if revocations is not None:
        state = load_revocations(_read(revocations), keys)
    text = read_qr_text(image) if image is not None else str(token)
    verdict = verify(
        text.strip(),
        trust=trust_list,
        revocations=state,
        at=_when(ctx, at),
        checkpoint=checkpoint,
        max_data_age=timedelta(hours=max_age_hours),
        hard_data_age=timedelta(hours=hard_limit_hours),
        position=position,
    )
    driver = None
    if driver_id is not None and verdict.claims is not None:
        driver = check_driver(verdict.claims, driver_id)
    if as_json:
        click.echo(json.dumps(_shown(verdict, driver), ensure_ascii=False, indent=2))
    else:
        _print(verdict, driver)
    if not verdict.valid or (driver is not None and not driver.matches):
        ctx.exit(EXIT_NOT_VALID)
