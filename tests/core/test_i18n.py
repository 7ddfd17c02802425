"""Translation: the Arabic catalog is complete and current; locales are negotiated sanely."""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tansiq.core.i18n import Locale, negotiate_locale, translate

SOURCE = Path(__file__).resolve().parents[2] / "src" / "tansiq"


def source_messages() -> set[str]:
    found = extract_from_dir(str(SOURCE), method_map=[("**.py", "python")], keywords={"N_": None})
    return {str(message) for _file, _line, message, _comments, _context in found}


def arabic_catalog() -> dict[str, tuple[str, bool]]:
    path = resources.files("tansiq") / "locale" / "ar" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="ar")
    return {str(m.id): (str(m.string), m.fuzzy) for m in catalog if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalog_is_current_with_the_source() -> None:
    """Fails when a message was added, changed or removed without running scripts/i18n."""
    in_source = source_messages()
    in_catalog = set(arabic_catalog())
    assert in_source - in_catalog == set(), "run scripts/i18n: messages missing from catalog"
    assert in_catalog - in_source == set(), "run scripts/i18n: stale messages in catalog"


def test_every_message_has_an_arabic_translation_with_the_same_placeholders() -> None:
    for message, (translation, fuzzy) in arabic_catalog().items():
        assert translation, f"no Arabic for {message!r}"
        assert not fuzzy, f"fuzzy Arabic for {message!r}"
        assert re.search("[\u0600-\u06ff]", translation), f"not Arabic: {translation!r}"
        assert placeholders(translation) == placeholders(message), message


def test_translate_fills_parameters_in_either_language() -> None:
    message = 'No party "{party}".'
    assert translate(message, Locale.EN, party="x") == 'No party "x".'
    assert translate(message, Locale.AR, party="x") == 'لا توجد جهة "x".'
    assert translate("not in any catalog", Locale.AR) == "not in any catalog"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, Locale.EN),
        ("", Locale.EN),
        ("ar", Locale.AR),
        ("ar-SY,ar;q=0.9,en;q=0.8", Locale.AR),
        ("en-GB,en;q=0.9,ar;q=0.8", Locale.EN),
        ("fr-FR,ar;q=0.5,en;q=0.4", Locale.AR),
        ("fr-FR,de", Locale.EN),
        ("ar;q=0, en", Locale.EN),
        ("ar;q=abc,en;q=0.1", Locale.EN),
        ("en;q=0.2,ar;q=0.7", Locale.AR),
        ("*", Locale.EN),
    ],
)
def test_negotiate_locale(header: str | None, expected: Locale) -> None:
    assert negotiate_locale(header) is expected


def test_arabic_reads_right_to_left() -> None:
    assert Locale.AR.direction == "rtl"
    assert Locale.EN.direction == "ltr"
