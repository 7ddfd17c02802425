"""A notification stored with a count among its parameters pluralises when it is shown."""

from __future__ import annotations

import pytest

from tansiq.clearances.messages import APPROVED, APPROVED_WITH_CONDITIONS, EARLIER
from tansiq.core.i18n import Locale
from tansiq.notify.domain import Message


@pytest.mark.parametrize(
    ("count", "english", "arabic"),
    [
        (0, "0 conditions attached.", "لا شروط مرفقة."),
        (1, "1 condition attached.", "أُرفق شرط واحد."),
        (2, "2 conditions attached.", "أُرفق شرطان."),
        (4, "4 conditions attached.", "أُرفقت 4 شروط."),
        (12, "12 conditions attached.", "أُرفق 12 شرطًا."),
    ],
)
def test_a_stored_count_picks_the_form_in_each_language(
    count: int, english: str, arabic: str
) -> None:
    # As stored before the notice listed its conditions: the earlier id still pluralises.
    params = {"reference": "R-1", "authority": "army", "count": count}
    stored = Message(APPROVED.title, EARLIER[1], params)
    stored.check()
    assert stored.render(Locale.EN)[1] == english
    assert stored.render(Locale.AR)[1] == arabic
    assert stored.both()["body"] == {"en": english, "ar": arabic}


def test_a_plural_message_without_its_count_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit its parameters"):
        Message(
            APPROVED_WITH_CONDITIONS.title,
            APPROVED_WITH_CONDITIONS.body,
            {"reference": "R-1", "authority": "a", "conditions": "-"},
        ).check()
