"""Use cases of the notifications outbox. Services flush; the edge (or the job) commits.

``notify_party`` writes the event, one delivery row per endpoint of the party and one job per
delivery, all in the caller's transaction: the event and its deliveries exist together or not
at all. The jobs then deliver each row at most once per success — a delivery already marked
delivered is never sent again — and retry the others with backoff.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.i18n import DEFAULT_LOCALE, Locale
from tansiq.core.localtime import zone_named
from tansiq.core.text import normalise_text
from tansiq.jobs.service import JobHandler, RetryLater
from tansiq.notify.domain import (
    DeliveryStatus,
    EmailAddressExists,
    EmailAddressNotFound,
    EmailOff,
    EventNotFound,
    EventView,
    Message,
    Params,
    WebhookNotFound,
    check_email_address,
    check_webhook_url,
    email_message,
    webhook_body,
    webhook_headers,
)
from tansiq.notify.models import (
    DeliveryRecord,
    EmailAddressRecord,
    EventRecord,
    ReadRecord,
    WebhookRecord,
)
from tansiq.notify.outbox import EMAIL_JOB as EMAIL_JOB  # the delivery jobs' kinds, as before
from tansiq.notify.outbox import WEBHOOK_JOB as WEBHOOK_JOB
from tansiq.notify.outbox import Notification, notify_parties
from tansiq.notify.repository import NotifyRepository
from tansiq.notify.transports import (
    MailTransport,
    SmtpMailTransport,
    TransportFailed,
    UrllibWebhookTransport,
    WebhookTransport,
)
from tansiq.parties.domain import Principal
from tansiq.parties.models import PartyRecord
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import get_party
from tansiq.settings import Settings

SECRET_PREFIX = "whsec_"  # noqa: S105 - a public marker that makes leaked secrets easy to spot
MAX_ERROR = 2000
INBOX_LIMIT = 100  # messages the inbox page lists and the unread badge counts


@dataclass(frozen=True)
class NewWebhook:
    """A webhook just registered; ``secret`` is shown this once."""

    record: WebhookRecord
    secret: str


@dataclass(frozen=True)
class InboxEntry:
    event: EventRecord
    read_at: datetime | None

    def message(self) -> Message:
        return message_of(self.event)


def message_of(event: EventRecord) -> Message:
    return Message(title=event.title, body=event.body, params=event.params)


def notify_party(
    session: Session,
    *,
    party_id: int,
    kind: str,
    title: str,
    body: str,
    params: Params,
    subject: str,
    clock: Clock,
) -> EventRecord:
    """Record an event for a party and queue its delivery to every endpoint it registered
    (:func:`tansiq.notify.outbox.notify_parties` for one event).

    ``title`` and ``body`` are English message ids marked with ``N_`` by the caller, with
    ``{named}`` placeholders filled from ``params``; they are stored untranslated and rendered
    per reader. ``subject`` names what the event is about, e.g. ``"application:12"``.
    """
    [event] = notify_parties(
        session, [Notification(party_id, kind, title, body, params, subject)], clock
    )
    return event


def register_webhook(
    session: Session,
    *,
    party: PartyRecord,
    url: str,
    description: str,
    created_by: int | None,
    clock: Clock,
    allow_private: bool,
) -> NewWebhook:
    """Register a webhook for ``party`` with a new signing secret (returned once)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    record = WebhookRecord(
        party_id=party.id,
        url=check_webhook_url(url, allow_private=allow_private),
        secret=secret,
        description=normalise_text(description)[:200],
        created_by=created_by,
        created_at=clock.now(),
    )
    repo = NotifyRepository(session)
    repo.add(record)
    repo.flush()
    return NewWebhook(record=record, secret=secret)


def webhooks_of(session: Session, party: PartyRecord) -> Sequence[WebhookRecord]:
    return NotifyRepository(session).active_webhooks(party.id)


def remove_webhook(session: Session, *, party: PartyRecord, webhook_id: int, clock: Clock) -> None:
    """Stop delivering to a webhook; deliveries still queued for it are given up."""
    record = NotifyRepository(session).webhook(webhook_id)
    if record is None or record.party_id != party.id or record.deleted_at is not None:
        raise WebhookNotFound(webhook=webhook_id)
    record.deleted_at = clock.now()
    session.flush()


