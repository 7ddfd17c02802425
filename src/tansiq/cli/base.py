"""What the commands that use the hub share: settings, the hub context, the acting user."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_
from tansiq.db.unit_of_work import unit_of_work
from tansiq.parties.domain import Principal
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import UserNotFound, principal_of, use_password_hash_cost
from tansiq.settings import Settings


class NoOperator(TansiqError):
    code = "cli.no_operator"
    message = N_(
        "No hub administrator exists yet; run `tansiq demo --no-serve` or create one "
        "with `tansiq parties create` and `tansiq users create`."
    )


class BadFile(TansiqError):
    code = "cli.bad_file"
    message = N_("Cannot read {path} as JSON: {problem}")


def hub_context(ctx: click.Context) -> HubContext:
    """The context built once for this command line (settings from the environment)."""
    root = ctx.find_root()
    if isinstance(root.obj, HubContext):
        return root.obj
    settings = Settings()
    if root.params.get("database_url"):
        settings = settings.model_copy(update={"database_url": root.params["database_url"]})
    return use_context(ctx, HubContext.from_settings(settings))


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
