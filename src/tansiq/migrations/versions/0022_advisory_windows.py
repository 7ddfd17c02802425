"""advisories keep their history (``advisory_changes``: each issue, move of the window's end,
ending, CAP import or withdrawal and publication), incidents the time they closed, watches who
ended them, so ``tansiq ledger verify`` checks those entries against rows

The ledger keeps only the digests of these entries, so the rows are rebuilt from the digests:
for each entry already on the ledger, in ledger order, the change whose content has the digest
the entry holds, trying what the database still shows (the ends of the window the advisory's
expiry jobs were scheduled for, its current end, every user, the CAP identifiers imported).
An entry no candidate matches (its row was changed behind the hub's back, or a CAP Cancel
whose identifier the hub never kept) gets no row, and verify names it. An imported advisory
made public by its CAP scope had no publication entry: it gets a publication change and its
entry, appended after every entry there is.

Deconfliction's first reads are checked against the acknowledgements since this revision too:
a version first read by answering it had no entry of its own, and gets it now (back-filled,
appended after every entry there is). A site's re-confirmations get rows of their own
(``deconfliction_reconfirmations``), rebuilt the same way: the end of each confirmation is the
run time of the lapse job it scheduled (kept once run), or the time plus the site's period.

This reads the tables as they stand at this revision (``sa.table``), not the models: later
migrations may add columns. Migration 0013's back-fill never reads these columns.

Revision ID: 0022_advisory_windows
Revises: 0021_transition_versions
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from tansiq.db.base import UTCDateTime
from tansiq.db.types import StrEnumType
from tansiq.deconfliction.ledger_facts import FIRST_READS, reconfirmation_facts
from tansiq.incidents.domain import AdvisoryChange, AdvisoryKind, Severity
from tansiq.incidents.ledger import ENDINGS, PUBLICATIONS, Change, change_facts
from tansiq.ledger.audit import digest_of
from tansiq.ledger.service import NewEntry, backfill_ledger, record_entries
from tansiq.ledger_check.sources import ledger_sources

revision = "0022_advisory_windows"
down_revision = "0021_transition_versions"
branch_labels = None
depends_on = None

# A withdrawal because the checkpoint a closure closed was opened again (incidents.expiry).
_REASONS = (None, "checkpoint_reopened")
_MSG_TYPES = ("Alert", "Update")
_Time = UTCDateTime(timezone=True)
_CHANGES = frozenset(change.value for change in AdvisoryChange)

_advisories = sa.table(
    "advisories",
    *(sa.column(name) for name in ("id", "issuer_party_id", "issued_by", "checkpoint_id")),
    sa.column("incident_id"),
    sa.column("kind", StrEnumType(AdvisoryKind, 20)),
    sa.column("geometry", sa.JSON()),
    sa.column("valid_from", _Time),
    sa.column("valid_until", _Time),
    sa.column("severity", StrEnumType(Severity, 10)),
    sa.column("description"),
    sa.column("cap_identifier"),
    sa.column("public", sa.Boolean()),
    sa.column("created_at", _Time),
    sa.column("ended_by"),
    sa.column("end_note"),
)
_entries = sa.table(
    "ledger_entries",
    sa.column("id"),
    sa.column("seq"),
    sa.column("kind"),
    sa.column("subject"),
    sa.column("recorded_at", _Time),
    sa.column("digest", sa.LargeBinary()),
)
_incidents = sa.table(
    "incidents", sa.column("id"), sa.column("status"), sa.column("closed_at", _Time)
)
_jobs = sa.table("jobs", sa.column("dedupe_key"), sa.column("run_at", _Time))
_changes = sa.table(
    "advisory_changes",
    sa.column("advisory_id"),
    sa.column("change", StrEnumType(AdvisoryChange, 20)),
    sa.column("at", _Time),
    sa.column("by"),
    sa.column("valid_until", _Time),
    sa.column("was_until", _Time),
    sa.column("note"),
    sa.column("reason"),
    sa.column("cap"),
    sa.column("msg_type"),
    sa.column("entry_digest", sa.LargeBinary()),
)


def upgrade() -> None:
    op.create_table(
        "deconfliction_reconfirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["deconfliction_notifications.id"],
            name=op.f(
                "fk_deconfliction_reconfirmations_notification_id_deconfliction_notifications"
            ),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconfliction_reconfirmations")),
    )
    with op.batch_alter_table("deconfliction_reconfirmations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deconfliction_reconfirmations_notification_id"),
            ["notification_id"],
            unique=False,
        )
    op.create_table(
        "advisory_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("advisory_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.Column("valid_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("was_until", UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("cap", sa.String(length=300), nullable=True),
        sa.Column("msg_type", sa.String(length=10), nullable=True),
        sa.Column("entry_digest", sa.LargeBinary(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["advisory_id"],
            ["advisories.id"],
            name=op.f("fk_advisory_changes_advisory_id_advisories"),
        ),
        sa.ForeignKeyConstraint(["by"], ["users.id"], name=op.f("fk_advisory_changes_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advisory_changes")),
    )
    with op.batch_alter_table("advisory_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_advisory_changes_advisory_id"), ["advisory_id"], unique=False
        )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("incident_watches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_incident_watches_ended_by_users"), "users", ["ended_by"], ["id"]
        )
    connection = op.get_bind()
    members: dict[int, list[int]] = defaultdict(list)
    for user, party in connection.execute(sa.text("SELECT id, party_id FROM users ORDER BY id")):
        members[party].append(user)
    recorded = _recorded(connection)
    _fill_changes(connection, recorded, members)
    _fill_closings(connection, recorded)
    _fill_watch_ends(connection, recorded, members)
    _fill_reconfirmations(connection)
    session = Session(bind=connection)
    backfill_ledger(session, [s for s in ledger_sources() if s.name == FIRST_READS])
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table("incident_watches", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_incident_watches_ended_by_users"), type_="foreignkey"
        )
        batch_op.drop_column("ended_by")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("advisory_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advisory_changes_advisory_id"))
    op.drop_table("advisory_changes")
    with op.batch_alter_table("deconfliction_reconfirmations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deconfliction_reconfirmations_notification_id"))
    op.drop_table("deconfliction_reconfirmations")


_Recorded = dict[str, list[tuple[str, datetime, bytes]]]


def _recorded(connection: sa.Connection) -> _Recorded:
    """Incidents' entries (kind, time, digest) by subject, in ledger order."""
    found: _Recorded = defaultdict(list)
    for subject, kind, at, digest in connection.execute(
        sa.select(_entries.c.subject, _entries.c.kind, _entries.c.recorded_at, _entries.c.digest)
        .where(_entries.c.kind.like("incidents.%"))
        .order_by(_entries.c.seq.is_(None), _entries.c.seq, _entries.c.id)
    ):
        found[subject].append((kind, at, bytes(digest)))
    return found


