"""``tansiq ledger``: sign a tree head now, and check the whole ledger against itself."""

from __future__ import annotations

import sys

import click
from sqlalchemy.orm import Session

from tansiq.checkpoints import ledger_facts as checkpoints_facts
from tansiq.clearances import ledger_facts as clearances_facts
from tansiq.cli.base import hub_context, session_scope
from tansiq.cli.errors import cli_locale
from tansiq.core.i18n import NP_, translate
from tansiq.ledger import service
from tansiq.ledger.audit import LedgerSource
from tansiq.parties import ledger_facts as parties_facts
from tansiq.permits import ledger_facts as permits_facts
from tansiq.permits.ledger_heads import sign_ledger_head
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import GOVERNANCE_KEYS
from tansiq.permits.trust import KeyStatus


def ledger_sources() -> tuple[LedgerSource, ...]:
    """Every feature's recorded rows, as ``verify`` checks them and the back-fill fills them."""
    return (
        *parties_facts.SOURCES,
        *permits_facts.SOURCES,
        *clearances_facts.SOURCES,
        *checkpoints_facts.SOURCES,
    )


def governance_keys(session: Session) -> dict[str, bytes]:
    """Every governance key the hub has had that was not compromised, by kid."""
    return {
        key.kid: key.public_key
        for key in PermitRepository(session).keys(GOVERNANCE_KEYS)
        if key.status != KeyStatus.COMPROMISED
    }


@click.group()
def ledger() -> None:
    """The tamper-evident ledger: sign tree heads, verify the stored history."""


@ledger.command("head")
@click.pass_context
def head(ctx: click.Context) -> None:
    """Sign a tree head over every entry recorded so far."""
    context = hub_context(ctx)
    with session_scope(ctx) as session:
        record = sign_ledger_head(session, context.settings.secret_key, context.clock)
        click.echo(f"size {record.size}  root {record.root.hex()}  {record.signed_at.isoformat()}")


@ledger.command("verify")
@click.pass_context
def verify(ctx: click.Context) -> None:
    """Recompute the tree from the database, check every signed head, and check every entry
    against the row it records; name the first bad entry."""
    hub_context(ctx)
    with session_scope(ctx) as session:
        check = service.check_ledger(session, governance_keys(session), ledger_sources())
    if check.problem is not None:
        shown = check.problem.render(cli_locale())
        click.echo(f"error {shown['code']}: {shown['message']}", err=True)
        sys.exit(1)
    intact = NP_(
        "The ledger is intact: {count} entry and every signed head checked.",
        "The ledger is intact: {count} entries and every signed head checked.",
    )
    click.echo(translate(intact, cli_locale(), count=check.entries))
