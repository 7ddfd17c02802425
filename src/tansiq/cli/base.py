"""What the commands that use the hub share: settings, the hub context, the acting user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_
from tansiq.db.unit_of_work import unit_of_work

# Every command that may change a permit or a movement logs it for the hubs' corridor caches.
from tansiq.incidents import corridor_cache as _corridor_changes  # noqa: F401 - registers it
from tansiq.parties.domain import Principal
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import UserNotFound, principal_of, use_password_hash_cost
from tansiq.settings import load_settings


class NoOperator(TansiqError):
    code = "cli.no_operator"
    message = N_(
        "No hub administrator exists yet; run `tansiq demo --no-serve` or create one "
        "with `tansiq parties create` and `tansiq users create`."
    )


class BadFile(TansiqError):
    code = "cli.bad_file"
    message = N_("Cannot read {path} as JSON: {problem}")


class DatabaseMissing(TansiqError):
    code = "cli.database_missing"
    message = N_(
        "There is no database at {path}. Point TANSIQ_DATABASE_URL (or --database-url) at the "
        "hub's database, or create one with `tansiq db upgrade`."
    )
    category = ErrorCategory.NOT_FOUND


class DatabaseNotReady(TansiqError):
    code = "cli.database_not_ready"
    message = N_("The database {url} holds no Tansiq tables: run `tansiq db upgrade` first.")
    category = ErrorCategory.CONFLICT


class DatabaseUnreachable(TansiqError):
    code = "cli.database_unreachable"
    message = N_("The database {url} cannot be opened: {problem}")
    category = ErrorCategory.CONFLICT


class DatabaseUrlInvalid(TansiqError):
    code = "cli.database_url_invalid"
    message = N_("{url} is not a database URL; write it like sqlite:///path/to/tansiq.db.")


def hub_context(
    ctx: click.Context, *, creating: bool = False, upgrading: bool = False
) -> HubContext:
    """The context built once for this command line (settings from the environment).

    A command reads and writes an existing hub database: a SQLite file that is not there is
    refused rather than made empty on the spot, and so is a database without Tansiq's tables.
    Only a command that says it is ``creating`` the database (``tansiq db upgrade``) may make
    the file; one ``upgrading`` it (``tansiq serve``) needs the file but not the tables yet.
    """
    root = ctx.find_root()
    if isinstance(root.obj, HubContext):
        return root.obj
    overrides = {}
    if root.params.get("database_url"):
        overrides["database_url"] = root.params["database_url"]
    settings = load_settings(**overrides)
    if not creating:
        _refuse_a_missing_file(settings.database_url)
    if settings.secret_key is None:
        settings = settings.model_copy(update={"secret_key": hub_secret(settings.database_url)})
    context = use_context(ctx, HubContext.from_settings(settings))
    if not (creating or upgrading):
        _refuse_a_database_without_tables(context)
    return context


# Set, but not a key: whatever must seal, sign or unseal with it refuses with
# settings.secret_key_missing, where no secret at all (None) would let an approval issue a
# permit that nobody signed, and a revocation go unsigned to no checkpoint.
NO_SECRET = ""


def secret_beside(database_url: str) -> Path | None:
    """Where ``tansiq demo`` keeps the secret of a SQLite hub: ``<file>.key``, beside it."""
    try:
        parsed = make_url(database_url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(f"{parsed.database}.key")


def hub_secret(database_url: str) -> str:
    """The hub's secret when TANSIQ_SECRET_KEY is unset, found as the hub finds it: the demo
    hub's ``<file>.key``; else :data:`NO_SECRET`, so that nothing is issued unsigned."""
    beside = secret_beside(database_url)
    if beside is not None and beside.is_file():
        try:
            return beside.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return NO_SECRET
    return NO_SECRET


def _shown_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        raise DatabaseUrlInvalid(url=url[:100]) from None


def _refuse_a_missing_file(url: str) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlInvalid(url=url[:100]) from None
    if parsed.get_backend_name() != "sqlite" or parsed.query.get("uri"):
        return
    if parsed.database in (None, "", ":memory:"):
        return
    if not Path(parsed.database).exists():
        raise DatabaseMissing(path=str(Path(parsed.database).resolve()))


def _refuse_a_database_without_tables(context: HubContext) -> None:
    try:
        with context.engine.connect() as connection:
            ready = inspect(connection).has_table("alembic_version")
    except DBAPIError as error:  # no such database, refused login, server down, …
        problem = str(error.orig).strip().splitlines()[0][:200] if error.orig else "?"
        raise DatabaseUnreachable(
            url=_shown_url(context.settings.database_url), problem=problem
        ) from None
    if not ready:
        raise DatabaseNotReady(url=_shown_url(context.settings.database_url))


def use_context(ctx: click.Context, context: HubContext) -> HubContext:
    """Make ``context`` this command line's, and close its connections when it ends."""
    use_password_hash_cost(context.settings.password_hash_cost)
    root = ctx.find_root()
    root.obj = context
    root.call_on_close(context.engine.dispose)
    return context


@contextmanager
def session_scope(ctx: click.Context) -> Iterator[Session]:
    with unit_of_work(hub_context(ctx).sessions) as session:
        yield session


def operator(session: Session, username: str | None) -> Principal:
    """The user the console acts as: ``--as`` or the hub's first administrator.

    Whoever runs the CLI already holds the database; acting as a named user keeps every
    change attributed to a person.
    """
    repo = PartyRepository(session)
    if username:
        user = repo.user_by_username(username)
        if user is None:
            raise UserNotFound(user=username)
        return principal_of(user)
    hub_admins = [
        user
        for party in repo.parties("hub")
        for user in repo.users_of(party.id)
        if any(role.role == "admin" for role in user.roles) and user.is_active
    ]
    if not hub_admins:
        raise NoOperator
    return principal_of(hub_admins[0])


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as problem:
        raise BadFile(path=str(path), problem=str(problem)[:200]) from None


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
