"""When a notification counts: time windows, repetitions and their occurrences, the clock of
each party's acknowledgement, and a site's re-confirmation. Pure: no storage, no web.

Every window is half-open, ``[start, end)`` in UTC: a movement ending at 10:00 does not
overlap one starting at 10:00. Repetitions are laid out in the deployment's time zone, so a
daily 08:00 patrol stays at 08:00 local time across a change of daylight saving time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from zoneinfo import ZoneInfo

from tansiq.core.clock import ensure_utc
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

MAX_REPETITION_DAYS = 30
EMERGENCY_DEADLINE = timedelta(minutes=30)
ROUTINE_DEADLINE = timedelta(hours=2)
MIN_RECONFIRMATION_DAYS = 1
MAX_RECONFIRMATION_DAYS = 365
RECONFIRMATION_REMINDERS = (timedelta(days=3), timedelta(days=1))


@dataclass(frozen=True, order=True)
class Window:
    """A span of time ``[start, end)``, UTC-aware, never empty or reversed."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", ensure_utc(self.start))
        object.__setattr__(self, "end", ensure_utc(self.end))
        if self.end <= self.start:
            raise WindowReversed

    @classmethod
    def stored(cls, start: datetime, end: datetime) -> Window:
        """A window read back from the database, UTC-aware and checked when it was stored:
        made without checking again (a conflict check reads thousands)."""
        window = object.__new__(cls)
        object.__setattr__(window, "start", start)
        object.__setattr__(window, "end", end)
        return window

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: Window) -> bool:
        return self.start < other.end and other.start < self.end

    def overlap(self, other: Window) -> Window | None:
        """The time both windows share, or None."""
        if not self.overlaps(other):
            return None
        return Window(max(self.start, other.start), min(self.end, other.end))

    def shifted(self, delta: timedelta) -> Window:
        return Window(self.start + delta, self.end + delta)


def planned_window(start: datetime, end: datetime, now: datetime) -> Window:
    """A window as notified: ordered, and not over by ``now``. A window already under way is
    accepted (an evacuation is notified as it leaves); one that has ended is refused."""
    window = Window(start, end)
    if window.end <= ensure_utc(now):
        raise WindowInPast
    return window


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # on the given days of the week


@dataclass(frozen=True)
class Repetition:
    """Repeat a window daily or on given weekdays (0 Monday … 6 Sunday), up to and including
    the local day ``until``."""

    frequency: Frequency
    until: date
    weekdays: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.frequency is Frequency.WEEKLY and not self.weekdays:
            raise RepetitionNoDays
        if not self.weekdays <= frozenset(range(7)):
            raise BadWeekday

    def repeats_on(self, day: date) -> bool:
        return self.frequency is Frequency.DAILY or day.weekday() in self.weekdays


def occurrences(
    window: Window, repetition: Repetition | None, zone: ZoneInfo
) -> tuple[Window, ...]:
    """Every occurrence, in order. The window itself is always the first; later ones start at
    the same local wall-clock time on each repeating day and last as long. The whole span, from
    the first day to ``until``, is at most ``MAX_REPETITION_DAYS`` days."""
    if repetition is None:
        return (window,)
    local_start = window.start.astimezone(zone)
    first_day = local_start.date()
    if repetition.until < first_day:
        raise RepetitionEndsEarly
    if (repetition.until - first_day).days + 1 > MAX_REPETITION_DAYS:
        raise RepetitionTooLong(count=MAX_REPETITION_DAYS)
    found = [window]
    day = first_day + timedelta(days=1)
    while day <= repetition.until:
        if repetition.repeats_on(day):
            # Wall-clock time in the zone, then UTC: adding the duration to a zoned time
            # would add wall-clock hours and stretch or shrink it across a change of clocks.
            local = datetime.combine(day, local_start.timetz().replace(tzinfo=zone))
            start = local.astimezone(UTC)
            found.append(Window(start, start + window.duration))
        day += timedelta(days=1)
    if any(earlier.overlaps(later) for earlier, later in pairwise(found)):
        raise OccurrencesOverlap
    return tuple(found)


def span(windows: Iterable[Window]) -> Window:
    """From the first start to the last end."""
    listed = list(windows)
    return Window(min(w.start for w in listed), max(w.end for w in listed))


@dataclass(frozen=True)
class AcknowledgementClock:
    """One party's clock on one notification: remind at half time, escalate at the deadline."""

    deadline: datetime
    reminder: datetime


def acknowledgement_clock(
    filed_at: datetime,
    first_start: datetime | None,
    *,
    emergency: bool,
    emergency_after: timedelta = EMERGENCY_DEADLINE,
    routine_after: timedelta = ROUTINE_DEADLINE,
) -> AcknowledgementClock:
    """The deadline by which a party acknowledges, counted from ``filed_at`` (when the version
    was notified, i.e. now): ``emergency_after`` for an emergency; otherwise ``routine_after``
    but never later than the start of the first occurrence (``first_start``; None for a site).
    Never earlier than ``filed_at``: a movement already under way gets a deadline of now, so it
    escalates at once. The reminder comes at half time."""
    filed_at = ensure_utc(filed_at)
    if emergency:
        deadline = filed_at + emergency_after
    else:
        deadline = filed_at + routine_after
        if first_start is not None:
            deadline = min(deadline, ensure_utc(first_start))
    deadline = max(deadline, filed_at)
    return AcknowledgementClock(deadline=deadline, reminder=filed_at + (deadline - filed_at) / 2)


@dataclass(frozen=True)
class Reconfirmation:
    """A site stays active for ``period`` after each confirmation, then lapses."""

    confirmed_at: datetime
    period: timedelta

    def __post_init__(self) -> None:
        object.__setattr__(self, "confirmed_at", ensure_utc(self.confirmed_at))
        shortest = timedelta(days=MIN_RECONFIRMATION_DAYS)
        longest = timedelta(days=MAX_RECONFIRMATION_DAYS)
        if not shortest <= self.period <= longest:
            raise BadReconfirmationPeriod(
                minimum=MIN_RECONFIRMATION_DAYS, count=MAX_RECONFIRMATION_DAYS
            )

    @property
    def lapses_at(self) -> datetime:
        return self.confirmed_at + self.period

    @property
    def active(self) -> Window:
        """When the site counts for conflicts: from its confirmation until it lapses."""
        return Window(self.confirmed_at, self.lapses_at)

    def lapsed(self, now: datetime) -> bool:
        return ensure_utc(now) >= self.lapses_at

    def reminders(
        self, before: Iterable[timedelta] = RECONFIRMATION_REMINDERS
    ) -> tuple[datetime, ...]:
        """When to remind the notifier, in order: each ``before`` the lapse, skipping any that
        would fall at or before the confirmation itself (a short period gets fewer)."""
        times = {self.lapses_at - ahead for ahead in before}
        return tuple(sorted(t for t in times if self.confirmed_at < t < self.lapses_at))

    def reconfirmed(self, at: datetime) -> Reconfirmation:
        return Reconfirmation(at, self.period)
