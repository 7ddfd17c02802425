"""The checkpoint app's clock face (``/assets/checkpoint/timefmt.js``) writes every time as the
hub's pages do (``core/localtime.py``): the same zone, the same one format per language.

Hypothesis draws moments and zones (odd offsets, clocks put forward and back); one Chromium
formats them in a batch, and each must read exactly as the hub writes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from playwright.sync_api import Page, Playwright

from tansiq.core import localtime
from tansiq.core.i18n import Locale
from tests.checkpoints.asset_page import asset_page

ORIGIN = "http://timefmt.test"
ZONES = ["Asia/Baghdad", "Asia/Tehran", "Asia/Kathmandu", "Asia/Beirut", "America/St_Johns", "UTC"]

FORMAT_ALL = """async (cases) => {
  const { clockFace } = await import("/timefmt.js");
  return cases.map(([lang, zone, ms]) => {
    const face = clockFace(lang, zone);
    return [face.when(ms), face.time(ms), face.utc(ms)];
  });
}"""


@pytest.fixture(scope="module")
def page(chromium: Playwright) -> Iterator[Page]:
    yield from asset_page(chromium, ORIGIN, "timefmt.js")


def hub_writes(lang: str, zone: str, moment: datetime) -> list[str]:
    locale, tz = Locale(lang), ZoneInfo(zone)
    return [
        localtime.when(moment, locale, tz),
        localtime.local(moment, tz).strftime("%H:%M"),
        localtime.when_utc(moment, locale),
    ]


def test_the_permit_approved_at_21_07_reads_the_same_in_the_app(page: Page) -> None:
    moment = datetime(2026, 12, 1, 18, 7, tzinfo=UTC)
    ms = int(moment.timestamp() * 1000)
    answers = page.evaluate(FORMAT_ALL, [["ar", "Asia/Baghdad", ms], ["en", "Asia/Baghdad", ms]])
    assert answers == [
        ["1 ديسمبر 2026، 21:07", "21:07", "1 ديسمبر 2026، 18:07 UTC"],
        ["1 Dec 2026, 21:07", "21:07", "1 Dec 2026, 18:07 UTC"],
    ]


def test_an_unknown_zone_falls_back_to_utc(page: Page) -> None:
    (answer,) = page.evaluate(FORMAT_ALL, [["en", "Mars/Olympus", 0]])
    assert answer[0] == "1 Jan 1970, 00:00"


@hypothesis_settings(max_examples=20, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ar", "en"]),
            st.sampled_from(ZONES),
            st.datetimes(
                min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
                max_value=datetime(2060, 1, 1),  # noqa: DTZ001
                timezones=st.just(UTC),
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_the_app_writes_every_time_as_the_hub_does(
    page: Page, cases: list[tuple[str, str, datetime]]
) -> None:
    minutes = [
        (lang, zone, moment.replace(second=0, microsecond=0)) for lang, zone, moment in cases
    ]
    answers = page.evaluate(
        FORMAT_ALL, [[lang, zone, int(moment.timestamp() * 1000)] for lang, zone, moment in minutes]
    )
    for (lang, zone, moment), answer in zip(minutes, answers, strict=True):
        assert answer == hub_writes(lang, zone, moment), (lang, zone, moment)


ON_THE_CLOCK = """async ([lang, zone, params]) => {
  const { clockFace, onTheClock } = await import("/timefmt.js");
  return onTheClock(clockFace(lang, zone), params);
}"""


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_verdicts_times_kept_in_iso_8601_are_written_on_the_towns_clock(
    page: Page, lang: str
) -> None:
    """verify.js keeps a verdict's times as the hub's verifier does (ISO 8601, UTC); the app
    writes them as the hub writes them for a reader: sunrise and sunset as a time of day on
    the town's clock, the permit's end with its date; the rest, and "-", as they are."""
    zone = "Asia/Damascus"
    params = {
        "sunrise": "2026-11-25T03:58+00:00",
        "sunset": "2026-11-25T14:06+00:00",
        "exp": "2026-11-28T12:00+00:00",
        "checkpoint": "BRIDGE-W",
        "count": "8",
    }
    shown = page.evaluate(ON_THE_CLOCK, [lang, zone, params])
    exp = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert shown == {
        "sunrise": "06:58",
        "sunset": "17:06",
        "exp": localtime.when(exp, Locale(lang), ZoneInfo(zone)),
        "checkpoint": "BRIDGE-W",
        "count": "8",
    }
    polar = page.evaluate(ON_THE_CLOCK, [lang, zone, {"sunrise": "-", "sunset": "-"}])
    assert polar == {"sunrise": "-", "sunset": "-"}