def _people(members: dict[int, list[int]], party: int) -> list[int]:
    """Every user, the party's own first: who changes an advisory or ends a watch is nearly
    always one of the party's (each candidate costs a digest)."""
    return members.get(party, []) + [
        user for other, users in members.items() if other != party for user in users
    ]


def _fill_changes(
    connection: sa.Connection, recorded: _Recorded, members: dict[int, list[int]]
) -> None:
    ends: dict[int, set[datetime]] = defaultdict(set)
    for key, run_at in connection.execute(
        sa.select(_jobs.c.dedupe_key, _jobs.c.run_at).where(
            _jobs.c.dedupe_key.like("incidents.expire_advisory:%")
        )
    ):
        ends[int(key.split(":")[1])].add(run_at)
    advisories = list(connection.execute(sa.select(_advisories)))
    caps = [a.cap_identifier for a in advisories if a.cap_identifier is not None]
    appended: list[NewEntry] = []
    for advisory in advisories:
        subject = f"advisory:{advisory.id}"
        found = _rebuilt(
            advisory, recorded.get(subject, []), sorted(ends[advisory.id] | {advisory.valid_until}),
            _people(members, advisory.issuer_party_id), caps,
        )  # fmt: skip
        if advisory.public and not any(c.change in PUBLICATIONS for c in found):
            published = Change(AdvisoryChange.PUBLISHED, advisory.created_at, advisory.issued_by)
            found.append(published)
            content = change_facts(advisory, published)
            appended.append(NewEntry(published.kind, subject, content, published.at))
        for change in found:
            row = {"advisory_id": advisory.id, **asdict(change)}
            connection.execute(sa.insert(_changes).values(row))
    record_entries(Session(bind=connection), appended)


