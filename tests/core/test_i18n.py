"""Translation: the Arabic catalog is complete and current, with all six plural forms; plurals
are chosen by number; locales are negotiated sanely."""

from __future__ import annotations

import re
import string
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tansiq.core.i18n import (
    Locale,
    message_forms,
    negotiate_locale,
    plural_forms,
    translate,
    translate_plural,
    translations,
)

SOURCE = Path(__file__).resolve().parents[2] / "src" / "tansiq"
CATALOG = resources.files("tansiq") / "locale" / "ar" / "LC_MESSAGES" / "messages.po"
# The same keywords and mapping as scripts/i18n and babel.cfg.
KEYWORDS = {"N_": None, "NP_": (1, 2), "_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
ARABIC_PLURALS = (
    "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5);"
)
Id = str | tuple[str, str]


def source_messages() -> set[Id]:
    found = extract_from_dir(
        str(SOURCE),
        method_map=METHODS,
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    )
    return {
        message if isinstance(message, str) else (str(message[0]), str(message[1]))
        for _file, _line, message, _comments, _context in found
    }


def read_catalog() -> Catalog:
    with CATALOG.open("rb") as handle:
        return read_po(handle, locale="ar")


def arabic_catalog() -> dict[Id, tuple[Any, bool]]:
    return {
        (m.id if isinstance(m.id, str) else (str(m.id[0]), str(m.id[1]))): (m.string, m.fuzzy)
        for m in read_catalog()
        if m.id
    }


def placeholders(text: str) -> set[str]:
    """``{named}`` (Python messages) and ``%(named)s`` (template messages) placeholders."""
    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return braces | set(re.findall(r"%\((\w+)\)s", text))


def test_catalog_is_current_with_the_source() -> None:
    """Fails when a message was added, changed or removed without running scripts/i18n (a
    message that became plural, or stopped being one, counts as changed)."""
    in_source = source_messages()
    in_catalog = set(arabic_catalog())
    assert in_source - in_catalog == set(), "run scripts/i18n: messages missing from catalog"
    assert in_catalog - in_source == set(), "run scripts/i18n: stale messages in catalog"


def test_the_catalog_declares_arabics_six_plural_forms() -> None:
    header = CATALOG.read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert 'msgid ""' in header, "the catalog has no header: run scripts/i18n"
    assert "Plural-Forms: " + ARABIC_PLURALS in header.replace('"\n"', "")
    catalog = read_catalog()
    assert catalog.num_plurals == 6
    assert catalog.plural_forms == ARABIC_PLURALS


def test_every_message_has_an_arabic_translation_with_the_same_placeholders() -> None:
    for message, (translation, fuzzy) in arabic_catalog().items():
        assert not fuzzy, f"fuzzy Arabic for {message!r}"
        if isinstance(message, str):
            assert isinstance(translation, str)
            assert translation, f"no Arabic for {message!r}"
            assert re.search("[\u0600-\u06ff]", translation), f"not Arabic: {translation!r}"
            assert placeholders(translation) == placeholders(message), message
            continue
        assert isinstance(translation, tuple)
        assert len(translation) == 6, f"not six Arabic forms for {message[0]!r}"
        wanted = placeholders(message[0])
        assert placeholders(message[1]) == wanted, message
        number = "count" if "count" in wanted else "num"
        for index, form in enumerate(translation):
            assert form, f"Arabic plural form {index} missing for {message[0]!r}"
            assert re.search("[\u0600-\u06ff]", form), f"not Arabic: {form!r}"
            # Zero, one and two may spell the number out (لا ..., واحد, the dual).
            assert wanted - {number} <= placeholders(form) <= wanted, (message, index)
            if index >= 3:
                assert number in placeholders(form), (message, index)


def test_translate_fills_parameters_in_either_language() -> None:
    message = 'No party "{party}".'
    assert translate(message, Locale.EN, party="x") == 'No party "x".'
    assert translate(message, Locale.AR, party="x") == 'لا توجد جهة "x".'
    assert translate("not in any catalog", Locale.AR) == "not in any catalog"


@pytest.mark.parametrize(
    ("count", "arabic"),
    [
        (0, "لا شروط مرفقة."),
        (1, "أُرفق شرط واحد."),
        (2, "أُرفق شرطان."),
        (3, "أُرفقت 3 شروط."),
        (10, "أُرفقت 10 شروط."),
        (11, "أُرفق 11 شرطًا."),
        (99, "أُرفق 99 شرطًا."),
        (100, "أُرفق 100 شرط."),
        (102, "أُرفق 102 شرط."),
        (103, "أُرفقت 103 شروط."),
        (111, "أُرفق 111 شرطًا."),
    ],
)
def test_arabic_takes_the_form_its_number_calls_for(count: int, arabic: str) -> None:
    singular, plural = "{count} condition attached.", "{count} conditions attached."
    assert translate_plural(singular, plural, count, Locale.AR) == arabic
    # A message stored by its id with the count among its parameters pluralises when shown.
    assert translate(singular, Locale.AR, count=count) == arabic
    assert translate(singular, Locale.AR, count=str(count)) == arabic
    english = translate(singular, Locale.EN, count=count)
    assert english == (
        f"{count} condition attached." if count == 1 else f"{count} conditions attached."
    )


def test_the_count_may_come_formatted_or_as_a_fraction() -> None:
    message = "{count} authority must decide"
    assert translate(message, Locale.EN, count="1,200") == "1,200 authorities must decide"
    assert translate(message, Locale.AR, count="1,200") == "يجب أن تقرر 1,200 سلطة"
    # A fraction takes CLDR's category for it ("other" in both languages).
    assert translate(message, Locale.EN, count=1.5) == "1.5 authorities must decide"
    assert translate(message, Locale.AR, count=1.5) == "يجب أن تقرر 1.5 سلطة"
    assert translate(message, Locale.AR, count=24.0) == "يجب أن تقرر 24.0 سلطة"


def test_a_plural_label_without_its_count_and_a_count_that_is_no_number() -> None:
    # A label filled in later (by a script) reads as "many", with {count} left to fill.
    assert translate("{count} point drawn", Locale.EN) == "{count} points drawn"
    assert translate("{count} point drawn", Locale.AR) == "رُسمت {count} نقطة"
    assert translate("{count} point drawn", Locale.AR, count="—") == "رُسمت — نقطة"


def test_templates_get_each_languages_gettext() -> None:
    assert translations(Locale.EN).ngettext("day", "days", 2) == "days"
    assert translations(Locale.AR).gettext("Tansiq") == "تنسيق"


def test_a_script_gets_the_forms_by_plural_category() -> None:
    forms = message_forms("{count} point drawn", Locale.AR)
    assert set(forms) == {"zero", "one", "two", "few", "many", "other"}
    assert forms["two"] == "رُسمت نقطتان"
    assert forms["few"] == "رُسمت {count} نقاط"
    assert forms["many"] == "رُسمت {count} نقطة"
    assert plural_forms("{count} point", "{count} points", Locale.EN) == {
        "one": "{count} point",
        "other": "{count} points",
    }
    assert message_forms("Tansiq", Locale.AR) == {"other": "تنسيق"}


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
        ("AR-sy", Locale.AR),
        ("ar_SY", Locale.AR),
        ("en;q=0.5, ar;q=0.9, *;q=0.1", Locale.AR),
        ("ar; q=0.8, en; q=0.9", Locale.EN),
        (";;,,=q", Locale.EN),
        ("ar;q=", Locale.EN),
        ("x" * 300, Locale.EN),
    ],
)
def test_negotiate_locale(header: str | None, expected: Locale) -> None:
    assert negotiate_locale(header) is expected


def test_arabic_reads_right_to_left() -> None:
    assert Locale.AR.direction == "rtl"
    assert Locale.EN.direction == "ltr"
