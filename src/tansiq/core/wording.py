"""A stored message's parameters in the reader's words: one language per message.

Messages (inbox notices, an application's history) are stored as an English message id and
its parameters, and rendered when someone reads them (DESIGN.md, STYLE.md §12). The
parameters are data, never words in one language, so they follow these conventions:

- ``name_ar`` and ``name_en`` fill ``{name}`` with the form in the reader's script
  (:func:`in_both_scripts` makes the pair from a stored bilingual name);
- ``reason_msg`` holds a message id (marked ``N_``) that fills ``{reason}``, translated;
- a time stored as ISO 8601 with its offset is written on the town's clock, in the
  reader's one date format (:mod:`tansiq.core.localtime`);
- a list is stored as ``things_ar``/``things_en``, each joined with its language's comma
  (:func:`listed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, tzinfo
from typing import Any

from tansiq.core import localtime
from tansiq.core.i18n import Locale, translate
from tansiq.core.text import name_in

# A parameter named ``<name>_msg`` holds a message id that fills ``{<name>}`` translated.
MESSAGE_SUFFIX = "_msg"
COMMA = {Locale.AR: "\u060c ", Locale.EN: ", "}


def in_reader_words(
    params: Mapping[str, Any], locale: Locale, zone: tzinfo = UTC
) -> dict[str, Any]:
    """``params`` as ``locale``'s reader sees them, times on the clock of ``zone``."""
    suffix = f"_{locale.value}"
    shown: dict[str, Any] = {}
    for key, value in params.items():
        moment = localtime.parse_moment(value) if isinstance(value, str) else None
        shown[key] = value if moment is None else localtime.when(moment, locale, zone)
    for key, value in params.items():
        if key.endswith(suffix):
            shown[key[: -len(suffix)]] = value
        elif key.endswith(MESSAGE_SUFFIX) and isinstance(value, str):
            shown[key[: -len(MESSAGE_SUFFIX)]] = translate(value, locale) if value else "-"
    return shown


def in_both_scripts(key: str, ar: str, en: str) -> dict[str, str]:
    """``{key}_ar`` and ``{key}_en``: a bilingual name as each reader's script writes it."""
    return {f"{key}_{locale.value}": name_in(locale, ar, en) for locale in Locale}


def listed(key: str, items: Iterable[tuple[str, str]], *, messages: bool = False) -> dict[str, str]:
    """``{key}_ar`` and ``{key}_en``: the (Arabic, English) items, joined as each language
    joins a list; with ``messages`` the items are message ids, translated."""
    pairs = list(items)
    joined: dict[str, str] = {}
    for locale in Locale:
        words = [translate(en, locale) if messages else name_in(locale, ar, en) for ar, en in pairs]
        joined[f"{key}_{locale.value}"] = COMMA[locale].join(words) or "-"
    return joined