def _rebuilt(
    advisory: Any,
    entries: Iterable[tuple[str, datetime, bytes]],
    ends: list[datetime],
    users: list[int],
    caps: list[str],
) -> list[Change]:
    """The changes whose entries the ledger holds, each the first candidate with its digest."""
    found: list[Change] = []
    until: datetime | None = None  # the end of the window as the last change left it
    for kind, at, digest in entries:
        name = kind.removeprefix("incidents.")
        if name not in _CHANGES:
            continue  # a co-signature: its own row
        change = AdvisoryChange(name)
        for candidate in _candidates(advisory, change, at, until, ends, users, caps):
            if digest_of(change_facts(advisory, candidate)) == digest:
                found.append(candidate)
                until = candidate.valid_until or until
                break
        else:
            if change is AdvisoryChange.CAP_WITHDRAWN:  # by a Cancel, whose id was kept nowhere
                found.append(Change(change, at, entry_digest=digest))
    return found


def _candidates(
    advisory: Any,
    change: AdvisoryChange,
    at: datetime,
    until: datetime | None,
    ends: list[datetime],
    users: list[int],
    caps: list[str],
) -> Iterator[Change]:
    people = [advisory.issued_by, *users]
    if change is AdvisoryChange.ISSUED:
        for end in ends:
            yield Change(change, at, advisory.issued_by, valid_until=end)
    elif change is AdvisoryChange.CHANGED:
        for was in [until] if until is not None else ends:
            for end in ends:
                for by in people:
                    yield Change(change, at, by, valid_until=end, was_until=was)
    elif change in ENDINGS:
        for by in [advisory.ended_by, None, *users]:
            for note in {advisory.end_note, ""}:
                for reason in _REASONS:
                    yield Change(change, at, by, note=note, reason=reason)
    elif change is AdvisoryChange.CAP_IMPORTED:
        for msg_type in _MSG_TYPES:
            yield Change(change, at, msg_type=msg_type)  # the advisory keeps its identifier
    elif change is AdvisoryChange.CAP_WITHDRAWN:
        for cap in caps:
            for by in people:
                yield Change(change, at, by, cap=cap)
    else:
        for by in people:
            yield Change(change, at, by)


def _fill_closings(connection: sa.Connection, recorded: _Recorded) -> None:
    for subject, entries in recorded.items():
        if not subject.startswith("incident:"):
            continue
        incident = int(subject.partition(":")[2])
        for kind, at, digest in entries:
            if kind == "incidents.closed" and digest_of({"incident": incident, "at": at}) == digest:
                connection.execute(
                    sa.update(_incidents)
                    .where(_incidents.c.id == incident, _incidents.c.status == "closed")
                    .values(closed_at=at)
                )


def _fill_watch_ends(
    connection: sa.Connection, recorded: _Recorded, members: dict[int, list[int]]
) -> None:
    update = sa.text("UPDATE incident_watches SET ended_by = :by WHERE id = :id AND NOT active")
    watches = sa.text("SELECT id, party_id FROM incident_watches")
    parties: dict[int, int] = dict(connection.execute(watches).all())
    for subject, entries in recorded.items():
        if not subject.startswith("watch:"):
            continue
        watch = int(subject.partition(":")[2])
        users = _people(members, parties.get(watch, 0))
        for kind, _at, digest in entries:
            if kind != "incidents.watch_ended":
                continue
            by = next((u for u in users if digest_of({"watch": watch, "by": u}) == digest), None)
            if by is not None:
                connection.execute(update, {"by": by, "id": watch})


_reconfirmations = sa.table(
    "deconfliction_reconfirmations",
    sa.column("notification_id"),
    sa.column("at", _Time),
    sa.column("until", _Time),
)


def _fill_reconfirmations(connection: sa.Connection) -> None:
    lapses: dict[int, set[datetime]] = defaultdict(set)
    for key, run_at in connection.execute(
        sa.select(_jobs.c.dedupe_key, _jobs.c.run_at).where(
            _jobs.c.dedupe_key.like("deconfliction.site_lapse:%")
        )
    ):
        lapses[int(key.split(":")[1])].add(run_at)
    sites = sa.text("SELECT id, reconfirm_days FROM deconfliction_notifications")
    period: dict[int, int | None] = dict(connection.execute(sites).all())
    for subject, at, digest in connection.execute(
        sa.select(_entries.c.subject, _entries.c.recorded_at, _entries.c.digest)
        .where(_entries.c.kind == "deconfliction.reconfirmed")
        .order_by(_entries.c.seq.is_(None), _entries.c.seq, _entries.c.id)
    ):
        site = int(subject.partition(":")[2])
        days = period.get(site)
        candidates = sorted(lapses[site]) + ([] if days is None else [at + timedelta(days=days)])
        for until in candidates:
            if digest_of(reconfirmation_facts(site, until)) == bytes(digest):
                row = {"notification_id": site, "at": at, "until": until}
                connection.execute(sa.insert(_reconfirmations).values(row))
                break
