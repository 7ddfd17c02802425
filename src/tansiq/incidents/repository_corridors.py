"""The corridor cache's queries: the revision and change log it follows, and the active
movements it holds, read all at once or by id (permits come through clearances' reader)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Select, Table, insert, select, update
from sqlalchemy.orm import Session

from tansiq.deconfliction.domain import NotificationKind, NotificationStatus
from tansiq.deconfliction.models import (
    NotificationRecord,
    NotificationVersionRecord,
    OccurrenceRecord,
)
from tansiq.incidents.models import CorridorChangeRecord, CorridorRevisionRecord

# Ids per IN (...) list: well under SQLite's bound on parameters in one statement.
CHUNK = 500
MovementRow = tuple[int, int, int, float, bytes, list[tuple[datetime, datetime]]]


def active_movements() -> Select[int, int, int, float, bytes]:
    """Active movements' current versions as plain rows, by id: (id, notifier, version id,
    width, WKB). The cache reads them all or by id; impact's database path narrows them by
    time and box (``IncidentRepository.movements_near``)."""
    return (
        select(
            NotificationRecord.id,
            NotificationRecord.notifier_party_id,
            NotificationVersionRecord.id,
            NotificationVersionRecord.width_m,
            NotificationVersionRecord.shape_wkb,
        )
        .join(
            NotificationVersionRecord,
            (NotificationVersionRecord.notification_id == NotificationRecord.id)
            & (NotificationVersionRecord.number == NotificationRecord.current_version),
        )
        .where(
            NotificationRecord.kind == NotificationKind.MOVEMENT,
            NotificationRecord.status == NotificationStatus.ACTIVE,
        )
        .order_by(NotificationRecord.id)
    )


def bump_revision(connection: Connection, targets: Iterable[tuple[str, int]]) -> int:
    """Move the revision on and log ``targets`` under it, on the flushing transaction's own
    connection (called from a flush event: Core statements, no ORM flush again)."""
    stamp = secrets.randbits(62)
    revision_table = cast(Table, CorridorRevisionRecord.__table__)
    connection.execute(
        update(revision_table)
        .where(revision_table.c.id == 1)
        .values(revision=revision_table.c.revision + 1, stamp=stamp)
    )
    revision = int(
        connection.scalar(select(revision_table.c.revision).where(revision_table.c.id == 1)) or 0
    )
    rows = [
        {"revision": revision, "stamp": stamp, "target_kind": kind, "target_id": target_id}
        for kind, target_id in sorted(set(targets))
    ]
    if rows:
        connection.execute(insert(cast(Table, CorridorChangeRecord.__table__)), rows)
    return revision


# Read before every impact and conflict check: built once.
_REVISION = select(CorridorRevisionRecord.revision, CorridorRevisionRecord.stamp).where(
    CorridorRevisionRecord.id == 1
)


class CorridorsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def revision(self) -> tuple[int, int]:
        """(revision, stamp) as committed (or as this transaction has made it)."""
        row = self.session.execute(_REVISION).first()
        return (0, 0) if row is None else (int(row[0]), int(row[1]))

    def stamp_at(self, revision: int) -> int | None:
        """The stamp logged with ``revision``; None when none is (pruned, or never made)."""
        value = self.session.scalar(
            select(CorridorChangeRecord.stamp)
            .where(CorridorChangeRecord.revision == revision)
            .limit(1)
        )
        return None if value is None else int(value)

    def changed_between(self, after: int, upto: int) -> set[tuple[str, int]]:
        """Every (kind, id) logged at a revision in ``(after, upto]``."""
        rows = self.session.execute(
            select(CorridorChangeRecord.target_kind, CorridorChangeRecord.target_id).where(
                CorridorChangeRecord.revision > after, CorridorChangeRecord.revision <= upto
            )
        ).all()
        return {(str(kind), int(target_id)) for kind, target_id in rows}

    def active_movements(self, ids: Sequence[int] | None = None) -> list[MovementRow]:
        """Every active movement (or those of ``ids`` still active), whatever its time: (id,
        notifier, current version id, width, WKB, occurrences), as ``movements_near`` gives."""
        if ids is None:
            return self._movements(None)
        found: list[MovementRow] = []
        unique = sorted(set(ids))
        for at in range(0, len(unique), CHUNK):
            found += self._movements(unique[at : at + CHUNK])
        return found

    def _movements(self, ids: list[int] | None) -> list[MovementRow]:
        query = active_movements()
        if ids is not None:
            query = query.where(NotificationRecord.id.in_(ids))
        rows = self.session.execute(query).all()
        spans: dict[int, list[tuple[datetime, datetime]]] = {row[2]: [] for row in rows}
        occurrences = select(
            OccurrenceRecord.version_id, OccurrenceRecord.starts_at, OccurrenceRecord.ends_at
        ).order_by(OccurrenceRecord.starts_at)
        if ids is not None:
            occurrences = occurrences.where(OccurrenceRecord.notification_id.in_(ids))
        for version_id, starts_at, ends_at in self.session.execute(occurrences).all():
            if version_id in spans:
                spans[version_id].append((starts_at, ends_at))
        return [(n, party, v, width, wkb, spans[v]) for n, party, v, width, wkb in rows]
