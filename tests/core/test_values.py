"""Small pure values: bilingual text, clocks, projections, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shapely

from tansiq.core.clock import FixedClock, SystemClock
from tansiq.core.errors import ErrorDetail, NotFound
from tansiq.core.i18n import Locale
from tansiq.core.projection import project, utm_epsg
from tansiq.core.text import BilingualText, NameRequired, normalise_text


def test_text_is_nfc_normalised_and_stripped_of_controls() -> None:
    decomposed = "e\u0301"  # e + combining acute
    assert normalise_text(f"  {decomposed}\x00\x07 ") == "\u00e9"
    assert normalise_text("سطر\nثانٍ") == "سطر\nثانٍ"


def test_bilingual_text_falls_back_to_the_other_language() -> None:
    both = BilingualText("الجسر", "Bridge")
    arabic_only = BilingualText("الجسر", "")
    assert both.in_locale(Locale.AR) == "الجسر"
    assert both.in_locale(Locale.EN) == "Bridge"
    assert arabic_only.in_locale(Locale.EN) == "الجسر"
    assert BilingualText("", "Bridge").in_locale(Locale.AR) == "Bridge"
    with pytest.raises(NameRequired):
        BilingualText(" ", "\x00")


def test_clocks_are_utc() -> None:
    assert SystemClock().now().tzinfo is UTC
    clock = FixedClock(datetime(2026, 1, 1, 3, tzinfo=UTC))
    clock.advance(timedelta(hours=2))
    assert clock.now() == datetime(2026, 1, 1, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lon", "lat", "epsg"),
    [
        (41.1, 34.4, 32637),
        (36.0, 33.5, 32637),
        (35.9, 33.5, 32636),
        (-70.6, -33.4, 32719),
        (180.0, 10.0, 32660),
        (-180.0, 0.0, 32601),
    ],
)
def test_utm_zone(lon: float, lat: float, epsg: int) -> None:
    assert utm_epsg(lon, lat) == epsg


def test_projection_gives_metres() -> None:
    # One minute of latitude is one nautical mile, 1,852 m, give or take the ellipsoid.
    line = shapely.LineString([(41.1, 34.4), (41.1, 34.4 + 1 / 60)])
    assert project(line, 32637).length == pytest.approx(1849, abs=5)


def test_error_detail_renders_location_and_translation() -> None:
    detail = ErrorDetail("x.y", "Not found.", feature=2, path="$.a")
    assert detail.render(Locale.AR) == {
        "code": "x.y",
        "message": "غير موجود.",
        "feature": 2,
        "path": "$.a",
    }
    assert NotFound().render(Locale.EN) == {"code": "not_found", "message": "Not found."}


def test_sealing_round_trip_and_refusals() -> None:
    from tansiq.core.sealing import SealBroken, SecretKeyMissing, seal, unseal

    secret = "s" * 40
    sealed = seal(secret, b"private key", purpose=b"p")
    assert unseal(secret, sealed, purpose=b"p") == b"private key"
    assert seal(secret, b"private key", purpose=b"p") != sealed  # a fresh nonce each time
    for wrong in (("t" * 40, sealed), (secret, b"\x02" + sealed[1:]), (secret, sealed[:20])):
        with pytest.raises(SealBroken):
            unseal(wrong[0], wrong[1], purpose=b"p")
    with pytest.raises(SealBroken):
        unseal(secret, sealed, purpose=b"other")
    for missing in (None, "", "short"):
        with pytest.raises(SecretKeyMissing):
            seal(missing, b"x", purpose=b"p")
