"""API shapes of the inbox and of the parties' webhooks and e-mail addresses."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from pydantic import BaseModel, Field

from tansiq.core.i18n import Locale
from tansiq.notify.domain import Channel, DeliveryStatus
from tansiq.notify.models import DeliveryRecord, EmailAddressRecord, WebhookRecord
from tansiq.notify.service import InboxEntry


class WebhookIn(BaseModel):
    url: str = Field(min_length=1, max_length=2000, examples=["https://example.org/tansiq"])
    description: str = Field(default="", max_length=200)


class WebhookOut(BaseModel):
    id: int
    url: str
    description: str
    created_at: datetime

    @classmethod
    def of(cls, record: WebhookRecord) -> WebhookOut:
        return cls(
            id=record.id,
            url=record.url,
            description=record.description,
            created_at=record.created_at,
        )


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        description="Signs every delivery (Tansiq-Signature); shown only in this response."
    )


class EmailAddressIn(BaseModel):
    address: str = Field(min_length=3, max_length=254, examples=["duty@example.org"])


class EmailAddressOut(BaseModel):
    id: int
    address: str
    created_at: datetime

    @classmethod
    def of(cls, record: EmailAddressRecord) -> EmailAddressOut:
        return cls(id=record.id, address=record.address, created_at=record.created_at)


class DeliveryOut(BaseModel):
    id: str
    event_id: int
    channel: Channel
    target_id: int
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, record: DeliveryRecord) -> DeliveryOut:
        return cls(
            id=record.delivery_id,
            event_id=record.event_id,
            channel=record.channel,
            target_id=record.target_id,
            status=record.status,
            attempts=record.attempts,
            last_error=record.last_error,
            created_at=record.created_at,
            last_attempt_at=record.last_attempt_at,
            delivered_at=record.delivered_at,
        )


class InboxItemOut(BaseModel):
    id: int
    kind: str
    subject: str
    title: str
    body: str
    params: dict[str, str | int | float]
    created_at: datetime
    read: bool
    read_at: datetime | None

    @classmethod
    def of(cls, entry: InboxEntry, locale: Locale, zone: tzinfo = UTC) -> InboxItemOut:
        title, body = entry.message().render(locale, zone)
        return cls(
            id=entry.event.id,
            kind=entry.event.kind,
            subject=entry.event.subject,
            title=title,
            body=body,
            params=entry.event.params,
            created_at=entry.event.created_at,
            read=entry.read_at is not None,
            read_at=entry.read_at,
        )
