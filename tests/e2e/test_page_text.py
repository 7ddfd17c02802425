"""The crawler's text checks, table-driven: what counts as a code, an ISO time or an English
name on an Arabic page, and what does not."""

from __future__ import annotations

import pytest

from tests.e2e.page_text import text_problems


@pytest.mark.parametrize(
    ("text", "lang", "said_in", "found"),
    [
        ("Enter a number.", "en", "", []),
        ("form.required", "en", "", ["form.required"]),
        ("Refused: application.too_few_checkpoints", "en", "", ["application.too_few_checkpoints"]),
        ("Reason: cargo_mismatch", "en", "", ["cargo_mismatch"]),
        ("Signed by west-command", "en", "", ["west-command"]),
        ("نقاط التفتيش: W-GATE، BRIDGE-W", "ar", "", ["BRIDGE-W", "W-GATE"]),
        ("Valid from 2026-11-25T12:00:00+00:00", "en", "", ["2026-11-25T12:00"]),
        ("Refused at 2026-11-25 12:00 UTC", "en", "", ["2026-11-25 12:00"]),
        ("Valid from 25 Nov 2026, 15:00", "en", "", []),
        ("A built-up area, e.g. a town", "en", "", []),
        ("Write to ops@example.org or see tansiq.example.org/help", "en", "", []),
        ("Permit P-000012-1 of West Command", "en", "", []),
        ("ألغت West Command التصريح", "ar", "", ["West Command"]),
        ("West Command", "ar", "", ["West Command"]),
        ("West Command", "ar", "en", []),  # marked English on purpose (a second line)
        ("ألغت القيادة الغربية التصريح P-000012-1", "ar", "", []),
        ("West Gate depot", "ar", "", []),  # what a trader typed is theirs
        ("السفر من West Gate depot إلى Grain Market, east bank", "ar", "", []),
        ("وافقت East Force، West Command", "ar", "", ["East Force", "West Command"]),
        ("الحمولة لا تطابق البيان (cargo_mismatch)", "ar", "", ["cargo_mismatch"]),
        ("UTC+03:00 توقيت العراق", "ar", "", []),
    ],
)
def test_what_the_crawler_finds_in_a_pages_text(
    text: str, lang: str, said_in: str, found: list[str]
) -> None:
    problems = text_problems([(text, said_in)], lang)
    assert len(problems) == len(found), problems
    for problem, part in zip(problems, found, strict=True):
        assert repr(part) in problem
