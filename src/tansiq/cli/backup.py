"""``tansiq backup`` and ``tansiq restore``: copies of the hub's database that Tansiq checks."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import create_engine

from tansiq.cli.base import hub_context
from tansiq.db import backup as backups


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--verify", is_flag=True, help="Check the backup at PATH instead of making one.")
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@click.pass_context
def backup(ctx: click.Context, path: Path, verify: bool, force: bool) -> None:
    """Copy the hub's database to PATH while it runs, and check the copy.

    SQLite is copied with its online backup API; PostgreSQL is dumped with pg_dump -Fc (which
    must be on the PATH). Every table's row count goes to PATH.manifest.json, against which
    the copy, --verify and `tansiq restore` check it.
    """
    if verify:
        # Only the migration scripts are needed to know the schema versions: no database.
        manifest = backups.verify(path, create_engine("sqlite://"))
        click.echo(f"{path}: {_summary(manifest)}; checked.")
        return
    context = hub_context(ctx)
    manifest = backups.backup(context.engine, path, now=context.clock.now(), force=force)
    click.echo(f"Backed up {_summary(manifest)} to {path}; checked.")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@click.pass_context
def restore(ctx: click.Context, path: Path, force: bool) -> None:
    """Restore the hub's database from a backup made by `tansiq backup`, and check it.

    Stop the hub and its workers first. A database that holds data is replaced only with
    --force. After the restore every table's rows are counted against the backup's manifest.
    """
    context = hub_context(ctx, creating=True)
    manifest = backups.restore(context.engine, path, force=force)
    click.echo(f"Restored {_summary(manifest)} from {path}; checked.")
    click.echo("Run `tansiq db upgrade` if this Tansiq is newer than the backup.")


def _summary(manifest: backups.Manifest) -> str:
    return (
        f"{len(manifest.tables)} tables, {manifest.rows} rows, "
        f"schema {manifest.schema or 'none'} ({manifest.backend})"
    )
