"""Bilingual, normalised text: every name in Tansiq has an Arabic and an English form."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, NP_, Locale
from tansiq.core.unicode import clean_unicode

# Control characters other than tab/newline have no place in names and notes; they break
# printing and can hide text (e.g. bidi overrides are allowed, NUL is not).
_FORBIDDEN = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


MAX_NAME = 200


def normalise_text(value: str) -> str:
    """NFC-normalise and trim ``value``; NUL and other C0 controls and lone surrogates go."""
    cleaned = "".join(ch for ch in clean_unicode(value) if ch not in _FORBIDDEN)
    return unicodedata.normalize("NFC", cleaned).strip()


class NameRequired(TansiqError):
    code = "name.required"
    message = N_("A name in Arabic or English is required.")


class NameTooLong(TansiqError):
    code = "name.too_long"
    message = NP_(
        "A name may have at most {count} character.", "A name may have at most {count} characters."
    )


@dataclass(frozen=True)
class BilingualText:
    """A name in Arabic and English; either may be empty, not both."""

    ar: str
    en: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "ar", normalise_text(self.ar))
        object.__setattr__(self, "en", normalise_text(self.en))
        if not self.ar and not self.en:
            raise NameRequired
        if max(len(self.ar), len(self.en)) > MAX_NAME:
            raise NameTooLong(count=MAX_NAME)

    def in_locale(self, locale: Locale) -> str:
        """The form for ``locale``, falling back to the other language when it is missing."""
        if locale is Locale.AR:
            return self.ar or self.en
        return self.en or self.ar


def name_in(locale: Locale, ar: str, en: str) -> str:
    """A stored bilingual name in the reader's language, or the other one if that is empty."""
    return (ar or en) if locale is Locale.AR else (en or ar)
