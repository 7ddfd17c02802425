"""Notification events, the parties' endpoints, one delivery row per endpoint, read marks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base
from tansiq.db.types import StrEnumType
from tansiq.notify.domain import Channel, DeliveryStatus


class EventRecord(Base):
    """Something that concerns a party; its inbox shows it, its endpoints receive it.

    ``title`` and ``body`` are English message ids, stored untranslated with ``params`` and
    rendered for each reader.
    """

    __tablename__ = "notify_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]


class WebhookRecord(Base):
    """A party's webhook. The secret signs every delivery, so the hub must keep it readable;
    it is shown to the party once, when the webhook is created."""

    __tablename__ = "notify_webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    # Removed endpoints are kept, so their delivery history still names them and no id is
    # ever reused for another party's endpoint.
    deleted_at: Mapped[datetime | None]


class EmailAddressRecord(Base):
    __tablename__ = "notify_email_addresses"
    __table_args__ = (UniqueConstraint("party_id", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class DeliveryRecord(Base):
    """One event to one endpoint: written with the event (outbox), sent by a job, never twice.

    ``target_id`` is the id of the webhook or e-mail address, by ``channel``; ``delivery_id``
    is the stable id every attempt carries (``Tansiq-Delivery``) so receivers can dedupe.
    """

    __tablename__ = "notify_deliveries"
    __table_args__ = (UniqueConstraint("event_id", "channel", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("notify_events.id"))
    channel: Mapped[Channel] = mapped_column(StrEnumType(Channel, 10))
    target_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[DeliveryStatus] = mapped_column(StrEnumType(DeliveryStatus, 10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]


class ReadRecord(Base):
    """A user has read an event in the inbox."""

    __tablename__ = "notify_reads"

    event_id: Mapped[int] = mapped_column(ForeignKey("notify_events.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    read_at: Mapped[datetime]
