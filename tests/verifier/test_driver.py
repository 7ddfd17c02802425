"""The driver check through its entry point: the typed number against the token's hash."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tansiq.core.i18n import Locale
from tansiq.permits.claims import Driver
from tansiq.verifier.driver import check_driver
from tests.permits.builders import DRIVER_ID, SALT, claims

BOTH = replace(claims(), driver=replace(Driver.with_id("Ahmad", DRIVER_ID, SALT), name_ar="أحمد"))


@pytest.mark.parametrize(
    ("typed", "matches"),
    [
        ("123456789", True),
        ("١٢٣ ٤٥٦ ٧٨٩", True),
        ("123\u2013456\u2212789", True),  # an en dash and a minus sign
        ("123456780", False),
        ("12345678", False),
        ("", False),
        ("   ", False),
    ],
)
def test_the_typed_number_matches_only_the_drivers(typed: str, matches: bool) -> None:
    checked = check_driver(BOTH, typed)
    assert checked.matches is matches
    assert checked.mark == ("✓" if matches else "✗")
    assert checked.names == ("أحمد", "Ahmad")
    said = checked.message(Locale.AR)
    assert ("لا يطابق" in said) is not matches
