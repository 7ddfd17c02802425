"""Writing to the notifications outbox: events, one delivery row per endpoint of the party, and
one job per delivery, all in the caller's transaction (the event and its deliveries exist
together or not at all). Services flush; the edge (or the job) commits.

Many events at once (a sync that raised several contradictions and suspected clones) cost a
fixed number of statements, not a few per event: one look for the endpoints of every party
named, one insert of every event, and (only when some party registered an endpoint) one insert
of the deliveries and their jobs.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.text import normalise_text
from tansiq.jobs.service import enqueue
from tansiq.notify.domain import Channel, DeliveryStatus, Message, Params, clean_params
from tansiq.notify.models import DeliveryRecord, EventRecord
from tansiq.notify.repository import NotifyRepository

WEBHOOK_JOB = "notify.webhook"
EMAIL_JOB = "notify.email"
JOB_BY_CHANNEL = {Channel.WEBHOOK: WEBHOOK_JOB, Channel.EMAIL: EMAIL_JOB}


@dataclass(frozen=True)
class Notification:
    """One event for one party: ``title`` and ``body`` are English message ids marked with
    ``N_`` by the caller, with ``{named}`` placeholders filled from ``params``; ``subject``
    names what the event is about, e.g. ``"application:12"``."""

    party_id: int
    kind: str
    title: str
    body: str
    params: Params
    subject: str


def notify_parties(
    session: Session, notifications: Sequence[Notification], clock: Clock
) -> list[EventRecord]:
    """Record each event, in order, and queue its delivery to every endpoint its party
    registered; the events, flushed (each with its id). Every message is checked before
    anything is written: one bad message writes none."""
    messages = [
        Message(title=n.title, body=n.body, params=clean_params(n.params)) for n in notifications
    ]
    for message in messages:
        message.check()
    if not notifications:
        return []
    now = clock.now()
    repo = NotifyRepository(session)
    events = [
        EventRecord(
            party_id=n.party_id,
            kind=normalise_text(n.kind)[:100],
            subject=normalise_text(n.subject)[:200],
            title=n.title,
            body=n.body,
            params=dict(message.params),
            created_at=now,
        )
        for n, message in zip(notifications, messages, strict=True)
    ]
    parties = {n.party_id for n in notifications}
    targets: dict[int, list[tuple[Channel, int]]] = defaultdict(list)
    for hook in repo.active_webhooks_of(parties):
        targets[hook.party_id].append((Channel.WEBHOOK, hook.id))
    for mail in repo.active_email_addresses_of(parties):
        targets[mail.party_id].append((Channel.EMAIL, mail.id))
    repo.add_all(events)
    repo.flush()
    deliveries = [
        DeliveryRecord(
            delivery_id=str(uuid.uuid4()),
            event_id=event.id,
            channel=channel,
            target_id=target_id,
            status=DeliveryStatus.PENDING,
            attempts=0,
            created_at=now,
        )
        for event in events
        for channel, target_id in targets[event.party_id]
    ]
    if deliveries:
        repo.add_all(deliveries)
        repo.flush()
    for delivery in deliveries:
        enqueue(
            session,
            kind=JOB_BY_CHANNEL[delivery.channel],
            payload={"delivery": delivery.id},
            run_at=now,
            dedupe_key=f"notify.delivery:{delivery.id}",
            clock=clock,
        )
    return events
