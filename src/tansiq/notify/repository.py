"""Every query about notification events, endpoints, deliveries and read marks."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import and_, select

from tansiq.db.repository import Repository
from tansiq.notify.models import (
    DeliveryRecord,
    EmailAddressRecord,
    EventRecord,
    ReadRecord,
    WebhookRecord,
)

Record = EventRecord | WebhookRecord | EmailAddressRecord | DeliveryRecord | ReadRecord


class NotifyRepository(Repository[Record]):
    def event(self, event_id: int) -> EventRecord | None:
        return self.session.get(EventRecord, event_id)

    def webhook(self, webhook_id: int) -> WebhookRecord | None:
        return self.session.get(WebhookRecord, webhook_id)

    def email_address(self, address_id: int) -> EmailAddressRecord | None:
        return self.session.get(EmailAddressRecord, address_id)

    def delivery(self, delivery_id: int) -> DeliveryRecord | None:
        return self.session.get(DeliveryRecord, delivery_id)

    def active_webhooks(self, party_id: int) -> Sequence[WebhookRecord]:
        return self.active_webhooks_of([party_id])

    def active_webhooks_of(self, party_ids: Collection[int]) -> Sequence[WebhookRecord]:
        """The active webhooks of many parties, in one query (by id)."""
        if not party_ids:
            return []
        return self.session.scalars(
            select(WebhookRecord)
            .where(WebhookRecord.party_id.in_(party_ids), WebhookRecord.deleted_at.is_(None))
            .order_by(WebhookRecord.id)
        ).all()

    def active_email_addresses_of(self, party_ids: Collection[int]) -> Sequence[EmailAddressRecord]:
        """The active e-mail addresses of many parties, in one query (by id)."""
        if not party_ids:
            return []
        return self.session.scalars(
            select(EmailAddressRecord)
            .where(
                EmailAddressRecord.party_id.in_(party_ids), EmailAddressRecord.deleted_at.is_(None)
            )
            .order_by(EmailAddressRecord.id)
        ).all()

    def email_addresses(self, party_id: int) -> Sequence[EmailAddressRecord]:
        """Every address ever registered for the party, removed ones included."""
        return self.session.scalars(
            select(EmailAddressRecord)
            .where(EmailAddressRecord.party_id == party_id)
            .order_by(EmailAddressRecord.id)
        ).all()

    def active_email_addresses(self, party_id: int) -> Sequence[EmailAddressRecord]:
        return self.active_email_addresses_of([party_id])

    def email_address_of(self, party_id: int, address: str) -> EmailAddressRecord | None:
        return self.session.scalars(
            select(EmailAddressRecord).where(
                EmailAddressRecord.party_id == party_id, EmailAddressRecord.address == address
            )
        ).first()

    def inbox(
        self, party_id: int, user_id: int, *, limit: int, before_id: int | None
    ) -> Sequence[tuple[EventRecord, datetime | None]]:
        """The party's events, newest first, with when ``user_id`` read each (or None)."""
        query = (
            select(EventRecord, ReadRecord.read_at)
            .outerjoin(
                ReadRecord,
                and_(ReadRecord.event_id == EventRecord.id, ReadRecord.user_id == user_id),
            )
            .where(EventRecord.party_id == party_id)
            .order_by(EventRecord.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            query = query.where(EventRecord.id < before_id)
        return [(event, read_at) for event, read_at in self.session.execute(query).all()]

    def read_mark(self, event_id: int, user_id: int) -> ReadRecord | None:
        return self.session.get(ReadRecord, (event_id, user_id))

    def deliveries_of(self, party_id: int, *, limit: int) -> Sequence[DeliveryRecord]:
        return self.session.scalars(
            select(DeliveryRecord)
            .join(EventRecord, EventRecord.id == DeliveryRecord.event_id)
            .where(EventRecord.party_id == party_id)
            .order_by(DeliveryRecord.id.desc())
            .limit(limit)
        ).all()

    def deliveries_for_event(self, event_id: int) -> Sequence[DeliveryRecord]:
        return self.session.scalars(
            select(DeliveryRecord)
            .where(DeliveryRecord.event_id == event_id)
            .order_by(DeliveryRecord.id)
        ).all()
