"""The town's clock: times shown and entered in the deployment's zone, one format per language.

Tansiq stores and computes every time in UTC (:mod:`tansiq.core.clock`); people read and type
them on the clock of the town they are in. This module is the one place that turns the one into
the other: the pages, the inbox, the paper permit and the CLI all format through it, and the
checkpoint app's ``timefmt.js`` writes the same patterns.

One format per language, whatever the page: ``1 Dec 2026, 21:07`` in English and
``1 ديسمبر 2026، 21:07`` in Arabic (Latin digits, as every other number on the pages), 24-hour
time to the minute. A second line gives the same moment in UTC where it matters (a permit's
validity, a decision's time), for the reader who compares with a device or another town.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from tansiq.core.i18n import Locale

# Babel patterns (CLDR date field symbols); timefmt.js assembles the same fields.
PATTERNS = {Locale.EN: "d MMM y, HH:mm", Locale.AR: "d MMMM y\u060c HH:mm"}
DATE_PATTERNS = {Locale.EN: "d MMM y", Locale.AR: "d MMMM y"}
# The value an HTML ``datetime-local`` input holds, to the minute.
INPUT_MINUTE = "%Y-%m-%dT%H:%M"
# A time written as ISO 8601 with its offset, as stored in messages' parameters.
ISO_MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})$"
)


@cache
def zone_named(name: str) -> ZoneInfo:
    """The zone for an IANA name (the setting is checked when it is read)."""
    return ZoneInfo(name)


def local(value: datetime, zone: tzinfo) -> datetime:
    """``value`` on the town's clock; a naive value is taken to be UTC (rows read back from
    SQLite lose their zone)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def when(value: datetime, locale: Locale, zone: tzinfo) -> str:
    """Date and time to the minute on the town's clock, in ``locale``'s one format."""
    from babel.dates import format_datetime

    return str(format_datetime(local(value, zone), PATTERNS[locale], locale=locale.value))


def day(value: datetime, locale: Locale, zone: tzinfo) -> str:
    """The date alone, on the town's clock."""
    from babel.dates import format_date

    return str(format_date(local(value, zone).date(), DATE_PATTERNS[locale], locale=locale.value))


def when_utc(value: datetime, locale: Locale) -> str:
    """The same moment in UTC, marked so (the second line where it matters)."""
    return when(value, locale, UTC) + " UTC"


def offset_of(zone: tzinfo, at: datetime) -> str:
    """The zone's offset from UTC at ``at``: ``UTC+03:00``, ``UTC+03:30``, ``UTC-05:00``."""
    offset = local(at, zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_label(zone: tzinfo, at: datetime, locale: Locale) -> str:
    """The zone as its readers call it, with its offset at ``at``: ``Iraq Time (UTC+03:00)``,
    ``توقيت العراق (UTC+03:00)``; a zone CLDR has no name for shows its IANA name."""
    from babel.dates import get_timezone_location

    try:
        name = str(get_timezone_location(zone, locale=locale.value))
    except (LookupError, ValueError):
        name = str(zone)
    return f"{name} ({offset_of(zone, at)})"


def input_value(value: datetime, zone: tzinfo) -> str:
    """``value`` as a ``datetime-local`` input shows it: the town's clock, to the minute."""
    return local(value, zone).strftime(INPUT_MINUTE)


def parse_input(text: str, zone: tzinfo) -> datetime | None:
    """A ``datetime-local`` value read on the town's clock, in UTC; an offset, if typed, counts.

    A wall time that happens twice (clocks put back) is its first occurrence; one that never
    happens (clocks put forward) is read with the offset before the change, so it lands after
    the gap, where a clock would be. None for anything that is not a time."""
    try:
        value = datetime.fromisoformat(text.strip())
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 moved across midnight
        return None


def parse_moment(text: str) -> datetime | None:
    """A stored ISO 8601 time with its offset (``2026-12-01T18:07:00+00:00``), else None."""
    if not ISO_MOMENT.fullmatch(text.strip()):
        return None
    try:
        return datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        return None
