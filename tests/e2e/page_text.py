"""What a page's reader sees must be words, not the hub's codes (STYLE.md §12), checked by the
page crawler on every page it reaches.

The convention: a page may show a code or an ISO 8601 time only inside a small details line,
an element with the class ``details``, or in ``<code>``/``<kbd>``/``<samp>``. Everywhere else
the visible text must not hold:

- an internal code: a dotted error code (``form.required``,
  ``application.too_few_checkpoints``), a snake-case code (``cargo_mismatch``), or the code of
  a party or a checkpoint (``west-command``, ``W-GATE``), which have names;
- an ISO 8601 time (``2026-11-25T12:00``, ``2026-11-25 12:00``): times are written on the
  town's clock in the language's one format;
- on an Arabic page, the English form of a name that has an Arabic one (a party, a
  checkpoint, a zone, a place), inside an Arabic sentence or standing alone.

Form values (inputs, text areas), hidden elements and scripts are not visible text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from playwright.sync_api import Page

from tansiq.demo.service import PARTIES, USERS, demo_file

# The visible text nodes of the page, outside the elements allowed to hold codes.
VISIBLE_TEXT = """() => {
  const allowed = "code, kbd, samp, .details, script, style, noscript, template, textarea";
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    if (!text) continue;
    const parent = node.parentElement;
    if (!parent || parent.closest(allowed)) continue;
    if (parent.closest("[hidden], [aria-hidden='true']")) continue;
    const style = getComputedStyle(parent);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = parent.getBoundingClientRect();
    // Text kept for screen readers only (visually-hidden) is read out: it counts too.
    if (box.width === 0 && box.height === 0 && !parent.closest(".visually-hidden")) continue;
    const marked = parent.closest("[lang]");
    found.push([text, marked ? marked.getAttribute("lang") : ""]);
  }
  return found;
}"""

DOTTED = re.compile(r"(?<![\w./@-])[a-z]{2,}(?:\.[a-z][a-z_]+)+(?![\w/@-]|\.\w)")
SNAKE = re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w/@-])")
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ARABIC = re.compile(r"[\u0600-\u06ff]")
LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.'-]*")
# Words that look like codes but are not the hub's: abbreviations, and user names, which
# people type to sign in and see to know who acted.
NOT_CODES = frozenset({"e.g", "i.e", *(user.username for user in USERS)})


@cache
def translated_names() -> frozenset[str]:
    """The English forms of the demo's names that have an Arabic form too."""
    names = {en for _code, _kind, ar, en in PARTIES if ar and en}
    for name in (
        "checkpoints.geojson",
        "zones_east.geojson",
        "zones_west_2025.geojson",
        "zones_west_2026.geojson",
        "base_places.geojson",
    ):
        for feature in demo_file(name)["features"]:
            properties: dict[str, Any] = feature["properties"]
            if properties.get("name_ar") and properties.get("name_en"):
                names.add(properties["name_en"])
    return frozenset(names)


@cache
def named_codes() -> frozenset[str]:
    """The codes of the demo's parties and checkpoints: each has a name to show instead."""
    parties = {code for code, *_rest in PARTIES if "-" in code}
    places = {f["properties"]["code"] for f in demo_file("checkpoints.geojson")["features"]}
    return frozenset(parties | places)


def text_problems(texts: list[tuple[str, str]], lang: str) -> list[str]:
    """What is wrong with the visible ``texts`` (each with the language of the element it is
    in) of a page in ``lang`` (see the module)."""
    problems: list[str] = []
    for text, said_in in texts:
        shown = text if len(text) <= 80 else text[:77] + "..."
        for code in (*DOTTED.findall(text), *SNAKE.findall(text)):
            if code not in NOT_CODES:
                problems.append(f"internal code {code!r} in {shown!r}")
        problems += [
            f"internal code {code!r} in {shown!r}"
            for code in sorted(named_codes())
            if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)
        ]
        problems += [f"ISO time {found!r} in {shown!r}" for found in ISO_TIME.findall(text)]
        # A run of Latin words that is exactly such a name, in an Arabic sentence or standing
        # alone where Arabic is read (not in an element marked English, like the language
        # switch or an error's English line). A longer run is free text a user typed in Latin
        # letters ("West Gate depot"): theirs to write.
        if lang == "ar" and said_in != "en":
            runs = {run.strip(" ,.-'") for run in LATIN_RUN.findall(text)}
            problems += [
                f"English name {name!r} where the Arabic one exists: {shown!r}"
                for name in sorted(translated_names() & runs)
            ]
    return problems


def page_text_problems(page: Page, lang: str) -> list[str]:
    """:func:`text_problems` of what ``page`` shows now."""
    texts: list[list[str]] = page.evaluate(VISIBLE_TEXT)
    return text_problems([(text, said_in) for text, said_in in texts], lang)
