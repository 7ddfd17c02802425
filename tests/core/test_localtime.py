"""The town's clock, table-driven: one format per language, odd offsets, clocks put forward
and back, and what a form's ``datetime-local`` value means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tansiq.core import localtime
from tansiq.core.i18n import Locale

BAGHDAD = ZoneInfo("Asia/Baghdad")
TEHRAN = ZoneInfo("Asia/Tehran")
KATHMANDU = ZoneInfo("Asia/Kathmandu")
BEIRUT = ZoneInfo("Asia/Beirut")  # still puts its clocks forward in March, back in October


@pytest.mark.parametrize(
    ("moment", "zone", "english", "arabic"),
    [
        # A permit approved at 21:07 in Baghdad is 18:07 UTC.
        (
            datetime(2026, 12, 1, 18, 7, tzinfo=UTC),
            BAGHDAD,
            "1 Dec 2026, 21:07",
            "1 ديسمبر 2026، 21:07",
        ),
        # Tehran is half an hour off the hour (+03:30, no summer time since 2022).
        (
            datetime(2026, 6, 1, 20, 0, tzinfo=UTC),
            TEHRAN,
            "1 Jun 2026, 23:30",
            "1 يونيو 2026، 23:30",
        ),
        # Past midnight in the town while it is still the day before in UTC.
        (
            datetime(2026, 6, 1, 21, 0, tzinfo=UTC),
            TEHRAN,
            "2 Jun 2026, 00:30",
            "2 يونيو 2026، 00:30",
        ),
        (
            datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
            KATHMANDU,
            "1 Jan 2026, 05:45",
            "1 يناير 2026، 05:45",
        ),
        # Beirut in winter (+02:00) and in summer (+03:00).
        (
            datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
            BEIRUT,
            "15 Jan 2026, 12:00",
            "15 يناير 2026، 12:00",
        ),
        (
            datetime(2026, 7, 15, 10, 0, tzinfo=UTC),
            BEIRUT,
            "15 Jul 2026, 13:00",
            "15 يوليو 2026، 13:00",
        ),
        (
            datetime(2026, 7, 15, 10, 0, tzinfo=UTC),
            UTC,
            "15 Jul 2026, 10:00",
            "15 يوليو 2026، 10:00",
        ),
    ],
)
def test_one_format_per_language_on_the_towns_clock(
    moment: datetime, zone: ZoneInfo, english: str, arabic: str
) -> None:
    assert localtime.when(moment, Locale.EN, zone) == english
    assert localtime.when(moment, Locale.AR, zone) == arabic


def test_a_naive_time_read_back_from_the_database_is_utc() -> None:
    assert localtime.when(datetime(2026, 12, 1, 18, 7), Locale.EN, BAGHDAD) == "1 Dec 2026, 21:07"  # noqa: DTZ001 - what SQLite hands back


def test_the_utc_line_is_marked() -> None:
    moment = datetime(2026, 12, 1, 18, 7, tzinfo=UTC)
    assert localtime.when_utc(moment, Locale.EN) == "1 Dec 2026, 18:07 UTC"
    assert localtime.when_utc(moment, Locale.AR) == "1 ديسمبر 2026، 18:07 UTC"


@pytest.mark.parametrize(
    ("zone", "at", "offset"),
    [
        (BAGHDAD, datetime(2026, 1, 1, tzinfo=UTC), "UTC+03:00"),
        (TEHRAN, datetime(2026, 1, 1, tzinfo=UTC), "UTC+03:30"),
        (KATHMANDU, datetime(2026, 1, 1, tzinfo=UTC), "UTC+05:45"),
        (BEIRUT, datetime(2026, 1, 1, tzinfo=UTC), "UTC+02:00"),
        (BEIRUT, datetime(2026, 7, 1, tzinfo=UTC), "UTC+03:00"),
        (ZoneInfo("America/St_Johns"), datetime(2026, 1, 1, tzinfo=UTC), "UTC-03:30"),
        (UTC, datetime(2026, 1, 1, tzinfo=UTC), "UTC+00:00"),
    ],
)
def test_the_offset_shown_next_to_a_field(zone: ZoneInfo, at: datetime, offset: str) -> None:
    assert localtime.offset_of(zone, at) == offset


def test_the_zone_is_named_in_the_readers_language() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    assert localtime.zone_label(BAGHDAD, at, Locale.EN) == "Iraq Time (UTC+03:00)"
    assert localtime.zone_label(BAGHDAD, at, Locale.AR) == "توقيت العراق (UTC+03:00)"
    assert localtime.zone_label(TEHRAN, at, Locale.AR) == "توقيت إيران (UTC+03:30)"


@pytest.mark.parametrize(
    ("typed", "zone", "moment"),
    [
        ("2026-12-01T21:07", BAGHDAD, datetime(2026, 12, 1, 18, 7, tzinfo=UTC)),
        ("2026-06-02T00:30", TEHRAN, datetime(2026, 6, 1, 21, 0, tzinfo=UTC)),
        ("2026-01-01T05:45", KATHMANDU, datetime(2026, 1, 1, 0, 0, tzinfo=UTC)),
        # Beirut puts its clocks forward at 00:00 on 29 March 2026: 00:30 never happens on
        # the wall; it is read with the winter offset, so it lands just after the gap.
        ("2026-03-29T00:30", BEIRUT, datetime(2026, 3, 28, 22, 30, tzinfo=UTC)),
        # Back at 00:00 on 25 October 2026: 23:30 happens twice; the first is meant.
        ("2026-10-24T23:30", BEIRUT, datetime(2026, 10, 24, 20, 30, tzinfo=UTC)),
        ("2026-12-01T21:07+00:00", BAGHDAD, datetime(2026, 12, 1, 21, 7, tzinfo=UTC)),
        ("not a time", BAGHDAD, None),
        ("0001-01-01T00:00", TEHRAN, None),
    ],
)
def test_a_typed_time_is_read_on_the_towns_clock(
    typed: str, zone: ZoneInfo, moment: datetime | None
) -> None:
    assert localtime.parse_input(typed, zone) == moment


@given(
    st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(2100, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.sampled_from([BAGHDAD, TEHRAN, KATHMANDU, BEIRUT, UTC]),
)
def test_what_a_field_shows_reads_back_as_the_same_minute(moment: datetime, zone: ZoneInfo) -> None:
    minute = moment.replace(second=0, microsecond=0)
    shown = localtime.input_value(minute, zone)
    back = localtime.parse_input(shown, zone)
    assert back is not None
    # A minute in the hour clocks are put back shows twice; it reads back as the first.
    assert back == minute or (back < minute and minute - back <= timedelta(hours=1))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("2026-12-01T18:07:00+00:00", datetime(2026, 12, 1, 18, 7, tzinfo=UTC)),
        ("2026-12-01T18:07+00:00", datetime(2026, 12, 1, 18, 7, tzinfo=UTC)),
        ("2026-12-01T18:07:00.123456Z", datetime(2026, 12, 1, 18, 7, 0, 123456, tzinfo=UTC)),
        ("2026-12-01T18:07", None),  # no offset: not a stored moment
        ("cargo_mismatch", None),
        ("R-2026-000012", None),
        ("2026-13-01T18:07+00:00", None),
    ],
)
def test_stored_moments_are_recognised(text: str, found: datetime | None) -> None:
    assert localtime.parse_moment(text) == found
