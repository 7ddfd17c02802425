"""The queries behind the figures' cases: the records a figure counted over a period, each
one indexed query on the event's time (the indexes are in ``models.py``), paged, filtered by
what the reader may see. The counts themselves are read from the tallies
(``tallies.repository``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from tansiq.accountability.models import INDEXES
from tansiq.checkpoints.access import ScanSight
from tansiq.checkpoints.domain import OfficerAction
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.checkpoints.repository import sight_condition
from tansiq.clearances.access import ApplicationScope
from tansiq.clearances.models import AppealRecord, ApplicationRecord, DecisionRecord, ReviewRecord
from tansiq.clearances.repository import ClearanceRepository
from tansiq.deconfliction.domain import AcknowledgementState
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    AffectedPartyRecord,
    NotificationRecord,
)
from tansiq.geo.models import CheckpointRecord
from tansiq.parties.models import UserRecord
from tansiq.permits.domain import PermitStatus
from tansiq.permits.models import PermitRecord

assert INDEXES  # noqa: S101 - the figures' indexes are declared on the metadata with the models
Row = tuple[Any, ...]
AnySelect = Select[*tuple[Any, ...]]
# The cases' queries join reviews and appeals under these names: the need-to-know condition
# (clearances' ``exists`` over reviews and appeals) must not be correlated with them.
Review = aliased(ReviewRecord, name="counted_review")
Appeal = aliased(AppealRecord, name="counted_appeal")


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


class FigureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _rows(self, query: AnySelect) -> list[Row]:
        return [tuple(row) for row in self.session.execute(query)]

    def checkpoints(self) -> Sequence[CheckpointRecord]:
        return self.session.scalars(select(CheckpointRecord).order_by(CheckpointRecord.code)).all()

    # -- the cases behind a figure ---------------------------------------------------------

    def application_cases(
        self,
        query: AnySelect,
        scope: ApplicationScope,
        *,
        limit: int,
        offset: int,
    ) -> list[Row]:
        """Rows of ``query`` (which selects from applications) the caller may see."""
        visible = ClearanceRepository.visible_condition(scope)
        if visible is None:
            return []
        return self._rows(query.where(visible).limit(limit).offset(offset))

    @staticmethod
    def received_cases(start: datetime, end: datetime, authority: int | None) -> AnySelect:
        query = (
            select(
                ApplicationRecord,
                Review.authority_id,
                ApplicationRecord.created_at,
                literal(None).label("reason"),
            )
            .join(Review, Review.application_id == ApplicationRecord.id)
            .where(_within(ApplicationRecord.created_at, start, end))
        )
        if authority is not None:
            query = query.where(Review.authority_id == authority)
        return query.order_by(ApplicationRecord.created_at.desc(), Review.id.desc())

    @staticmethod
    def decision_cases(
        start: datetime,
        end: datetime,
        authority: int | None,
        decisions: Sequence[str] | None,
        reason: str | None,
    ) -> AnySelect:
        query = (
            select(
                ApplicationRecord,
                Review.authority_id,
                DecisionRecord.decided_at,
                DecisionRecord.reason_code,
            )
            .join(Review, Review.id == DecisionRecord.review_id)
            .join(ApplicationRecord, ApplicationRecord.id == Review.application_id)
            .where(_within(DecisionRecord.decided_at, start, end))
        )
        if authority is not None:
            query = query.where(Review.authority_id == authority)
        if decisions is not None:
            query = query.where(DecisionRecord.decision.in_(decisions))
        if reason is not None:
            query = query.where(DecisionRecord.reason_code == reason)
        return query.order_by(DecisionRecord.decided_at.desc(), DecisionRecord.id.desc())

    @staticmethod
    def overdue_cases(start: datetime, end: datetime, authority: int | None) -> AnySelect:
        query = (
            select(
                ApplicationRecord,
                Review.authority_id,
                Review.overdue_at,
                literal(None).label("reason"),
            )
            .join(ApplicationRecord, ApplicationRecord.id == Review.application_id)
            .where(_within(Review.overdue_at, start, end))
        )
        if authority is not None:
            query = query.where(Review.authority_id == authority)
        return query.order_by(Review.overdue_at.desc(), Review.id.desc())

    @staticmethod
    def appeal_cases(
        start: datetime,
        end: datetime,
        authority: int | None,
        outcome: str | None,
        still_open: bool,
    ) -> AnySelect:
        query = (
            select(
                ApplicationRecord,
                Review.authority_id,
                Appeal.opened_at,
                Appeal.outcome,
            )
            .join(Review, Review.id == Appeal.review_id)
            .join(ApplicationRecord, ApplicationRecord.id == Appeal.application_id)
            .where(_within(Appeal.opened_at, start, end))
        )
        if authority is not None:
            query = query.where(Review.authority_id == authority)
        if still_open:
            query = query.where(Appeal.outcome.is_(None))
        elif outcome is not None:
            query = query.where(Appeal.outcome == outcome)
        return query.order_by(Appeal.opened_at.desc(), Appeal.id.desc())

    @staticmethod
    def revocation_cases(
        start: datetime, end: datetime, authority: int | None, reason: str | None
    ) -> AnySelect:
        query = (
            select(
                ApplicationRecord,
                UserRecord.party_id,
                PermitRecord.status_changed_at,
                PermitRecord.status_reason_code,
            )
            .join(ApplicationRecord, ApplicationRecord.id == PermitRecord.reference)
            .join(UserRecord, UserRecord.id == PermitRecord.status_changed_by)
            .where(
                _within(PermitRecord.status_changed_at, start, end),
                PermitRecord.status == PermitStatus.REVOKED,
            )
        )
        if authority is not None:
            query = query.where(UserRecord.party_id == authority)
        if reason is not None:
            query = query.where(PermitRecord.status_reason_code == reason)
        return query.order_by(PermitRecord.status_changed_at.desc(), PermitRecord.id.desc())

    def scan_cases(
        self,
        sight: ScanSight,
        start: datetime,
        end: datetime,
        *,
        authority: int | None,
        checkpoint: int | None,
        action: OfficerAction | None,
        reason: str | None,
        contradiction: bool,
        clone: bool,
        limit: int,
        offset: int,
    ) -> list[tuple[ScanEventRecord, CheckpointRecord]]:
        """Scans of the period behind a checkpoint figure that ``sight`` allows, newest first
        (the same need-to-know as ``CheckpointRepository.visible_scans``)."""
        query = (
            select(ScanEventRecord, CheckpointRecord)
            .join(CheckpointRecord, CheckpointRecord.id == ScanEventRecord.checkpoint_id)
            .where(_within(ScanEventRecord.scanned_at, start, end))
        )
        if (seen := sight_condition(sight)) is not None:
            query = query.where(seen)
        if authority is not None:
            query = query.where(CheckpointRecord.authority_id == authority)
        if checkpoint is not None:
            query = query.where(ScanEventRecord.checkpoint_id == checkpoint)
        if action is not None:
            query = query.where(ScanEventRecord.action == action)
        if reason is not None:
            query = query.where(ScanEventRecord.reason_code == reason)
        if contradiction:
            query = query.where(ScanEventRecord.contradiction)
        if clone:
            query = query.where(ScanEventRecord.clone_suspected)
        query = query.order_by(ScanEventRecord.scanned_at.desc(), ScanEventRecord.id.desc())
        rows = self.session.execute(query.limit(limit).offset(offset)).all()
        return [(scan, place) for scan, place in rows]

    def acknowledgement_cases(
        self,
        seer: int | None,
        moment: str,
        start: datetime,
        end: datetime,
        *,
        party: int | None,
        answer: str | None,
        limit: int,
        offset: int,
    ) -> list[tuple[AcknowledgementRecord, NotificationRecord]]:
        """Acknowledgements whose ``moment`` ("delivered_at", "answered_at" or
        "escalated_at") falls in the period, newest first; only of notifications the party
        ``seer`` filed or was reached by (None: the hub's operator, who sees them all), as
        deconfliction.access.can_see decides. ``answer``: "received" or a concern's code."""
        at = getattr(AcknowledgementRecord, moment)
        query = (
            select(AcknowledgementRecord, NotificationRecord)
            .join(
                NotificationRecord, NotificationRecord.id == AcknowledgementRecord.notification_id
            )
            .where(_within(at, start, end))
        )
        if seer is not None:
            reached = exists().where(
                AffectedPartyRecord.notification_id == NotificationRecord.id,
                AffectedPartyRecord.party_id == seer,
            )
            query = query.where(or_(NotificationRecord.notifier_party_id == seer, reached))
        if party is not None:
            query = query.where(AcknowledgementRecord.party_id == party)
        if answer == AcknowledgementState.RECEIVED.value:
            query = query.where(AcknowledgementRecord.state == AcknowledgementState.RECEIVED)
        elif answer is not None:
            query = query.where(AcknowledgementRecord.concern == answer)
        query = query.order_by(at.desc(), AcknowledgementRecord.id.desc())
        rows = self.session.execute(query.limit(limit).offset(offset)).all()
        return [(ack, notification) for ack, notification in rows]
