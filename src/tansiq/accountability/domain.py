"""What the figures are and the rules about them: the period asked for, nearest-rank
percentiles, and what a spreadsheet may be handed. Pure: no storage, no web."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_, NP_

# A year and a leap day, with room for a comparison over two: longer asks are refused.
MAX_PERIOD_DAYS = 731
DEFAULT_PERIOD_DAYS = 30
# Days the hub can have records of; others are a typing error, refused before any arithmetic.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2199, 12, 31)


class Figure(StrEnum):
    """Every figure the dashboard shows; each one names the cases behind it."""

    # per authority
    RECEIVED = "received"
    DECIDED = "decided"
    APPROVED = "approved"
    REFUSED = "refused"
    OVERDUE = "overdue"
    APPEALED = "appealed"
    REVOKED = "revoked"
    # per checkpoint
    PASSAGES = "passages"
    REFUSALS = "refusals"
    OVERRIDES = "overrides"
    CONTRADICTIONS = "contradictions"
    CLONES = "clones"
    # per party reached by deconfliction notifications
    NOTIFIED = "notified"
    ACKNOWLEDGED = "acknowledged"
    UNACKNOWLEDGED = "unacknowledged"


AUTHORITY_FIGURES = (
    Figure.RECEIVED,
    Figure.DECIDED,
    Figure.APPROVED,
    Figure.REFUSED,
    Figure.OVERDUE,
    Figure.APPEALED,
    Figure.REVOKED,
)
CHECKPOINT_FIGURES = (
    Figure.PASSAGES,
    Figure.REFUSALS,
    Figure.OVERRIDES,
    Figure.CONTRADICTIONS,
    Figure.CLONES,
)
# How each party reached by a notification of a movement or site answered it.
LIAISON_FIGURES = (Figure.NOTIFIED, Figure.ACKNOWLEDGED, Figure.UNACKNOWLEDGED)
# Figures broken down by a reason (refusals, revocations) or an outcome (appeals).
BY_REASON = frozenset(
    {Figure.REFUSED, Figure.REVOKED, Figure.REFUSALS, Figure.OVERRIDES, Figure.ACKNOWLEDGED}
)
OPEN_APPEAL = "open"  # an appeal not decided yet, among the outcomes


class BadPeriod(TansiqError):
    code = "figures.bad_period"
    message = N_("The period ends ({end}) before it starts ({start}).")


class PeriodTooLong(TansiqError):
    code = "figures.period_too_long"
    message = NP_(
        "A period is at most {count} day long.",
        "A period is at most {count} days long.",
    )


class DayOutOfRange(TansiqError):
    code = "figures.day_out_of_range"
    message = N_("{value} is outside the days the hub can have records of ({first} to {last}).")


class UnknownAuthority(TansiqError):
    code = "figures.unknown_authority"
    message = N_('There is no authority "{authority}".')
    category = ErrorCategory.NOT_FOUND


class UnknownReason(TansiqError):
    code = "figures.unknown_reason"
    message = N_('The figure "{figure}" has no reason or outcome "{reason}".')


@dataclass(frozen=True)
class Period:
    """Whole UTC days, ``first`` to ``last`` both included."""

    first: date
    last: date

    @classmethod
    def of(cls, first: date | None, last: date | None, today: date) -> Period:
        """The period asked for; by default the last 30 days up to ``today``."""
        for day in (first, last):
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise DayOutOfRange(
                    value=day.isoformat(), first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()
                )
        last = last or today
        first = first or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if last < first:
            raise BadPeriod(start=first.isoformat(), end=last.isoformat())
        if (last - first).days + 1 > MAX_PERIOD_DAYS:
            raise PeriodTooLong(count=MAX_PERIOD_DAYS)
        return cls(first, last)

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(0), tzinfo=UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def rank(count: int, percent: int) -> int:
    """The nearest rank (1-based) of the ``percent`` percentile among ``count`` sorted values:
    the smallest value with at least that share of the values at or below it. Integer
    arithmetic, as the database computes it too."""
    return max(1, (count * percent + 99) // 100)


def percentile(sorted_values: Sequence[float], percent: int) -> float | None:
    """Nearest-rank percentile of ``sorted_values`` (None when there are none)."""
    if not sorted_values:
        return None
    return sorted_values[rank(len(sorted_values), percent) - 1]


# A cell a spreadsheet would run as a formula starts with one of these (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(value: str) -> str:
    """Text that a spreadsheet shows as written: a leading apostrophe before anything it would
    otherwise evaluate as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class BadDate(TansiqError):
    code = "figures.bad_date"
    message = N_('"{value}" is not a day; write it as YYYY-MM-DD, e.g. 2026-11-30.')


def parse_day(value: str | None) -> date | None:
    """A day as a form or the command line gives it (empty: none)."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadDate(value=value.strip()[:20]) from None
