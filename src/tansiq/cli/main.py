"""The ``tansiq`` command."""

from __future__ import annotations

import click

import tansiq
from tansiq.cli.base import CodedErrors
from tansiq.cli.checkpoint import checkpoint, trust
from tansiq.cli.clearances import applications, permits, reviews_group
from tansiq.cli.geo import checkpoints, route, zones
from tansiq.cli.parties import parties, users
from tansiq.cli.permit import permit
from tansiq.cli.serve import db, demo, serve
from tansiq.cli.worker import worker


@click.group(cls=CodedErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url", metavar="URL", help="Database to use (overrides TANSIQ_DATABASE_URL)."
)
@click.version_option(tansiq.__version__, prog_name="tansiq")
def cli(database_url: str | None) -> None:
    """Tansiq (تنسيق): the coordination hub. Settings come from TANSIQ_* variables."""


for command in (
    serve,
    demo,
    db,
    worker,
    parties,
    users,
    zones,
    checkpoints,
    route,
    applications,
    reviews_group,
    permit,
    checkpoint,
    trust,
):
    cli.add_command(command)

# Suspend, reinstate and revoke live beside verify under `tansiq permit`.
for name, command in permits.commands.items():
    permit.add_command(command, name)
