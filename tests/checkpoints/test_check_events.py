"""A batch of well-formed events is checked in one call; what comes out is what checking each
event on its own gives, rejections by index included."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tansiq.checkpoints.push import check_events
from tansiq.checkpoints.schemas import ScanEventIn
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tests.checkpoints.test_sync import event


def test_a_well_formed_batch_checks_as_its_events_one_by_one(clock: FixedClock) -> None:
    now = clock.now()
    events: list[Any] = [
        event(now - timedelta(minutes=5)),
        {**event(now), "scanned_at": "2020-01-01T00:00:00Z"},  # years ago: out of range
        event(now, action="refusal", reason_code="route_closed", note="  Bridge  "),
        event(now, action="override", reason_code="supervisor_order", note="Seen at the gate"),
        {**event(now), "scanned_at": (now + timedelta(hours=3)).isoformat()},  # the future
        event(now, driver_check="match", data_age_seconds=60),
    ]
    valid, rejected = check_events(events, now, Locale.EN)
    one_by_one = [ScanEventIn.model_validate(raw) for raw in events]
    assert valid == [one_by_one[i] for i in (0, 2, 3, 5)]
    assert [(r.index, r.code) for r in rejected] == [
        (1, "scan.time_out_of_range"),
        (4, "scan.time_out_of_range"),
    ]


def test_a_batch_with_a_bad_event_rejects_it_alone(clock: FixedClock) -> None:
    now = clock.now()
    events: list[Any] = [event(now), {**event(now), "version": 0}, "not an event", event(now)]
    valid, rejected = check_events(events, now, Locale.EN)
    assert [e.id for e in valid] == [events[0]["id"], events[3]["id"]]
    assert [(r.index, r.field) for r in rejected] == [(1, "version"), (2, None)]