def register_email_address(
    session: Session,
    *,
    party: PartyRecord,
    address: str,
    created_by: int | None,
    clock: Clock,
    email_enabled: bool,
) -> EmailAddressRecord:
    """Register an address that receives ``party``'s events by e-mail."""
    if not email_enabled:
        raise EmailOff
    address = check_email_address(address)
    repo = NotifyRepository(session)
    existing = repo.email_address_of(party.id, address)
    if existing is not None:
        if existing.deleted_at is None:
            raise EmailAddressExists
        existing.deleted_at = None
        existing.created_at = clock.now()
        existing.created_by = created_by
        repo.flush()
        return existing
    record = EmailAddressRecord(
        party_id=party.id, address=address, created_by=created_by, created_at=clock.now()
    )
    try:
        with session.begin_nested():
            repo.add(record)
            repo.flush()
    except IntegrityError:
        raise EmailAddressExists from None
    return record


def email_addresses_of(session: Session, party: PartyRecord) -> Sequence[EmailAddressRecord]:
    return NotifyRepository(session).active_email_addresses(party.id)


def remove_email_address(
    session: Session, *, party: PartyRecord, address_id: int, clock: Clock
) -> None:
    record = NotifyRepository(session).email_address(address_id)
    if record is None or record.party_id != party.id or record.deleted_at is not None:
        raise EmailAddressNotFound(address=address_id)
    record.deleted_at = clock.now()
    session.flush()


def deliveries_of(session: Session, party: PartyRecord, *, limit: int) -> Sequence[DeliveryRecord]:
    return NotifyRepository(session).deliveries_of(party.id, limit=limit)


def inbox(
    session: Session, principal: Principal, *, limit: int, before_id: int | None = None
) -> list[InboxEntry]:
    """The events of the principal's own party, newest first; read marks are per user."""
    rows = NotifyRepository(session).inbox(
        principal.party_id, principal.user_id, limit=limit, before_id=before_id
    )
    return [InboxEntry(event, read_at) for event, read_at in rows]


def profile_locale(session: Session, principal: Principal) -> Locale:
    """The language the user chose for themselves (English if none)."""
    user = PartyRepository(session).user(principal.user_id)
    chosen = user.locale if user is not None else DEFAULT_LOCALE.value
    return Locale(chosen) if chosen in tuple(Locale) else DEFAULT_LOCALE


def unread_count(session: Session, principal: Principal) -> int:
    """How many of the newest ``INBOX_LIMIT`` messages the user has not read (the header's
    badge)."""
    entries = inbox(session, principal, limit=INBOX_LIMIT)
    return sum(1 for entry in entries if entry.read_at is None)


def mark_read(session: Session, principal: Principal, event_id: int, clock: Clock) -> None:
    """Mark one of the principal's party's events read for this user (again is a no-op)."""
    repo = NotifyRepository(session)
    event = repo.event(event_id)
    if event is None or event.party_id != principal.party_id:
        # Another party's event is "not found", not "forbidden": its existence is need-to-know.
        raise EventNotFound(event=event_id)
    if repo.read_mark(event_id, principal.user_id) is not None:
        return
    try:
        with session.begin_nested():
            repo.add(ReadRecord(event_id=event_id, user_id=principal.user_id, read_at=clock.now()))
            repo.flush()
    except IntegrityError:
        return  # marked read by a concurrent request of the same user


# --- delivery jobs ---------------------------------------------------------------------------


def deliver_webhook(
    session: Session,
    payload: dict[str, Any],
    clock: Clock,
    *,
    transport: WebhookTransport,
    timeout_s: float,
    max_attempts: int,
    zone: tzinfo = UTC,
) -> None:
    """Job handler: one attempt to deliver a webhook; a failed one raises RetryLater."""
    repo = NotifyRepository(session)
    found = _pending(repo, payload)
    if found is None:
        return
    delivery, event = found
    webhook = repo.webhook(delivery.target_id)
    if webhook is None or webhook.deleted_at is not None or webhook.party_id != event.party_id:
        _give_up(delivery, "the webhook was removed")
        return
    body = webhook_body(_view(session, event), delivery.delivery_id, zone)
    now = clock.now()
    headers = webhook_headers(
        webhook.secret, int(now.timestamp()), body, delivery.delivery_id, event.kind
    )
    try:
        status = transport.post(webhook.url, body, headers, timeout_s)
    except TransportFailed as failure:
        _attempt_failed(delivery, now, str(failure), max_attempts)
        return
    if 200 <= status < 300:
        _delivered(delivery, now)
        return
    _attempt_failed(delivery, now, f"HTTP {status}", max_attempts)


