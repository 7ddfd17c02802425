"""One language per message: a stored notice read in each language, from its data."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tansiq.clearances.messages import APPROVED_WITH_CONDITIONS, PERMIT_REVOKED
from tansiq.clearances.reasons import REASON_LABELS, ReasonCode
from tansiq.core.i18n import Locale
from tansiq.core.wording import in_both_scripts, in_reader_words, listed
from tansiq.notify.domain import Message

LATIN = re.compile(r"[A-Za-z]")
BAGHDAD = ZoneInfo("Asia/Baghdad")


def test_a_revocation_reads_in_one_language_each() -> None:
    """The notice the issue quotes: "ألغت West Command التصريح (السبب: cargo_mismatch)"."""
    params = {
        "reference": "R-12",
        "permit": "P-12-1",
        **in_both_scripts("authority", "القيادة الغربية", "West Command"),
        "reason_code": ReasonCode.CARGO_MISMATCH.value,
        "reason_msg": REASON_LABELS[ReasonCode.CARGO_MISMATCH],
        "note": "-",
    }
    stored = Message(PERMIT_REVOKED.title, PERMIT_REVOKED.body, params)
    stored.check()
    arabic = " ".join(stored.render(Locale.AR, BAGHDAD))
    english = " ".join(stored.render(Locale.EN, BAGHDAD))
    assert "القيادة الغربية" in arabic
    assert "الحمولة لا تطابق البيان" in arabic
    assert "cargo_mismatch" not in arabic
    assert "West Command" not in arabic
    assert "West Command" in english
    assert "Cargo does not match the manifest" in english
    # Only the permit's own number is Latin in the Arabic text.
    assert not LATIN.search(arabic.replace("P-12-1", ""))


def test_times_read_on_the_towns_clock_in_the_readers_format() -> None:
    words = in_reader_words(
        {"deadline": datetime(2026, 12, 1, 18, 7, tzinfo=UTC).isoformat()}, Locale.AR, BAGHDAD
    )
    assert words["deadline"] == "1 ديسمبر 2026، 21:07"
    english = in_reader_words({"deadline": "2026-12-01T18:07:00+00:00"}, Locale.EN, BAGHDAD)
    assert english["deadline"] == "1 Dec 2026, 21:07"


def test_a_name_missing_in_one_script_falls_back_to_the_other() -> None:
    assert in_both_scripts("authority", "", "West Command") == {
        "authority_ar": "West Command",
        "authority_en": "West Command",
    }


def test_lists_are_joined_as_each_language_joins_them() -> None:
    names = listed("approved", [("القيادة الغربية", "West Command"), ("قوات الشرق", "East Force")])
    assert names == {
        "approved_ar": "القيادة الغربية، قوات الشرق",
        "approved_en": "West Command, East Force",
    }
    assert listed("approved", []) == {"approved_ar": "-", "approved_en": "-"}


def test_conditions_are_listed_and_counted_in_words() -> None:
    params = {
        "reference": "R-12",
        **in_both_scripts("authority", "القيادة الغربية", "West Command"),
        "count": 2,
        "conditions_ar": "ساعات النهار فقط، مرافقة مطلوبة",
        "conditions_en": "Daylight hours only, Escort required",
    }
    stored = Message(APPROVED_WITH_CONDITIONS.title, APPROVED_WITH_CONDITIONS.body, params)
    stored.check()
    assert stored.render(Locale.AR)[1] == "أُرفق شرطان: ساعات النهار فقط، مرافقة مطلوبة."
    assert stored.render(Locale.EN)[1] == (
        "2 conditions attached: Daylight hours only, Escort required."
    )
