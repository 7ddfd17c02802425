"""Every "now" in Tansiq goes through a clock, so tests can fix or move time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_


class Clock(Protocol):
    """A source of the current time, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A clock that only moves when told to (tests, replays)."""

    current: datetime = field(default_factory=lambda: datetime(2026, 1, 1, tzinfo=UTC))

    def __post_init__(self) -> None:
        self.current = ensure_utc(self.current)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta


class NaiveTime(TansiqError):
    code = "time.naive"
    message = N_("A time must carry its offset from UTC, e.g. 2026-06-01T08:00:00Z.")


class TimeOutOfRange(TansiqError):
    code = "time.out_of_range"
    message = N_("The time is out of range.")


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive datetime is refused rather than guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveTime
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise TimeOutOfRange from None


def micros(moment: datetime) -> int:
    """Whole microseconds since 1970 of a UTC time, exactly (a naive one is UTC, as stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