def deliver_email(
    session: Session,
    payload: dict[str, Any],
    clock: Clock,
    *,
    transport: MailTransport | None,
    sender: str,
    max_attempts: int,
    zone: tzinfo = UTC,
) -> None:
    """Job handler: one attempt to send an event by e-mail; a failed one raises RetryLater."""
    repo = NotifyRepository(session)
    found = _pending(repo, payload)
    if found is None:
        return
    delivery, event = found
    address = repo.email_address(delivery.target_id)
    if address is None or address.deleted_at is not None or address.party_id != event.party_id:
        _give_up(delivery, "the e-mail address was removed")
        return
    if transport is None:
        _give_up(delivery, "e-mail is off on this hub (TANSIQ_SMTP_HOST is not set)")
        return
    party = get_party(session, event.party_id)
    now = clock.now()
    message = email_message(
        _view(session, event),
        sender=sender,
        recipient=address.address,
        delivery_id=delivery.delivery_id,
        party_name=f"{party.name_ar} / {party.name_en}",
        now=now,
        zone=zone,
    )
    try:
        transport.send(message)
    except TransportFailed as failure:
        _attempt_failed(delivery, now, str(failure), max_attempts)
        return
    _delivered(delivery, now)


def job_handlers(
    settings: Settings,
    *,
    webhooks: WebhookTransport | None = None,
    mail: MailTransport | None = None,
) -> dict[str, JobHandler]:
    """The delivery job handlers, with transports from ``settings`` unless handed in."""
    if mail is None and settings.smtp_host:
        mail = SmtpMailTransport(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=(
                None
                if settings.smtp_password is None
                else settings.smtp_password.get_secret_value()
            ),
            starttls=settings.smtp_starttls,
            timeout_s=settings.delivery_timeout_s,
        )
    return {
        WEBHOOK_JOB: partial(
            deliver_webhook,
            transport=webhooks
            or UrllibWebhookTransport(allow_private=settings.webhook_allow_private),
            timeout_s=settings.delivery_timeout_s,
            max_attempts=settings.job_max_attempts,
            zone=zone_named(settings.time_zone),
        ),
        EMAIL_JOB: partial(
            deliver_email,
            transport=mail,
            sender=settings.smtp_from,
            max_attempts=settings.job_max_attempts,
            zone=zone_named(settings.time_zone),
        ),
    }


def _pending(
    repo: NotifyRepository, payload: dict[str, Any]
) -> tuple[DeliveryRecord, EventRecord] | None:
    """The delivery named by a job, unless it is already delivered or given up."""
    delivery = repo.delivery(int(payload["delivery"]))
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None
    event = repo.event(delivery.event_id)
    if event is None:  # pragma: no cover - a foreign key guarantees it
        return None
    return delivery, event


def _view(session: Session, event: EventRecord) -> EventView:
    party = PartyRepository(session).party(event.party_id)
    return EventView(
        event_id=event.id,
        kind=event.kind,
        subject=event.subject,
        party_code="" if party is None else party.code,
        created_at=event.created_at,
        message=message_of(event),
    )


def _delivered(delivery: DeliveryRecord, now: datetime) -> None:
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.delivered_at = now
    delivery.status = DeliveryStatus.DELIVERED


def _give_up(delivery: DeliveryRecord, reason: str) -> None:
    delivery.status = DeliveryStatus.FAILED
    delivery.last_error = reason


def _attempt_failed(delivery: DeliveryRecord, now: datetime, error: str, max_attempts: int) -> None:
    """Record a failed attempt on the delivery row; retry through the job unless it was the last."""
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_error = error[:MAX_ERROR]
    if delivery.attempts >= max_attempts:
        delivery.status = DeliveryStatus.FAILED
        return
    raise RetryLater(error)
