"""Content negotiation on Accept, table-driven (incidents.media is pure)."""

from __future__ import annotations

import pytest

from tansiq.incidents.media import preferred

JSON, CAP = "application/json", "application/cap+xml"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("  ", JSON),
        ("application/cap+xml", CAP),
        ("APPLICATION/CAP+XML", CAP),
        ("application/json", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/*;q=0.4, application/cap+xml;q=0.5", CAP),
        ("application/cap+xml;q=0.5, application/json;q=0.5", JSON),
        ("application/json;q=0.2, application/cap+xml;q=0.9", CAP),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        ("*/*;q=0.1, application/json;q=0", CAP),
        ("text/csv", None),
        ("application/json;q=0", None),
        ("application/json;q=zero", None),
        ("json, cap", None),
        ("*/*;q=0", None),
        ("application/cap+xml;level=1;q=1", CAP),
        ("application/json;q=7", JSON),
    ],
)
def test_the_offer_accept_rates_highest_is_chosen(accept: str | None, chosen: str | None) -> None:
    assert preferred(accept, (JSON, CAP)) == chosen


def test_nothing_is_offered() -> None:
    assert preferred(None, ()) is None
    assert preferred("*/*", ()) is None
