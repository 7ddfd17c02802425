"""application transitions keep the version the application stood at when it moved, so
``tansiq ledger verify`` checks each status change against its row

For transitions already on the ledger, the version is the one whose entry content has the
digest the ledger holds (tried from 1 to the application's current version); a transition whose
entry matches no version (changed behind the hub's back) is left without one, and verify names
it. Transitions older than the ledger get the latest version made at or before their time, and
their entries are back-filled, appended after every entry there is.

Revision ID: 0021_transition_versions
Revises: 0020_liaison_figures
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from tansiq.clearances.ledger_facts import TRANSITION_KINDS, TRANSITIONS, transition_content
from tansiq.ledger.audit import digest_of
from tansiq.ledger.service import backfill_ledger
from tansiq.ledger_check.sources import ledger_sources

revision = "0021_transition_versions"
down_revision = "0020_liaison_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "application_transitions", sa.Column("application_version", sa.Integer(), nullable=True)
    )
    connection = op.get_bind()
    _fill_versions(connection)
    session = Session(bind=connection)
    backfill_ledger(session, [s for s in ledger_sources() if s.name == TRANSITIONS])
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("application_transitions") as table:
        table.drop_column("application_version")


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _fill_versions(connection: sa.Connection) -> None:
    versions: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for application, number, created in connection.execute(
        sa.text("SELECT application_id, number, created_at FROM application_versions")
    ):
        versions[application].append((_moment(created), number))
    digests: dict[int, list[bytes]] = defaultdict(list)
    for subject, kind, digest in connection.execute(
        sa.text(
            "SELECT subject, kind, digest FROM ledger_entries WHERE subject LIKE 'application:%' "
            "ORDER BY seq IS NULL, seq, id"
        )
    ):
        if kind in TRANSITION_KINDS:
            digests[int(subject.partition(":")[2])].append(bytes(digest))
    transitions: dict[int, list[Any]] = defaultdict(list)
    for row in connection.execute(
        sa.text(
            "SELECT id, application_id, from_status, to_status, actor_user_id, at, reason, "
            "reason_params FROM application_transitions WHERE from_status IS NOT NULL "
            "ORDER BY application_id, id"
        )
    ):
        transitions[row.application_id].append(row)
    update = sa.text("UPDATE application_transitions SET application_version = :v WHERE id = :id")
    for application, rows in transitions.items():
        made = sorted(versions.get(application, []))
        recorded = digests.get(application, [])
        for index, row in enumerate(rows):
            version = _version(row, made, recorded[index] if index < len(recorded) else None)
            if version is not None:
                connection.execute(update, {"v": version, "id": row.id})


def _version(row: Any, made: list[tuple[datetime, int]], digest: bytes | None) -> int | None:
    params = row.reason_params
    if isinstance(params, str):  # SQLite hands JSON back as text through a raw query
        params = json.loads(params)
    if digest is None:  # older than the ledger: the latest version made by then
        at = _moment(row.at)
        earlier = [number for created, number in made if created <= at]
        return max(earlier) if earlier else (min(n for _c, n in made) if made else None)
    for _created, number in made:
        content = transition_content(_Fields(row, number, params))
        if digest_of(content) == digest:
            return number
    return None


class _Fields:
    """A transition row with a candidate version, read as the hub records it."""

    def __init__(self, row: Any, version: int, params: Any) -> None:
        self.from_status, self.to_status = row.from_status, row.to_status
        self.application_version = version
        self.actor_user_id, self.reason = row.actor_user_id, row.reason
        self.reason_params = params
