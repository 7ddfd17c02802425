"""Sunrise and sunset at a place and date, computed locally (no network): NOAA's solar position
algorithm (the equations of the NOAA Solar Calculator, after Meeus, *Astronomical Algorithms*),
good to about a minute between latitudes ±72°. The checkpoint app's ``sun.js`` is the same
calculation, line for line, so both verifiers judge "daylight hours only" alike.

Sunrise and sunset are when the sun's upper limb touches the horizon, with the standard
refraction: a zenith of 90.833°."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Final

ZENITH: Final = 90.833
_EPOCH_JD: Final = 2440587.5  # the Julian day of 1970-01-01 00:00 UTC


def _julian_day(day: date) -> float:
    """The Julian day at 00:00 UTC of ``day``."""
    return _EPOCH_JD + (day - date(1970, 1, 1)).days


def _sun(jd: float) -> tuple[float, float]:
    """The equation of time (minutes) and the sun's declination (degrees) at Julian day ``jd``."""
    t = (jd - 2451545.0) / 36525.0
    mean_longitude = (280.46646 + t * (36000.76983 + 0.0003032 * t)) % 360.0
    anomaly = math.radians(357.52911 + t * (35999.05029 - 0.0001537 * t))
    eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    centre = (
        math.sin(anomaly) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + math.sin(2 * anomaly) * (0.019993 - 0.000101 * t)
        + math.sin(3 * anomaly) * 0.000289
    )
    omega = math.radians(125.04 - 1934.136 * t)
    apparent = math.radians(mean_longitude + centre - 0.00569 - 0.00478 * math.sin(omega))
    seconds = 21.448 - t * (46.8150 + t * (0.00059 - t * 0.001813))
    obliquity = math.radians(23.0 + (26.0 + seconds / 60.0) / 60.0 + 0.00256 * math.cos(omega))
    declination = math.degrees(math.asin(math.sin(obliquity) * math.sin(apparent)))
    y = math.tan(obliquity / 2.0) ** 2
    l0 = math.radians(mean_longitude)
    equation = (
        y * math.sin(2 * l0)
        - 2 * eccentricity * math.sin(anomaly)
        + 4 * eccentricity * y * math.sin(anomaly) * math.cos(2 * l0)
        - 0.5 * y * y * math.sin(4 * l0)
        - 1.25 * eccentricity * eccentricity * math.sin(2 * anomaly)
    )
    return 4.0 * math.degrees(equation), declination


def _event_minutes(day: date, lat: float, lon: float, rising: bool) -> float | None:
    """Minutes after 00:00 UTC of ``day`` of sunrise (or sunset); None when the sun does not
    cross the horizon that day (polar day or night). Two passes: the second at the first
    estimate's time."""
    jd = _julian_day(day)
    minutes = 720.0 - 4.0 * lon  # solar noon, first guess
    for _ in range(2):
        equation, declination = _sun(jd + minutes / 1440.0)
        phi, delta = math.radians(lat), math.radians(declination)
        cos_hour = math.cos(math.radians(ZENITH)) / (math.cos(phi) * math.cos(delta)) - math.tan(
            phi
        ) * math.tan(delta)
        if not -1.0 <= cos_hour <= 1.0:
            return None
        hour_angle = math.degrees(math.acos(cos_hour))
        minutes = 720.0 - 4.0 * (lon + (hour_angle if rising else -hour_angle)) - equation
    return minutes


def sun_times(day: date, lat: float, lon: float) -> tuple[datetime, datetime] | None:
    """Sunrise and sunset (UTC) on the UTC date ``day`` at ``lat``/``lon`` (degrees, east and
    north positive), or None when the sun does not rise or set that day."""
    rise = _event_minutes(day, lat, lon, rising=True)
    sets = _event_minutes(day, lat, lon, rising=False)
    if rise is None or sets is None:
        return None
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return midnight + timedelta(minutes=rise), midnight + timedelta(minutes=sets)


def in_daylight(at: datetime, lat: float, lon: float) -> bool:
    """True between sunrise and sunset at ``lat``/``lon``. The day is the place's own solar day
    (UTC shifted by longitude), so that a sunset past midnight UTC, in the far east, counts
    for the right evening. A day without sunrise is dark; a day without sunset is light."""
    local = at + timedelta(minutes=4.0 * lon)
    times = sun_times(local.date(), lat, lon)
    if times is None:
        equation, declination = _sun(_julian_day(local.date()) + 0.5)
        del equation
        return declination * lat > 0  # polar day on the summer side of the equator
    return times[0] <= at < times[1]
