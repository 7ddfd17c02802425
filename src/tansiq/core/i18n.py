"""Translation of user-facing messages (English source strings, Arabic catalog).

Messages are marked with :func:`N_` where they are defined (a literal, never an f-string), and
translated with :func:`translate` where they are shown, once the reader's locale is known.
The catalogs are gettext ``.po`` files read with Babel, so no compile step is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from importlib import resources

from babel.messages.pofile import read_po

from tansiq.core.unicode import clean_unicode


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


@cache
def _catalog(locale: Locale) -> Mapping[str, str]:
    if locale is Locale.EN:
        return {}
    path = resources.files("tansiq") / "locale" / locale.value / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale.value)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


def translate(message: str, locale: Locale, **params: object) -> str:
    """Translate ``message`` into ``locale`` and fill in its ``{named}`` parameters."""
    text = _catalog(locale).get(message, message)
    if not params:
        return text
    return text.format(
        **{
            key: clean_unicode(value) if isinstance(value, str) else value
            for key, value in params.items()
        }
    )


def negotiate_locale(accept_language: str | None) -> Locale:
    """Pick the best supported locale from an ``Accept-Language`` header value."""
    if not accept_language:
        return DEFAULT_LOCALE
    choices: list[tuple[float, int, Locale]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        for locale in Locale:
            if primary == locale.value and weight > 0:
                choices.append((-weight, position, locale))
    return min(choices)[2] if choices else DEFAULT_LOCALE
