"""Many events written at once (``notify_parties``, as a sync writes its notices) are what the
same events written one by one are: each event once, in order, with one delivery and one job
per endpoint of its own party, delivered once each; one bad message writes none."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.db.unit_of_work import unit_of_work
from tansiq.jobs.models import JobRecord
from tansiq.notify.domain import DeliveryStatus
from tansiq.notify.models import DeliveryRecord, EventRecord
from tansiq.notify.outbox import Notification, notify_parties
from tests.notify.conftest import Receiver
from tests.notify.test_delivery import BODY, TITLE, add_webhook, deliveries, new_party


def note(party_id: int, value: str) -> Notification:
    return Notification(party_id, "test.event", TITLE, BODY, {"party": value}, "application:12")


def test_many_events_at_once_each_reach_every_endpoint_of_their_party_once(
    sessions: sessionmaker[Session], clock: FixedClock, hub: HubContext, receiver: Receiver
) -> None:
    two_hooks = new_party(sessions, clock)
    one_hook = new_party(sessions, clock)
    no_hook = new_party(sessions, clock)
    receiver.secrets.append(add_webhook(sessions, clock, two_hooks, receiver.url))
    receiver.secrets.append(add_webhook(sessions, clock, two_hooks, receiver.url + "?second"))
    receiver.secrets.append(add_webhook(sessions, clock, one_hook, receiver.url + "?third"))
    batch = [
        note(two_hooks.id, "first"),
        note(no_hook.id, "second"),
        note(one_hook.id, "third"),
        note(two_hooks.id, "fourth"),
    ]
    with unit_of_work(sessions) as session:
        events = notify_parties(session, batch, clock)
        ids = [event.id for event in events]
    assert ids == sorted(ids)  # written in the order given
    with sessions() as session:
        stored = [session.get(EventRecord, event_id) for event_id in ids]
    assert [(e.party_id, e.params["party"]) for e in stored if e] == [
        (n.party_id, n.params["party"]) for n in batch
    ]
    assert [len(deliveries(sessions, event_id)) for event_id in ids] == [2, 0, 1, 2]

    assert build_runner(hub).run_due(sessions, clock) == 5
    for event_id in ids:
        assert all(d.status == DeliveryStatus.DELIVERED for d in deliveries(sessions, event_id))
    assert all(r.signature_ok for r in receiver.requests)
    got = [(r.headers["tansiq-delivery"], json.loads(r.body)) for r in receiver.requests]
    assert len({delivery for delivery, _ in got}) == 5  # each delivery sent once
    assert sorted(str(body["params"]["party"]) for _, body in got) == [
        "first",
        "first",
        "fourth",
        "fourth",
        "third",
    ]


def test_one_bad_message_among_many_writes_none(
    sessions: sessionmaker[Session], clock: FixedClock, receiver: Receiver
) -> None:
    owner = new_party(sessions, clock)
    add_webhook(sessions, clock, owner, receiver.url)
    with sessions() as session:
        jobs_before = session.scalar(select(func.count()).select_from(JobRecord))
    bad = Notification(owner.id, "test.event", TITLE, BODY, {"bad-name": 1}, "application:12")
    with (
        pytest.raises(ValueError, match="bad notification parameter name"),
        unit_of_work(sessions) as session,
    ):
        notify_parties(session, [note(owner.id, "fine"), bad], clock)
    with sessions() as session:
        for model in (EventRecord, DeliveryRecord):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert session.scalar(select(func.count()).select_from(JobRecord)) == jobs_before
