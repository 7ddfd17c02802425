"""The outbox end to end: events written with their deliveries, sent by the job runner to a
real HTTP receiver and a real SMTP server, retried while they are down, never sent twice."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import N_
from tansiq.db.unit_of_work import unit_of_work
from tansiq.jobs.models import JobRecord
from tansiq.jobs.service import JobRunner
from tansiq.notify import service
from tansiq.notify.domain import DeliveryStatus
from tansiq.notify.models import DeliveryRecord, EventRecord
from tansiq.notify.repository import NotifyRepository
from tansiq.notify.transports import TransportFailed, UrllibWebhookTransport
from tansiq.parties.domain import PartyKind
from tansiq.parties.models import PartyRecord
from tansiq.settings import Settings
from tests.factories import party
from tests.notify.conftest import Receiver, SmtpServer

TITLE = N_('No party "{party}".')
BODY = N_("A party code is 2 to 40 lowercase letters, digits, '-' or '_'.")
HOSTILE = "قافلة <script>alert(1)</script>'; DROP TABLE parties; --\r\nBcc: evil@example.org"


def new_party(sessions: sessionmaker[Session], clock: FixedClock) -> PartyRecord:
    with unit_of_work(sessions) as session:
        # Not an authority: an authority's creation also queues its signing key's job.
        return party(session, clock, PartyKind.ORGANISATION)


def add_webhook(
    sessions: sessionmaker[Session], clock: FixedClock, owner: PartyRecord, url: str
) -> str:
    with unit_of_work(sessions) as session:
        created = service.register_webhook(
            session,
            party=owner,
            url=url,
            description="ops",
            created_by=None,
            clock=clock,
            allow_private=True,
        )
        return created.secret


def notify(
    sessions: sessionmaker[Session], clock: FixedClock, owner: PartyRecord, value: str = HOSTILE
) -> int:
    with unit_of_work(sessions) as session:
        event = service.notify_party(
            session,
            party_id=owner.id,
            kind="test.event",
            title=TITLE,
            body=BODY,
            params={"party": value, "count": 3},
            subject="application:12",
            clock=clock,
        )
        return event.id


def deliveries(sessions: sessionmaker[Session], event_id: int) -> list[DeliveryRecord]:
    with sessions() as session:
        return list(NotifyRepository(session).deliveries_for_event(event_id))


def test_a_webhook_down_at_first_gets_the_event_exactly_once_signed(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext, receiver: Receiver
) -> None:
    owner = new_party(sessions, clock)
    receiver.secrets.append(add_webhook(sessions, clock, owner, receiver.url))
    receiver.statuses = [503]
    event_id = notify(sessions, clock, owner)
    runner = build_runner(hub)

    assert runner.run_due(sessions, clock) == 1
    [pending] = deliveries(sessions, event_id)
    assert pending.status == DeliveryStatus.PENDING
    assert pending.attempts == 1
    assert pending.last_error == "HTTP 503"
    assert runner.run_due(sessions, clock) == 0, "not again before the backoff"

    clock.advance(timedelta(seconds=30))
    assert runner.run_due(sessions, clock) == 1
    [delivered] = deliveries(sessions, event_id)
    assert delivered.status == DeliveryStatus.DELIVERED
    assert delivered.attempts == 2
    assert delivered.delivered_at == clock.now()

    clock.advance(timedelta(days=1))
    assert runner.run_due(sessions, clock) == 0
    assert len(receiver.requests) == 2
    assert all(r.signature_ok for r in receiver.requests)
    assert {r.headers["tansiq-delivery"] for r in receiver.requests} == {delivered.delivery_id}
    assert receiver.requests[0].body == receiver.requests[1].body
    assert list(receiver.accepted) == [delivered.delivery_id]

    document = json.loads(receiver.requests[1].body)
    assert document["event_id"] == event_id
    assert document["kind"] == "test.event"
    assert document["subject"] == "application:12"
    assert document["party"] == owner.code
    assert document["params"] == {"party": HOSTILE, "count": 3}
    assert document["title"]["en"] == f'No party "{HOSTILE}".'
    assert document["title"]["ar"].startswith("لا توجد جهة")
    assert set(document["body"]) == {"ar", "en"}
    assert receiver.requests[1].headers["tansiq-event"] == "test.event"


def test_a_receiver_that_refuses_connections_gets_retries_and_loses_nothing(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext, down_receiver: Receiver
) -> None:
    owner = new_party(sessions, clock)
    down_receiver.secrets.append(add_webhook(sessions, clock, owner, down_receiver.url))
    event_id = notify(sessions, clock, owner, "first")
    runner = build_runner(hub)

    for wait in (0, 30, 60):
        clock.advance(timedelta(seconds=wait))
        assert runner.run_due(sessions, clock) == 1
    [pending] = deliveries(sessions, event_id)
    assert pending.status == DeliveryStatus.PENDING
    assert pending.attempts == 3
    assert pending.last_error is not None
    assert pending.last_error.startswith("URLError: ")
    assert "Connection refused" in pending.last_error

    down_receiver.start()
    clock.advance(timedelta(seconds=120))
    assert runner.run_due(sessions, clock) == 1
    assert deliveries(sessions, event_id)[0].status == DeliveryStatus.DELIVERED
    assert len(down_receiver.requests) == 1
    assert down_receiver.requests[0].signature_ok


def test_a_delivery_is_given_up_after_the_last_attempt_but_the_inbox_keeps_the_event(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext, receiver: Receiver
) -> None:
    owner = new_party(sessions, clock)
    receiver.secrets.append(add_webhook(sessions, clock, owner, receiver.url))
    receiver.statuses = [500, 500, 500, 500, 500]
    event_id = notify(sessions, clock, owner)
    runner = build_runner(hub)  # job_max_attempts=4 in these tests
    for _ in range(6):
        runner.run_due(sessions, clock)
        clock.advance(timedelta(hours=1))
    [failed] = deliveries(sessions, event_id)
    assert failed.status == DeliveryStatus.FAILED
    assert failed.attempts == 4
    assert len(receiver.requests) == 4
    with sessions() as session:
        assert NotifyRepository(session).event(event_id) is not None


def test_every_endpoint_gets_one_delivery_and_a_repeated_job_sends_nothing_more(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext, receiver: Receiver
) -> None:
    owner = new_party(sessions, clock)
    receiver.secrets.append(add_webhook(sessions, clock, owner, receiver.url))
    receiver.secrets.append(add_webhook(sessions, clock, owner, receiver.url + "?second"))
    event_id = notify(sessions, clock, owner)
    runner = build_runner(hub)
    assert runner.run_due(sessions, clock) == 2
    delivered = deliveries(sessions, event_id)
    assert [d.status for d in delivered] == [DeliveryStatus.DELIVERED] * 2
    assert len({d.delivery_id for d in delivered}) == 2

    # A job that runs again for a delivered row (e.g. re-enqueued by hand) sends nothing.
    handlers = service.job_handlers(hub.settings)
    with unit_of_work(sessions) as session:
        handlers[service.WEBHOOK_JOB](session, {"delivery": delivered[0].id}, clock)
    assert len(receiver.requests) == 2


def test_the_event_and_its_deliveries_are_written_together_or_not_at_all(
    sessions: sessionmaker[Session], clock: FixedClock, receiver: Receiver
) -> None:
    owner = new_party(sessions, clock)
    add_webhook(sessions, clock, owner, receiver.url)

    def crash_after_notifying() -> None:
        with unit_of_work(sessions) as session:
            service.notify_party(
                session,
                party_id=owner.id,
                kind="k",
                title=TITLE,
                body=BODY,
                params={"party": "x"},
                subject="s:1",
                clock=clock,
            )
            raise RuntimeError("the caller's transaction fails")

    with sessions() as session:
        jobs_before = session.scalar(select(func.count()).select_from(JobRecord))
    with pytest.raises(RuntimeError):
        crash_after_notifying()
    with sessions() as session:
        for model in (EventRecord, DeliveryRecord):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert session.scalar(select(func.count()).select_from(JobRecord)) == jobs_before


def test_a_removed_webhook_receives_nothing_more(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext, receiver: Receiver
) -> None:
    owner = new_party(sessions, clock)
    add_webhook(sessions, clock, owner, receiver.url)
    event_id = notify(sessions, clock, owner)
    with unit_of_work(sessions) as session:
        [hook] = service.webhooks_of(session, owner)
        service.remove_webhook(session, party=owner, webhook_id=hook.id, clock=clock)
    build_runner(hub).run_due(sessions, clock)
    [given_up] = deliveries(sessions, event_id)
    assert given_up.status == DeliveryStatus.FAILED
    assert given_up.last_error == "the webhook was removed"
    assert receiver.requests == []
    assert deliveries(sessions, notify(sessions, clock, owner)) == []


@pytest.mark.parametrize(
    ("title", "params"),
    [('No party "{party}".', {}), ("x", {"bad-name": 1}), ("x", {"flag": True})],
)
def test_bad_notification_texts_are_refused_when_written(
    session: Session, clock: FixedClock, title: str, params: dict[str, Any]
) -> None:
    owner = party(session, clock)
    with pytest.raises(ValueError, match="notification"):
        service.notify_party(
            session,
            party_id=owner.id,
            kind="k",
            title=title,
            body="b",
            params=params,
            subject="s",
            clock=clock,
        )


def test_the_default_transport_refuses_private_addresses_unless_allowed(
    receiver: Receiver,
) -> None:
    headers = {"Content-Type": "application/json"}
    with pytest.raises(TransportFailed, match="private address"):
        UrllibWebhookTransport().post(receiver.url, b"{}", headers, 2.0)
    with pytest.raises(TransportFailed, match="resolve"):
        UrllibWebhookTransport().post("http://no-such-host.invalid/", b"{}", headers, 2.0)
    assert UrllibWebhookTransport(allow_private=True).post(receiver.url, b"{}", headers, 2.0) == 401


def email_runner(hub: HubContext, port: int) -> JobRunner:
    settings = hub.settings.model_copy(update={"smtp_port": port})
    return JobRunner(service.job_handlers(settings))


def add_address(sessions: sessionmaker[Session], clock: FixedClock, owner: PartyRecord) -> None:
    with unit_of_work(sessions) as session:
        service.register_email_address(
            session,
            party=owner,
            address="Duty@Example.ORG",
            created_by=None,
            clock=clock,
            email_enabled=True,
        )


def test_an_email_in_arabic_and_english_reaches_a_real_smtp_server(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext, smtp: SmtpServer
) -> None:
    owner = new_party(sessions, clock)
    add_address(sessions, clock, owner)
    event_id = notify(sessions, clock, owner)
    assert email_runner(hub, smtp.port).run_due(sessions, clock) == 1

    [message] = smtp.mailbox.messages
    assert smtp.mailbox.recipients == [["Duty@example.org"]]
    assert message["From"] == "hub@tansiq.example"
    assert message["Bcc"] is None, "no header injection through the parameters"
    assert "لا توجد جهة" in message["Subject"]
    assert "No party" in message["Subject"]
    [delivery] = deliveries(sessions, event_id)
    assert message["Tansiq-Delivery"] == delivery.delivery_id
    assert delivery.status == DeliveryStatus.DELIVERED
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None
    assert rich is not None
    text = plain.get_content()
    assert "لا توجد جهة" in text
    assert "A party code is 2 to 40" in text
    assert "<script>" in text
    page = rich.get_content()
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert 'dir="rtl"' in page


def test_email_is_retried_while_the_smtp_server_is_down(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext
) -> None:
    owner = new_party(sessions, clock)
    add_address(sessions, clock, owner)
    event_id = notify(sessions, clock, owner)
    closed_port = 1  # nothing listens there: connection refused
    assert email_runner(hub, closed_port).run_due(sessions, clock) == 1
    [pending] = deliveries(sessions, event_id)
    assert pending.status == DeliveryStatus.PENDING
    assert pending.last_error is not None


def test_email_off_gives_the_delivery_up_with_a_clear_reason(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext
) -> None:
    owner = new_party(sessions, clock)
    add_address(sessions, clock, owner)
    event_id = notify(sessions, clock, owner)
    off = Settings(database_url="sqlite://", smtp_host=None)
    JobRunner(service.job_handlers(off)).run_due(sessions, clock)
    [given_up] = deliveries(sessions, event_id)
    assert given_up.status == DeliveryStatus.FAILED
    assert given_up.last_error is not None
    assert "TANSIQ_SMTP_HOST" in given_up.last_error
