"""Every query about notifications, their versions, occurrences, parties and receipts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, func, or_, select

from tansiq.db.repository import Repository, hold_lock
from tansiq.deconfliction.domain import (
    AcknowledgementState,
    NotificationKind,
    NotificationStatus,
)
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    AffectedPartyRecord,
    ConflictRecord,
    EscalationRecord,
    NotificationRecord,
    NotificationVersionRecord,
    OccurrenceRecord,
    ReconfirmationRecord,
    SiteReadRecord,
)
from tansiq.deconfliction.repository_index import OccurrenceIndex


class Candidate(NamedTuple):
    """What a conflict check reads of an active notification and its current version."""

    notification_id: int
    kind: NotificationKind
    active_from: datetime
    active_until: datetime
    version_id: int
    width_m: float
    shape_wkb: bytes


class Notifier(NamedTuple):
    """What alerting a conflict needs of the notification met: its id, kind and notifier."""

    id: int
    kind: NotificationKind
    notifier_party_id: int


Record = (
    NotificationRecord
    | NotificationVersionRecord
    | OccurrenceRecord
    | AffectedPartyRecord
    | AcknowledgementRecord
    | EscalationRecord
    | ConflictRecord
    | SiteReadRecord
    | ReconfirmationRecord
)


class DeconflictionRepository(Repository[Record], OccurrenceIndex):
    """Notifications, versions, parties and receipts; the occurrence index's queries are
    :class:`OccurrenceIndex`'s."""

    def notification(self, notification_id: int) -> NotificationRecord | None:
        return self.session.get(NotificationRecord, notification_id)

    def lock_notification(self, notification_id: int) -> NotificationRecord | None:
        """The notification, locked until the end of the transaction (PostgreSQL)."""
        return self.session.scalars(
            select(NotificationRecord)
            .where(NotificationRecord.id == notification_id)
            .with_for_update()
        ).first()

    def version(self, notification_id: int, number: int) -> NotificationVersionRecord | None:
        return self.session.scalars(
            select(NotificationVersionRecord).where(
                NotificationVersionRecord.notification_id == notification_id,
                NotificationVersionRecord.number == number,
            )
        ).first()

    def versions_by_id(self, version_ids: set[int]) -> dict[int, NotificationVersionRecord]:
        if not version_ids:
            return {}
        rows = self.session.scalars(
            select(NotificationVersionRecord).where(NotificationVersionRecord.id.in_(version_ids))
        ).all()
        return {row.id: row for row in rows}

    def occurrences(self, version_ids: Sequence[int]) -> dict[int, list[OccurrenceRecord]]:
        found: dict[int, list[OccurrenceRecord]] = {v: [] for v in version_ids}
        if not version_ids:
            return found
        rows = self.session.scalars(
            select(OccurrenceRecord)
            .where(OccurrenceRecord.version_id.in_(version_ids))
            .order_by(OccurrenceRecord.starts_at)
        ).all()
        for row in rows:
            found[row.version_id].append(row)
        return found

    def lock_filings(self) -> None:
        """Hold filing until the transaction ends, across every hub process: a filing's
        conflict check then sees every filing committed before it, so two movements filed at
        once never both miss their conflict (each checked before the other was stored)."""
        hold_lock(self.session, _FILING_LOCK)

    def candidates(
        self,
        start: datetime,
        end: datetime,
        kind: NotificationKind | None = None,
        box: tuple[float, float, float, float] | None = None,
    ) -> list[Candidate]:
        """Active notifications whose current version counts at some time in ``[start, end)``
        (and, given ``box``, whose grown box meets it): what a conflict check needs of each,
        as plain rows (no GeoJSON, no content, no objects to build)."""
        params: dict[str, object] = {
            "start": start,
            "end": end,
            "active": NotificationStatus.ACTIVE,
        }
        if kind is not None:
            params["kind"] = kind
        if box is not None:
            params |= dict(zip(("west", "south", "east", "north"), box, strict=True))
        query = _candidates_query(kind is not None, box is not None)
        return [Candidate(*row) for row in self.session.execute(query, params).all()]

    def occurrence_windows(
        self, version_ids: Sequence[int]
    ) -> dict[int, list[tuple[datetime, datetime]]]:
        """Each version's occurrences as (start, end), in order, as plain rows."""
        found: dict[int, list[tuple[datetime, datetime]]] = {v: [] for v in version_ids}
        if not version_ids:
            return found
        rows = self.session.execute(
            select(
                OccurrenceRecord.version_id, OccurrenceRecord.starts_at, OccurrenceRecord.ends_at
            )
            .where(OccurrenceRecord.version_id.in_(sorted(version_ids)))
            .order_by(OccurrenceRecord.version_id, OccurrenceRecord.starts_at)
        ).all()
        for version_id, starts_at, ends_at in rows:
            found[version_id].append((starts_at, ends_at))
        return found

    def notifiers_by_ids(self, ids: set[int]) -> dict[int, Notifier]:
        """Each notification's id, kind and notifier, as plain rows (a busy check meets 100
        and more: loading each as a whole record cost 10 ms)."""
        if not ids:
            return {}
        rows = self.session.execute(
            select(
                NotificationRecord.id, NotificationRecord.kind, NotificationRecord.notifier_party_id
            ).where(self.among(NotificationRecord.id, ids))
        ).all()
        return {int(row[0]): Notifier(int(row[0]), row[1], int(row[2])) for row in rows}

    def affected(self, version_id: int) -> Sequence[AffectedPartyRecord]:
        return self.session.scalars(
            select(AffectedPartyRecord)
            .where(AffectedPartyRecord.version_id == version_id)
            .order_by(AffectedPartyRecord.party_id)
        ).all()

    def reached_party_ids(self, notification_id: int) -> set[int]:
        """Every party any version of the notification reached."""
        return set(
            self.session.scalars(
                select(AffectedPartyRecord.party_id).where(
                    AffectedPartyRecord.notification_id == notification_id
                )
            ).all()
        )

    def acknowledgement(self, ack_id: int) -> AcknowledgementRecord | None:
        return self.session.get(AcknowledgementRecord, ack_id)

    def lock_acknowledgement(self, ack_id: int) -> AcknowledgementRecord | None:
        return self.session.scalars(
            select(AcknowledgementRecord)
            .where(AcknowledgementRecord.id == ack_id)
            .with_for_update()
        ).first()

    def acknowledgement_of(self, version_id: int, party_id: int) -> AcknowledgementRecord | None:
        return self.session.scalars(
            select(AcknowledgementRecord).where(
                AcknowledgementRecord.version_id == version_id,
                AcknowledgementRecord.party_id == party_id,
            )
        ).first()

    def acknowledgements(self, version_id: int) -> Sequence[AcknowledgementRecord]:
        return self.session.scalars(
            select(AcknowledgementRecord)
            .where(AcknowledgementRecord.version_id == version_id)
            .order_by(AcknowledgementRecord.party_id)
        ).all()

    def visible(
        self,
        party_id: int | None,
        *,
        filed: bool | None,
        status: NotificationStatus | None,
        limit: int,
        offset: int,
    ) -> Sequence[NotificationRecord]:
        """Notifications a party filed or was reached by (``party_id`` None: every one);
        ``filed`` True only its own, False only those it was reached by."""
        query = select(NotificationRecord)
        if party_id is not None:
            reached = select(AffectedPartyRecord.notification_id).where(
                AffectedPartyRecord.party_id == party_id
            )
            own = NotificationRecord.notifier_party_id == party_id
            other = NotificationRecord.id.in_(reached)
            if filed is None:
                query = query.where(or_(own, other))
            elif filed:
                query = query.where(own)
            else:
                query = query.where(other, ~own)
        if status is not None:
            query = query.where(NotificationRecord.status == status)
        query = query.order_by(NotificationRecord.id.desc()).limit(limit).offset(offset)
        return self.session.scalars(query).all()

    def incoming(
        self, party_id: int, limit: int
    ) -> Sequence[tuple[AcknowledgementRecord, NotificationRecord]]:
        """The party's acknowledgements of the current versions of active notifications:
        unanswered first, emergencies first among them, then by deadline."""
        query = (
            select(AcknowledgementRecord, NotificationRecord)
            .join(
                NotificationRecord, NotificationRecord.id == AcknowledgementRecord.notification_id
            )
            .join(
                NotificationVersionRecord,
                NotificationVersionRecord.id == AcknowledgementRecord.version_id,
            )
            .where(
                AcknowledgementRecord.party_id == party_id,
                NotificationVersionRecord.number == NotificationRecord.current_version,
                NotificationRecord.status == NotificationStatus.ACTIVE,
            )
            .order_by(
                (AcknowledgementRecord.state != AcknowledgementState.PENDING),
                NotificationRecord.emergency.desc(),
                AcknowledgementRecord.deadline,
                AcknowledgementRecord.id,
            )
            .limit(limit)
        )
        return [(a, n) for a, n in self.session.execute(query).all()]

    def conflicts(self, version_id: int) -> Sequence[ConflictRecord]:
        return self.session.scalars(
            select(ConflictRecord)
            .where(ConflictRecord.version_id == version_id)
            .order_by(ConflictRecord.id)
        ).all()

    def conflicts_against(self, notification_id: int) -> Sequence[ConflictRecord]:
        """Conflicts found by the current versions of other active notifications with this one."""
        return self.session.scalars(
            select(ConflictRecord)
            .join(NotificationRecord, NotificationRecord.id == ConflictRecord.notification_id)
            .join(
                NotificationVersionRecord,
                NotificationVersionRecord.id == ConflictRecord.version_id,
            )
            .where(
                ConflictRecord.other_notification_id == notification_id,
                NotificationVersionRecord.number == NotificationRecord.current_version,
                NotificationRecord.status == NotificationStatus.ACTIVE,
            )
            .order_by(ConflictRecord.id)
        ).all()

    def escalations(self, notification_id: int) -> Sequence[EscalationRecord]:
        return self.session.scalars(
            select(EscalationRecord)
            .where(EscalationRecord.notification_id == notification_id)
            .order_by(EscalationRecord.id)
        ).all()

    def escalation_of(self, ack_id: int) -> EscalationRecord | None:
        return self.session.scalars(
            select(EscalationRecord).where(EscalationRecord.acknowledgement_id == ack_id)
        ).first()

    def site_reads(self, notification_id: int) -> Sequence[SiteReadRecord]:
        return self.session.scalars(
            select(SiteReadRecord)
            .where(SiteReadRecord.notification_id == notification_id)
            .order_by(SiteReadRecord.id.desc())
        ).all()

    def counts(self) -> dict[tuple[NotificationKind, NotificationStatus], int]:
        rows = self.session.execute(
            select(NotificationRecord.kind, NotificationRecord.status, func.count()).group_by(
                NotificationRecord.kind, NotificationRecord.status
            )
        ).all()
        return {(kind, status): int(count) for kind, status, count in rows}

    def acknowledgement_timings(
        self,
    ) -> Sequence[tuple[AcknowledgementState, datetime, datetime | None, datetime | None]]:
        """Every acknowledgement's state, delivery, answer and escalation times (no names)."""
        rows = self.session.execute(
            select(
                AcknowledgementRecord.state,
                AcknowledgementRecord.delivered_at,
                AcknowledgementRecord.answered_at,
                AcknowledgementRecord.escalated_at,
            )
        ).all()
        return [(s, d, a, e) for s, d, a, e in rows]


