"""Windows, repetitions in the deployment's zone, acknowledgement clocks, re-confirmation."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tansiq.core.clock import NaiveTime
from tansiq.deconfliction.domain import (
    BadReconfirmationPeriod,
    BadWeekday,
    OccurrencesOverlap,
    RepetitionEndsEarly,
    RepetitionNoDays,
    RepetitionTooLong,
    WindowInPast,
    WindowReversed,
)
from tansiq.deconfliction.schedule import (
    Frequency,
    Reconfirmation,
    Repetition,
    Window,
    acknowledgement_clock,
    occurrences,
    planned_window,
    span,
)

T0 = datetime(2026, 3, 20, 6, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)
BERLIN = ZoneInfo("Europe/Berlin")  # changes to summer time on Sunday 29 March 2026
DAMASCUS = ZoneInfo("Asia/Damascus")


def test_a_window_is_utc_ordered_and_never_empty() -> None:
    plus_three = datetime(2026, 3, 20, 9, tzinfo=DAMASCUS)
    window = Window(plus_three, plus_three + H)
    assert window.start == T0
    assert window.start.tzinfo is UTC
    assert window.duration == H
    with pytest.raises(WindowReversed):
        Window(T0, T0)
    with pytest.raises(WindowReversed):
        Window(T0 + H, T0)
    with pytest.raises(NaiveTime):
        Window(datetime(2026, 3, 20, 6), T0 + H)  # noqa: DTZ001 - the naive time under test


@pytest.mark.parametrize(
    ("other", "shared"),
    [
        (Window(T0 + H, T0 + 3 * H), Window(T0 + H, T0 + 2 * H)),
        (Window(T0 - H, T0 + 3 * H), Window(T0, T0 + 2 * H)),
        (Window(T0 + 2 * H, T0 + 3 * H), None),  # back to back: no overlap
        (Window(T0 - H, T0), None),
    ],
)
def test_overlap_is_half_open(other: Window, shared: Window | None) -> None:
    window = Window(T0, T0 + 2 * H)
    assert window.overlap(other) == shared
    assert other.overlap(window) == shared
    assert window.overlaps(other) is (shared is not None)


def test_a_window_that_has_ended_is_refused_one_under_way_is_not() -> None:
    assert planned_window(T0, T0 + H, now=T0 + 30 * M) == Window(T0, T0 + H)
    with pytest.raises(WindowInPast):
        planned_window(T0, T0 + H, now=T0 + H)
    with pytest.raises(WindowReversed):
        planned_window(T0 + H, T0, now=T0 - H)


def test_no_repetition_is_the_window_alone() -> None:
    window = Window(T0, T0 + H)
    assert occurrences(window, None, BERLIN) == (window,)
    assert span([window, window.shifted(H)]) == Window(T0, T0 + 2 * H)


def test_daily_repetition_keeps_local_time_across_daylight_saving() -> None:
    # 07:00 Berlin winter time is 06:00 UTC; after 29 March it is 05:00 UTC.
    window = Window(T0, T0 + 2 * H)
    found = occurrences(window, Repetition(Frequency.DAILY, date(2026, 3, 31)), BERLIN)
    assert len(found) == 12
    assert [w.start.astimezone(BERLIN).hour for w in found] == [7] * 12
    assert found[8].start == datetime(2026, 3, 28, 6, tzinfo=UTC)
    assert found[9].start == datetime(2026, 3, 29, 5, tzinfo=UTC)
    assert all(w.duration == 2 * H for w in found)


def test_weekly_repetition_on_given_days_after_the_first() -> None:
    # 20 March 2026 is a Friday; repeat on Mondays (0) and Wednesdays (2).
    window = Window(T0, T0 + H)
    found = occurrences(
        window, Repetition(Frequency.WEEKLY, date(2026, 4, 1), frozenset({0, 2})), DAMASCUS
    )
    days = [w.start.astimezone(DAMASCUS).date() for w in found]
    assert days == [date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 25), date(2026, 3, 30),
                    date(2026, 4, 1)]  # fmt: skip


@pytest.mark.parametrize(
    ("repetition", "duration", "error"),
    [
        (Repetition(Frequency.DAILY, date(2026, 4, 18)), H, None),  # 30 days inclusive
        (Repetition(Frequency.DAILY, date(2026, 4, 19)), H, RepetitionTooLong),
        (Repetition(Frequency.DAILY, date(2026, 3, 19)), H, RepetitionEndsEarly),
        (Repetition(Frequency.DAILY, date(2026, 3, 25)), 25 * H, OccurrencesOverlap),
        (Repetition(Frequency.DAILY, date(2026, 3, 25)), 24 * H, None),  # back to back
    ],
)
def test_repetition_limits(
    repetition: Repetition, duration: timedelta, error: type[Exception] | None
) -> None:
    window = Window(T0, T0 + duration)
    if error is None:
        assert occurrences(window, repetition, DAMASCUS)[0] == window
    else:
        with pytest.raises(error):
            occurrences(window, repetition, DAMASCUS)


def test_a_weekly_repetition_names_real_days() -> None:
    with pytest.raises(RepetitionNoDays):
        Repetition(Frequency.WEEKLY, date(2026, 4, 1))
    with pytest.raises(BadWeekday):
        Repetition(Frequency.WEEKLY, date(2026, 4, 1), frozenset({7}))
    with pytest.raises(BadWeekday):
        Repetition(Frequency.DAILY, date(2026, 4, 1), frozenset({-1}))


@given(
    st.integers(min_value=0, max_value=400),
    # At most 23 h: the local day a clock springs forward is 23 h long, and a longer window
    # repeated on the next day overlaps it and is refused (OccurrencesOverlap, tested above).
    st.integers(min_value=1, max_value=23 * 60),
    st.integers(min_value=0, max_value=29),
    st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
)
def test_occurrences_are_ordered_apart_and_as_long_as_the_window(
    offset_h: int, minutes: int, days: int, weekdays: frozenset[int]
) -> None:
    window = Window(T0 + offset_h * H, T0 + offset_h * H + minutes * M)
    first_day = window.start.astimezone(BERLIN).date()
    repetition = Repetition(Frequency.WEEKLY, first_day + timedelta(days=days), weekdays)
    found = occurrences(window, repetition, BERLIN)
    assert found[0] == window
    assert all(w.duration == window.duration for w in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))
    assert len(found) - 1 == sum(
        (first_day + timedelta(days=n)).weekday() in weekdays for n in range(1, days + 1)
    )


@pytest.mark.parametrize(
    ("emergency", "first_start", "deadline"),
    [
        (True, T0 + 10 * H, T0 + 30 * M),
        (True, T0 + 10 * M, T0 + 30 * M),  # an emergency's clock is its own
        (False, T0 + 10 * H, T0 + 2 * H),
        (False, T0 + 45 * M, T0 + 45 * M),  # never later than the start
        (False, T0 - 15 * M, T0),  # under way already: never earlier than now
        (False, None, T0 + 2 * H),  # a site has no start
    ],
)
def test_acknowledgement_deadline_and_reminder_at_half_time(
    emergency: bool, first_start: datetime | None, deadline: datetime
) -> None:
    clock = acknowledgement_clock(T0, first_start, emergency=emergency)
    assert clock.deadline == deadline
    assert clock.reminder == T0 + (deadline - T0) / 2


def test_acknowledgement_deadlines_follow_the_settings() -> None:
    clock = acknowledgement_clock(
        T0, T0 + 10 * H, emergency=True, emergency_after=10 * M, routine_after=4 * H
    )
    assert clock == acknowledgement_clock(T0, None, emergency=True, emergency_after=10 * M)
    assert clock.deadline == T0 + 10 * M
    assert clock.reminder == T0 + 5 * M
    routine = acknowledgement_clock(T0, T0 + 10 * H, emergency=False, routine_after=4 * H)
    assert routine.deadline == T0 + 4 * H


def test_a_site_lapses_unless_reconfirmed_with_reminders_before() -> None:
    site = Reconfirmation(T0, timedelta(days=30))
    assert site.lapses_at == T0 + timedelta(days=30)
    assert site.active == Window(T0, T0 + timedelta(days=30))
    assert not site.lapsed(T0 + timedelta(days=29))
    assert site.lapsed(T0 + timedelta(days=30))
    assert site.reminders() == (T0 + timedelta(days=27), T0 + timedelta(days=29))
    again = site.reconfirmed(T0 + timedelta(days=29))
    assert again.lapses_at == T0 + timedelta(days=59)
    assert not again.lapsed(T0 + timedelta(days=31))


def test_a_short_period_gets_only_the_reminders_that_fit() -> None:
    site = Reconfirmation(T0, timedelta(days=2))
    assert site.reminders() == (T0 + timedelta(days=1),)
    assert Reconfirmation(T0, timedelta(days=1)).reminders() == ()
    assert site.reminders([12 * H, 12 * H]) == (T0 + timedelta(days=1, hours=12),)


@pytest.mark.parametrize("days", [0, 366])
def test_reconfirmation_period_limits(days: int) -> None:
    with pytest.raises(BadReconfirmationPeriod):
        Reconfirmation(T0, timedelta(days=days) + (H if days == 0 else timedelta(0)))
