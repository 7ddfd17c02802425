"""Every query about applications, their versions, reviews, decisions, transitions and
appeals (the permits' queries are in ``permits.repository``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, String, cast, exists, literal, or_, select, true

from tansiq.clearances.access import ApplicationScope
from tansiq.clearances.models import (
    AppealRecord,
    ApplicationRecord,
    ApplicationVersionRecord,
    DecisionRecord,
    ReviewRecord,
    TransitionRecord,
)
from tansiq.db.repository import Repository
from tansiq.notify.models import EventRecord
from tansiq.permits.domain import PermitStatus
from tansiq.permits.models import PermitRecord

Record = (
    ApplicationRecord
    | ApplicationVersionRecord
    | ReviewRecord
    | DecisionRecord
    | TransitionRecord
    | AppealRecord
)


class ClearanceRepository(Repository[Record]):
    def application(self, application_id: int) -> ApplicationRecord | None:
        return self.session.get(ApplicationRecord, application_id)

    def applications_by_ids(self, ids: Collection[int]) -> dict[int, ApplicationRecord]:
        if not ids:
            return {}
        rows = self.session.scalars(select(ApplicationRecord).where(ApplicationRecord.id.in_(ids)))
        return {row.id: row for row in rows}

    def application_for_update(self, application_id: int) -> ApplicationRecord | None:
        return self.session.scalars(
            select(ApplicationRecord)
            .where(ApplicationRecord.id == application_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()

    def application_by_reference(self, party_id: int, reference: str) -> ApplicationRecord | None:
        return self.session.scalars(
            select(ApplicationRecord).where(
                ApplicationRecord.applicant_party_id == party_id,
                ApplicationRecord.client_reference == reference,
            )
        ).first()

    def version(self, application_id: int, number: int) -> ApplicationVersionRecord | None:
        return self.session.scalars(
            select(ApplicationVersionRecord).where(
                ApplicationVersionRecord.application_id == application_id,
                ApplicationVersionRecord.number == number,
            )
        ).first()

    def reviews(self, application_id: int) -> Sequence[ReviewRecord]:
        return self.session.scalars(
            select(ReviewRecord)
            .where(ReviewRecord.application_id == application_id)
            .order_by(ReviewRecord.id)
        ).all()

    def reviews_of(self, application_ids: Collection[int]) -> Sequence[ReviewRecord]:
        """The reviews of many applications at once, in the order ``reviews`` gives them."""
        if not application_ids:
            return []
        return self.session.scalars(
            select(ReviewRecord)
            .where(ReviewRecord.application_id.in_(application_ids))
            .order_by(ReviewRecord.id)
        ).all()

    def current_versions(
        self, application_ids: Collection[int]
    ) -> Sequence[ApplicationVersionRecord]:
        """Each application's current version, for many applications in one query."""
        if not application_ids:
            return []
        return self.session.scalars(
            select(ApplicationVersionRecord)
            .join(
                ApplicationRecord,
                (ApplicationRecord.id == ApplicationVersionRecord.application_id)
                & (ApplicationRecord.current_version == ApplicationVersionRecord.number),
            )
            .where(ApplicationRecord.id.in_(application_ids))
        ).all()

    def transitions_of(self, application_ids: Collection[int]) -> Sequence[TransitionRecord]:
        if not application_ids:
            return []
        return self.session.scalars(
            select(TransitionRecord)
            .where(TransitionRecord.application_id.in_(application_ids))
            .order_by(TransitionRecord.id)
        ).all()

    def appeals_of(self, application_ids: Collection[int]) -> Sequence[AppealRecord]:
        if not application_ids:
            return []
        return self.session.scalars(
            select(AppealRecord)
            .where(AppealRecord.application_id.in_(application_ids))
            .order_by(AppealRecord.id)
        ).all()

    def review(self, review_id: int) -> ReviewRecord | None:
        return self.session.get(ReviewRecord, review_id)

    def transitions(self, application_id: int) -> Sequence[TransitionRecord]:
        return self.session.scalars(
            select(TransitionRecord)
            .where(TransitionRecord.application_id == application_id)
            .order_by(TransitionRecord.id)
        ).all()

    def told_about(self, party_id: int, application_id: int) -> bool:
        """Whether ``party_id`` was sent a message about the application."""
        return (
            self.session.scalar(
                select(EventRecord.id)
                .where(
                    EventRecord.party_id == party_id,
                    EventRecord.subject == f"application:{application_id}",
                )
                .limit(1)
            )
            is not None
        )

    def appeals(self, application_id: int) -> Sequence[AppealRecord]:
        return self.session.scalars(
            select(AppealRecord)
            .where(AppealRecord.application_id == application_id)
            .order_by(AppealRecord.id)
        ).all()

    def open_appeal(self, review_id: int) -> AppealRecord | None:
        return self.session.scalars(
            select(AppealRecord).where(
                AppealRecord.review_id == review_id, AppealRecord.closed_at.is_(None)
            )
        ).first()

    @staticmethod
    def _visible(scope: ApplicationScope) -> ColumnElement[bool] | None:
        """Which applications the caller may see (need-to-know, decided by clearances.access),
        as one condition; None when none."""
        if scope.everything:
            return true()
        visible = []
        if scope.as_applicant:
            visible.append(ApplicationRecord.applicant_party_id == scope.party_id)
        if scope.as_authority:
            visible.append(
                exists().where(
                    ReviewRecord.application_id == ApplicationRecord.id,
                    ReviewRecord.authority_id == scope.party_id,
                )
            )
        if scope.as_overseer:
            visible.append(exists().where(AppealRecord.application_id == ApplicationRecord.id))
            visible.append(
                exists().where(
                    ReviewRecord.application_id == ApplicationRecord.id,
                    ReviewRecord.overdue_at.is_not(None),
                )
            )
            # What it was told about: a checkpoint refusing a permit its own authority signed,
            # a suspected copy (besides the appeals and overdue reviews above).
            visible.append(
                exists().where(
                    EventRecord.party_id == scope.party_id,
                    EventRecord.subject
                    == literal("application:") + cast(ApplicationRecord.id, String),
                )
            )
        return or_(*visible) if visible else None

    @staticmethod
    def visible_condition(scope: ApplicationScope) -> ColumnElement[bool] | None:
        """The applications ``scope`` allows, as one condition on ``applications`` for other
        features' queries (the figures' cases); None when none."""
        return ClearanceRepository._visible(scope)

    def visible_applications(
        self,
        scope: ApplicationScope,
        *,
        status: str | None,
        limit: int,
        offset: int,
    ) -> Sequence[ApplicationRecord]:
        """Applications the caller may see (need-to-know, decided by clearances.access)."""
        visible = self._visible(scope)
        if visible is None:
            return []
        query: Select[ApplicationRecord] = select(ApplicationRecord).where(visible)
        if status is not None:
            query = query.where(ApplicationRecord.status == status)
        query = query.order_by(ApplicationRecord.updated_at.desc(), ApplicationRecord.id.desc())
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def visible_permits(
        self,
        scope: ApplicationScope,
        *,
        status: str | None,
        limit: int,
        offset: int,
    ) -> Sequence[PermitRecord]:
        """Permits of the applications the caller may see, newest first."""
        visible = self._visible(scope)
        if visible is None:
            return []
        query = (
            select(PermitRecord)
            .join(ApplicationRecord, ApplicationRecord.id == PermitRecord.reference)
            .where(visible)
        )
        if status is not None:
            query = query.where(PermitRecord.status == status)
        query = query.order_by(PermitRecord.issued_at.desc(), PermitRecord.id.desc())
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def decisions_of(
        self, authority_id: int, limit: int
    ) -> Sequence[tuple[DecisionRecord, ReviewRecord]]:
        """Every decision the authority took (reopened reviews keep theirs), newest first."""
        rows = self.session.execute(
            select(DecisionRecord, ReviewRecord)
            .join(ReviewRecord, ReviewRecord.id == DecisionRecord.review_id)
            .where(ReviewRecord.authority_id == authority_id)
            .order_by(DecisionRecord.decided_at.desc(), DecisionRecord.id.desc())
            .limit(limit)
        ).all()
        return [(decision, review) for decision, review in rows]

    def pending_reviews_of(self, authority_id: int) -> Sequence[ReviewRecord]:
        return self.session.scalars(
            select(ReviewRecord)
            .where(ReviewRecord.authority_id == authority_id, ReviewRecord.status == "pending")
            .order_by(ReviewRecord.deadline)
        ).all()

    def pending_queue_of(
        self, authority_id: int, limit: int
    ) -> Sequence[tuple[ReviewRecord, ApplicationRecord, ApplicationVersionRecord]]:
        """An authority's waiting reviews, soonest deadline first, each with its application
        and that application's current version, in one query."""
        rows = self.session.execute(
            select(ReviewRecord, ApplicationRecord, ApplicationVersionRecord)
            .join(ApplicationRecord, ApplicationRecord.id == ReviewRecord.application_id)
            .join(
                ApplicationVersionRecord,
                (ApplicationVersionRecord.application_id == ApplicationRecord.id)
                & (ApplicationVersionRecord.number == ApplicationRecord.current_version),
            )
            .where(ReviewRecord.authority_id == authority_id, ReviewRecord.status == "pending")
            .order_by(ReviewRecord.deadline, ReviewRecord.id)
            .limit(limit)
        ).all()
        return [(review, application, version) for review, application, version in rows]

    def active_permit_routes(
        self,
        start: datetime | None,
        end: datetime | None,
        permit_ids: Sequence[int] | None = None,
    ) -> Sequence[tuple[PermitRecord, ApplicationRecord, ApplicationVersionRecord]]:
        """Every active permit valid at some time in ``[start, end)`` (any time, for None),
        with its application and the version it was issued on (its route and corridor), for
        incidents' impact; only those of ``permit_ids`` when given."""
        query = (
            select(PermitRecord, ApplicationRecord, ApplicationVersionRecord)
            .join(ApplicationRecord, ApplicationRecord.id == PermitRecord.reference)
            .join(
                ApplicationVersionRecord,
                (ApplicationVersionRecord.application_id == PermitRecord.reference)
                & (ApplicationVersionRecord.number == PermitRecord.reference_version),
            )
            .where(PermitRecord.status == PermitStatus.ACTIVE)
            .order_by(PermitRecord.id)
        )
        if end is not None:
            query = query.where(PermitRecord.valid_from < end)
        if start is not None:
            query = query.where(PermitRecord.valid_until > start)
        if permit_ids is not None:
            query = query.where(PermitRecord.id.in_(permit_ids))
        rows = self.session.execute(query).all()
        return [(p, a, v) for p, a, v in rows]
