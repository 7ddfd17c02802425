"""Translation of user-facing messages (English source strings, Arabic catalog).

Messages are marked where they are defined (literals, never f-strings): :func:`N_` for one
text, :func:`NP_` for a singular/plural pair whose number is the ``{count}`` parameter. They are
translated where they are shown, once the reader's locale is known: :func:`translate` (gettext
and format) and :func:`translate_plural` (ngettext and format). A plural message marked with
``NP_`` is stored and passed around by its singular id like any other; :func:`translate` sees
from the catalog that it has plural forms and picks one by ``count``, so notifications and
errors stored with their parameters pluralise when they are shown.

The catalog is the gettext ``.po`` file, compiled in memory with Babel on first use (a few
milliseconds), so there is no compiled file to ship or keep current.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

from tansiq.core.unicode import clean_unicode

if TYPE_CHECKING:
    from babel import Locale as BabelLocale
    from babel.support import NullTranslations

# Babel is imported where it is first needed: a command that shows no translated text (e.g.
# `tansiq --help`) should not pay for loading it.

COUNT = "count"


class Locale(StrEnum):
    """The languages Tansiq speaks."""

    EN = "en"
    AR = "ar"

    @property
    def direction(self) -> str:
        return "rtl" if self is Locale.AR else "ltr"


DEFAULT_LOCALE = Locale.EN


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark ``message`` for extraction; it is translated when shown."""
    return message


def NP_(singular: str, plural: str) -> str:  # noqa: N802 - as N_, for a plural pair
    """Mark a singular/plural pair for extraction; the number is the ``{count}`` parameter.

    Returns the singular, which is the message's id wherever it is stored or passed; when it
    is shown, :func:`translate` finds its plural forms in the catalog."""
    del plural
    return singular


@dataclass(frozen=True)
class _Catalogs:
    translations: Mapping[Locale, NullTranslations]
    plurals: Mapping[str, str]  # singular id -> English plural, for every plural message


def _catalog_path(locale: Locale) -> Traversable:
    return resources.files("tansiq") / "locale" / locale.value / "LC_MESSAGES" / "messages.po"


@cache
def _catalogs_source() -> NullTranslations:
    """English is the source language: its singular and plural are the message ids."""
    from babel.support import NullTranslations

    return NullTranslations()


@cache
def _catalogs() -> _Catalogs:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    translations: dict[Locale, NullTranslations] = {DEFAULT_LOCALE: _catalogs_source()}
    plurals: dict[str, str] = {}
    for locale in Locale:
        if locale is DEFAULT_LOCALE:
            continue
        with _catalog_path(locale).open("rb") as handle:
            catalog = read_po(handle, locale=locale.value)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)  # leaves out fuzzy and untranslated messages
        compiled.seek(0)
        translations[locale] = Translations(compiled)
        plurals.update(
            (str(m.id[0]), str(m.id[1])) for m in catalog if m.id and isinstance(m.id, tuple)
        )
    return _Catalogs(translations, plurals)


def _fill(text: str, params: Mapping[str, object]) -> str:
    if not params:
        return text
    return text.format(
        **{
            key: clean_unicode(value) if isinstance(value, str) else value
            for key, value in params.items()
        }
    )


def translate(message: str, locale: Locale, **params: object) -> str:
    """Translate ``message`` into ``locale`` and fill in its ``{named}`` parameters.

    A message marked with :func:`NP_` takes the form its ``count`` parameter calls for."""
    plural = _catalogs().plurals.get(message) if COUNT in params or not params else None
    if plural is not None:
        # Without a count (a label filled in later) the form for "many things" stands in.
        count = params.pop(COUNT, None)
        if count is None:
            return message_forms(message, locale)["other"]
        return translate_plural(message, plural, count, locale, **params)
    if locale is DEFAULT_LOCALE:
        return _fill(message, params)
    return _fill(_catalogs().translations[locale].gettext(message), params)


def translations(locale: Locale) -> NullTranslations:
    """The gettext catalog of ``locale`` (for template engines; code calls :func:`translate`)."""
    if locale is DEFAULT_LOCALE:
        return _catalogs_source()
    return _catalogs().translations[locale]


def translate_plural(
    singular: str, plural: str, count: object, locale: Locale, **params: object
) -> str:
    """The form of ``singular``/``plural`` that ``count`` calls for in ``locale``, with
    ``{count}`` and the other ``{named}`` parameters filled in. ``count`` may be given as
    formatted text (e.g. "1,200"), or as a number; the form is chosen by its value."""
    index = _plural_number(count, locale)
    if locale is DEFAULT_LOCALE:
        text = singular if index == 1 else plural
    else:
        text = _catalogs().translations[locale].ngettext(singular, plural, index)
    return _fill(text, {COUNT: count, **params})


def _plural_number(count: object, locale: Locale) -> int:
    """The whole number that picks the same form as ``count`` in ``locale``.

    gettext's plural rules take whole numbers; a fraction (1.5 hours) takes the form CLDR gives
    it, which is the form of the smallest whole number in the same CLDR category."""
    try:
        value = float(str(count).replace(",", "").replace("\u066c", "").replace("\u066b", "."))
    except ValueError:  # not a number at all: the form for "many things"
        return _whole_number_like("other", locale)
    if value.is_integer():
        return abs(int(value))
    return _whole_number_like(_babel_locale(locale).plural_form(abs(value)), locale)


@cache
def _babel_locale(locale: Locale) -> BabelLocale:
    from babel import Locale as BabelLocale

    return BabelLocale.parse(locale.value)


@cache
def _whole_number_like(category: str, locale: Locale) -> int:
    rule = _babel_locale(locale).plural_form
    return next((n for n in range(1000) if rule(n) == category), 1000)


def plural_forms(singular: str, plural: str, locale: Locale) -> dict[str, str]:
    """The message's form for each CLDR plural category of ``locale`` (``zero``, ``one``, …,
    ``other``), unfilled: what a browser script needs to choose with ``Intl.PluralRules``."""
    rule = _babel_locale(locale).plural_form
    forms: dict[str, str] = {}
    for category in (*sorted(rule.tags - {"other"}), "other"):
        n = _whole_number_like(category, locale)
        if locale is DEFAULT_LOCALE:
            forms[category] = singular if n == 1 else plural
        else:
            forms[category] = _catalogs().translations[locale].ngettext(singular, plural, n)
    return forms


def message_forms(message: str, locale: Locale) -> dict[str, str]:
    """:func:`plural_forms` of a message marked with :func:`NP_`, found by its singular id;
    ``{"other": translation}`` for a message without plural forms."""
    plural = _catalogs().plurals.get(message)
    if plural is None:
        return {"other": translate(message, locale)}
    return plural_forms(message, plural, locale)


def negotiate_locale(accept_language: str | None) -> Locale:
    """Pick the best supported locale from an ``Accept-Language`` header value.

    Tags are ordered by q-value (then by position); ``ar-SY`` matches ``ar``; a tag with
    ``q=0`` or a malformed q-value is refused; anything unparseable means the default."""
    from babel import negotiate_locale as babel_negotiate

    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, *options = (piece.strip() for piece in part.split(";"))
        weight = 1.0
        for option in options:
            name, _, value = option.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            weighted.append((-weight, position, tag.replace("_", "-")))
    preferred = [tag for _weight, _position, tag in sorted(weighted)]
    chosen = babel_negotiate(preferred, [locale.value for locale in Locale], sep="-")
    return Locale(chosen.lower()) if chosen else DEFAULT_LOCALE
