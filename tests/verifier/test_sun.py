"""Sunrise and sunset computed locally (NOAA's algorithm) against known times: Baghdad
(33.3152 N, 44.3661 E) on four dates through the year, and Helsinki at midsummer, within two
minutes. The reference times are those of the astral library (NOAA's equations too, an
independent implementation)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tansiq.verifier.sun import in_daylight, sun_times

BAGHDAD = (33.3152, 44.3661)


@pytest.mark.parametrize(
    ("place", "day", "sunrise", "sunset"),
    [
        (BAGHDAD, date(2026, 3, 20), "03:06:47", "15:13:43"),
        (BAGHDAD, date(2026, 6, 21), "01:53:44", "16:14:55"),
        (BAGHDAD, date(2026, 9, 15), "02:46:04", "15:09:01"),
        (BAGHDAD, date(2026, 12, 1), "03:48:09", "13:54:39"),
        ((60.17, 24.94), date(2026, 6, 21), "00:54:38", "19:49:28"),
    ],
)
def test_sunrise_and_sunset_within_two_minutes(
    place: tuple[float, float], day: date, sunrise: str, sunset: str
) -> None:
    times = sun_times(day, *place)
    assert times is not None
    for computed, known in zip(times, (sunrise, sunset), strict=True):
        expected = datetime.fromisoformat(f"{day.isoformat()}T{known}+00:00")
        assert abs(computed - expected) < timedelta(minutes=2), (computed, expected)


def test_daylight_between_sunrise_and_sunset_only() -> None:
    lat, lon = BAGHDAD
    rise, sets = sun_times(date(2026, 12, 1), lat, lon) or (None, None)
    assert rise is not None
    assert sets is not None
    assert in_daylight(rise + timedelta(minutes=1), lat, lon)
    assert in_daylight(sets - timedelta(minutes=1), lat, lon)
    assert not in_daylight(rise - timedelta(minutes=1), lat, lon)
    assert not in_daylight(sets + timedelta(minutes=1), lat, lon)
    assert not in_daylight(datetime(2026, 12, 1, 21, 0, tzinfo=UTC), lat, lon)


def test_polar_day_and_night() -> None:
    assert sun_times(date(2026, 6, 21), 78.2, 15.6) is None  # Svalbard: midnight sun
    assert in_daylight(datetime(2026, 6, 21, 0, 0, tzinfo=UTC), 78.2, 15.6)
    assert not in_daylight(datetime(2026, 12, 21, 12, 0, tzinfo=UTC), 78.2, 15.6)
