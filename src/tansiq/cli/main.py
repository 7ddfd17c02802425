"""The ``tansiq`` command.

Each command group is imported only when it runs (see :mod:`tansiq.cli.lazy`): ``--help``
answers without loading the web or database stacks, and ``tansiq permit verify`` never loads
them at all.
"""

from __future__ import annotations

import click

import tansiq
from tansiq.cli.lazy import LazyCommand, LazyGroup

COMMANDS = {
    "base-layers": LazyCommand(
        "tansiq.cli.geo:base_layers_group",
        "The deployment's base layers (roads, rivers, built-up areas, place names).",
    ),
    "backup": LazyCommand(
        "tansiq.cli.backup:backup",
        "Copy the hub's database to PATH while it runs, and check the copy.",
    ),
    "applications": LazyCommand(
        "tansiq.cli.clearances:applications",
        "Applications for clearance: submit, list, show, amend, withdraw, appeal.",
    ),
    "checkpoint": LazyCommand(
        "tansiq.cli.checkpoint:checkpoint",
        "A checkpoint device: sync with the hub, scan permits offline.",
    ),
    "checkpoints": LazyCommand(
        "tansiq.cli.geo:checkpoints", "Checkpoints: import, list, open and close."
    ),
    "db": LazyCommand("tansiq.cli.serve:db", "Database maintenance."),
    "deconfliction": LazyCommand(
        "tansiq.cli.deconfliction:deconfliction",
        "Deconfliction: notify movements and sites, acknowledge, withdraw.",
    ),
    "demo": LazyCommand(
        "tansiq.cli.serve:demo",
        "Load the demo town (Jisr al-Wadi) and run the hub on it.",
    ),
    "figures": LazyCommand(
        "tansiq.cli.figures:figures",
        "Figures of authorities, checkpoints and notified parties over a period, with the totals.",
    ),
    "incident": LazyCommand(
        "tansiq.cli.incidents:incident", "Incidents: report, list, corroborate or refute, expire."
    ),
    "advisory": LazyCommand(
        "tansiq.cli.advisory_cap:advisory", "Advisories: issue, list, co-sign, withdraw."
    ),
    "watch": LazyCommand(
        "tansiq.cli.incidents:watch",
        "Standing watches: be alerted of what touches an area or a route.",
    ),
    "ledger": LazyCommand(
        "tansiq.cli.ledger:ledger",
        "The tamper-evident ledger: sign tree heads, verify the stored history.",
    ),
    "parties": LazyCommand(
        "tansiq.cli.parties:parties",
        "Parties: authorities, the municipality, organisations, traders, the hub.",
    ),
    "permit": LazyCommand(
        "tansiq.cli.permit:permit", "Permit tokens: check one offline, as a checkpoint does."
    ),
    "restore": LazyCommand(
        "tansiq.cli.backup:restore",
        "Restore the hub's database from a backup made by `tansiq backup`, and check it.",
    ),
    "reviews": LazyCommand(
        "tansiq.cli.clearances:reviews_group", "Reviews for an authority: list what waits, decide."
    ),
    "route": LazyCommand(
        "tansiq.cli.geo:route",
        "Routes: which authorities must decide, which checkpoints lie on the way.",
    ),
    "serve": LazyCommand(
        "tansiq.cli.serve:serve",
        "Bring the database up to date and run the hub (with its job worker).",
    ),
    "thread": LazyCommand(
        "tansiq.cli.thread:thread",
        "Liaison threads: party-to-party messages through the hub.",
    ),
    "trust": LazyCommand(
        "tansiq.cli.trust:trust", "The hub's trust data, exported for offline verifiers."
    ),
    "users": LazyCommand("tansiq.cli.parties:users", "Users of a party and their roles."),
    "worker": LazyCommand(
        "tansiq.cli.worker:worker",
        "Run background jobs (notification deliveries, escalations) until stopped.",
    ),
    "zones": LazyCommand(
        "tansiq.cli.geo:zones",
        "Zones of control: import maps, list them, export the map in force.",
    ),
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url", metavar="URL", help="Database to use (overrides TANSIQ_DATABASE_URL)."
)
@click.version_option(tansiq.__version__, prog_name="tansiq")
def cli(database_url: str | None) -> None:
    """Tansiq (تنسيق): the coordination hub. Settings come from TANSIQ_* variables."""