# The PostgreSQL advisory lock that lets one filing at a time check and store (any constant
# distinct from the others: the ledger's sequencer, migrations).
_FILING_LOCK = 0x7A6E_F111


@cache
def _candidates_query(
    by_kind: bool, by_box: bool
) -> Select[int, NotificationKind, datetime, datetime, int, float, bytes]:
    """The statement :meth:`DeconflictionRepository.candidates` runs, built once per shape
    (every check runs one; building it cost a fifth of a quiet check's time on SQLite)."""
    query = (
        select(
            NotificationRecord.id,
            NotificationRecord.kind,
            NotificationRecord.active_from,
            NotificationRecord.active_until,
            NotificationVersionRecord.id,
            NotificationVersionRecord.width_m,
            NotificationVersionRecord.shape_wkb,
        )
        .join(
            NotificationVersionRecord,
            and_(
                NotificationVersionRecord.notification_id == NotificationRecord.id,
                NotificationVersionRecord.number == NotificationRecord.current_version,
            ),
        )
        .where(
            NotificationRecord.status == NotificationStatus.ACTIVE,
            NotificationRecord.active_until > bindparam("start"),
            NotificationRecord.active_from < bindparam("end"),
        )
        .order_by(NotificationRecord.id)
    )
    if by_kind:
        query = query.where(NotificationRecord.kind == bindparam("kind"))
    if by_box:
        query = query.where(
            NotificationVersionRecord.max_lon >= bindparam("west"),
            NotificationVersionRecord.max_lat >= bindparam("south"),
            NotificationVersionRecord.min_lon <= bindparam("east"),
            NotificationVersionRecord.min_lat <= bindparam("north"),
        )
    return query
