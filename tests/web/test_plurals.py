"""Templates write numbers through ngettext, in the reader's language, escaped."""

from __future__ import annotations

import pytest

from tansiq.core.i18n import Locale
from tansiq.web.view import gettext_callables, templates

UNREAD = '{{ ngettext("%(num)s unread message", "%(num)s unread messages", n, num=fmt(n)) }}'


@pytest.mark.parametrize(
    ("n", "english", "arabic"),
    [
        (0, "0 unread messages", "لا رسائل غير مقروءة"),
        (1, "1 unread message", "رسالة واحدة غير مقروءة"),
        (2, "2 unread messages", "رسالتان غير مقروءتين"),
        (7, "7 unread messages", "7 رسائل غير مقروءة"),
        (42, "42 unread messages", "42 رسالة غير مقروءة"),
        (1200, "1,200 unread messages", "1,200 رسالة غير مقروءة"),
    ],
)
def test_ngettext_in_a_template_takes_the_readers_form(n: int, english: str, arabic: str) -> None:
    page = templates().from_string(UNREAD)
    for locale, expected in ((Locale.EN, english), (Locale.AR, arabic)):
        shown = page.render(n=n, fmt="{:,}".format, **gettext_callables(locale))
        assert shown == expected


def test_trans_blocks_and_values_are_escaped() -> None:
    page = templates().from_string(
        "{% trans count=n, who=who %}{{ who }} has {{ count }} point"
        "{% pluralize %}{{ who }} has {{ count }} points{% endtrans %}"
    )
    shown = page.render(n=3, who="<b>", **gettext_callables(Locale.EN))
    assert shown == "&lt;b&gt; has 3 points"
    # Without the reader's callables, the environment still renders (English).
    assert templates().from_string("{{ ngettext('a', 'b', 1) }}").render() == "a"
