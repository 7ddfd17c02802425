"""Every query about liaison threads: threads, their members, messages and receipts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from tansiq.db.repository import Repository
from tansiq.deconfliction.models import (
    ThreadMemberRecord,
    ThreadMessageRecord,
    ThreadReceiptRecord,
    ThreadRecord,
)

Record = ThreadRecord | ThreadMemberRecord | ThreadMessageRecord | ThreadReceiptRecord


class ThreadRepository(Repository[Record]):
    def thread(self, thread_id: int) -> ThreadRecord | None:
        return self.session.get(ThreadRecord, thread_id)

    def lock_thread(self, thread_id: int) -> ThreadRecord | None:
        return self.session.scalars(
            select(ThreadRecord).where(ThreadRecord.id == thread_id).with_for_update()
        ).first()

    def member_ids(self, thread_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(ThreadMemberRecord.party_id)
                .where(ThreadMemberRecord.thread_id == thread_id)
                .order_by(ThreadMemberRecord.id)
            ).all()
        )

    def members_of(self, thread_ids: Sequence[int]) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {t: [] for t in thread_ids}
        if not thread_ids:
            return found
        rows = self.session.execute(
            select(ThreadMemberRecord.thread_id, ThreadMemberRecord.party_id)
            .where(ThreadMemberRecord.thread_id.in_(thread_ids))
            .order_by(ThreadMemberRecord.id)
        ).all()
        for thread_id, party_id in rows:
            found[thread_id].append(party_id)
        return found

    def threads(
        self, party_id: int | None, notification_id: int | None, limit: int, offset: int
    ) -> Sequence[ThreadRecord]:
        """Threads the party is a member of (``party_id`` None: every one), latest first."""
        query = select(ThreadRecord)
        if party_id is not None:
            query = query.where(
                ThreadRecord.id.in_(
                    select(ThreadMemberRecord.thread_id).where(
                        ThreadMemberRecord.party_id == party_id
                    )
                )
            )
        if notification_id is not None:
            query = query.where(ThreadRecord.notification_id == notification_id)
        query = query.order_by(ThreadRecord.last_message_at.desc(), ThreadRecord.id.desc())
        return self.session.scalars(query.limit(limit).offset(offset)).all()

    def messages(self, thread_id: int) -> Sequence[ThreadMessageRecord]:
        return self.session.scalars(
            select(ThreadMessageRecord)
            .where(ThreadMessageRecord.thread_id == thread_id)
            .order_by(ThreadMessageRecord.id)
        ).all()

    def receipts(self, thread_id: int) -> Sequence[ThreadReceiptRecord]:
        return self.session.scalars(
            select(ThreadReceiptRecord)
            .where(ThreadReceiptRecord.thread_id == thread_id)
            .order_by(ThreadReceiptRecord.message_id, ThreadReceiptRecord.party_id)
        ).all()

    def unread(self, thread_id: int, party_id: int) -> Sequence[ThreadReceiptRecord]:
        return self.session.scalars(
            select(ThreadReceiptRecord).where(
                ThreadReceiptRecord.thread_id == thread_id,
                ThreadReceiptRecord.party_id == party_id,
                ThreadReceiptRecord.read_at.is_(None),
            )
        ).all()

    def unread_counts(self, thread_ids: Sequence[int], party_id: int) -> dict[int, int]:
        if not thread_ids:
            return {}
        rows = self.session.execute(
            select(ThreadReceiptRecord.thread_id, func.count())
            .where(
                ThreadReceiptRecord.thread_id.in_(thread_ids),
                ThreadReceiptRecord.party_id == party_id,
                ThreadReceiptRecord.read_at.is_(None),
            )
            .group_by(ThreadReceiptRecord.thread_id)
        ).all()
        return {thread_id: int(count) for thread_id, count in rows}

    def counts(self) -> tuple[int, int]:
        """How many threads and messages there are: what everyone may know."""
        threads = self.session.scalar(select(func.count()).select_from(ThreadRecord)) or 0
        messages = self.session.scalar(select(func.count()).select_from(ThreadMessageRecord)) or 0
        return int(threads), int(messages)
