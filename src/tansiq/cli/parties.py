"""``tansiq parties`` and ``tansiq users``: the console bootstraps and manages members."""

from __future__ import annotations

import click

from tansiq.cli.base import session_scope
from tansiq.core.clock import SystemClock
from tansiq.core.text import BilingualText
from tansiq.parties import service
from tansiq.parties.domain import PartyKind, Role
from tansiq.parties.repository import PartyRepository


@click.group()
def parties() -> None:
    """Parties: authorities, the municipality, organisations, traders, the hub."""


@parties.command("create")
@click.argument("code")
@click.option("--kind", type=click.Choice([k.value for k in PartyKind]), required=True)
@click.option("--name-ar", default="", help="Name in Arabic.")
@click.option("--name-en", default="", help="Name in English.")
@click.pass_context
def create_party(ctx: click.Context, code: str, kind: str, name_ar: str, name_en: str) -> None:
    """Create a party with the short CODE."""
    with session_scope(ctx) as session:
        record = service.create_party(
            session,
            code=code,
            kind=PartyKind(kind),
            name=BilingualText(name_ar, name_en),
            clock=SystemClock(),
        )
        click.echo(f"Created party {record.code} ({record.kind}).")


@parties.command("list")
@click.pass_context
def list_parties(ctx: click.Context) -> None:
    """List every party."""
    with session_scope(ctx) as session:
        for record in PartyRepository(session).parties():
            click.echo(f"{record.code}\t{record.kind}\t{record.name_en}\t{record.name_ar}")


@click.group()
def users() -> None:
    """Users of a party and their roles."""


@users.command("create")
@click.argument("username")
@click.option("--party", required=True, help="Code of the user's party.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--display-name", default="", help="Name shown to others (default: USERNAME).")
@click.option("--locale", type=click.Choice(["ar", "en"]), default="en", show_default=True)
@click.password_option(
    envvar="TANSIQ_NEW_PASSWORD", help="Password (asked for if not given; or TANSIQ_NEW_PASSWORD)."
)
@click.pass_context
def create_user(
    ctx: click.Context,
    username: str,
    party: str,
    roles: tuple[str, ...],
    display_name: str,
    locale: str,
    password: str,
) -> None:
    """Create a user of a party."""
    with session_scope(ctx) as session:
        record = service.create_user(
            session,
            party=service.get_party(session, party),
            username=username,
            display_name=display_name or username,
            password=password,
            roles=frozenset(Role(r) for r in roles),
            clock=SystemClock(),
            locale=locale,
        )
        click.echo(f"Created user {record.username} in {party}.")


@users.command("list")
@click.option("--party", required=True, help="Code of the party.")
@click.pass_context
def list_users(ctx: click.Context, party: str) -> None:
    """List the users of a party."""
    with session_scope(ctx) as session:
        record = service.get_party(session, party)
        for user in PartyRepository(session).users_of(record.id):
            roles = ",".join(r.role for r in user.roles)
            state = "active" if user.is_active else "inactive"
            click.echo(f"{user.username}\t{roles}\t{state}\t{user.display_name}")
