"""The figures as a CSV file a spreadsheet opens correctly: UTF-8 with a byte-order mark (so
Arabic is not read as Latin-1), one row per figure (and per reason), numbers as numbers, and
every text cell guarded against running as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from tansiq.accountability.domain import (
    AUTHORITY_FIGURES,
    BY_REASON,
    CHECKPOINT_FIGURES,
    LIAISON_FIGURES,
    Figure,
    spreadsheet_text,
)
from tansiq.accountability.reasons import reason_label
from tansiq.accountability.service import (
    AuthorityFigures,
    CheckpointFigures,
    Figures,
    PartyLiaisonFigures,
)
from tansiq.accountability.words import FIGURE_LABELS, LABELS
from tansiq.core.i18n import Locale, translate
from tansiq.core.text import name_in

BOM = "\ufeff"
HEADER = ("period_from", "period_to", "scope", "code", "name", "figure", "figure_label",
          "reason", "reason_label", "value")  # fmt: skip


def _hours(seconds: float | None) -> float | str:
    return "" if seconds is None else round(seconds / 3600, 2)


def rows(figures: Figures, locale: Locale) -> Iterator[list[object]]:
    """The file's rows after its header: text as the reader reads it, codes as stored."""
    period = [figures.period.first.isoformat(), figures.period.last.isoformat()]
    every = translate(LABELS["all_authorities"], locale)
    everywhere = translate(LABELS["all_checkpoints"], locale)
    authorities: list[tuple[str, AuthorityFigures]] = [
        ("authority", row) for row in figures.authorities
    ]
    for scope, row in [*authorities, ("all_authorities", figures.totals)]:
        name = name_in(locale, row.name_ar, row.name_en) if row.id else every
        head = [*period, scope, row.code, name]
        for figure in AUTHORITY_FIGURES:
            yield from _figure_rows(head, figure, row, locale)
        for key, value in (
            ("median_hours", _hours(row.median_seconds)),
            ("p90_hours", _hours(row.p90_seconds)),
        ):
            yield [*head, key, translate(LABELS[key], locale), "", "", value]
    places: list[tuple[str, CheckpointFigures]] = [
        ("checkpoint", place) for place in figures.checkpoints
    ]
    for scope, place in [*places, ("all_checkpoints", figures.checkpoint_totals)]:
        name = name_in(locale, place.name_ar, place.name_en) if place.id else everywhere
        head = [*period, scope, place.code, name]
        for figure in CHECKPOINT_FIGURES:
            yield from _figure_rows(head, figure, place, locale)
    anyone = translate(LABELS["all_parties"], locale)
    reached: list[tuple[str, PartyLiaisonFigures]] = [("party", row) for row in figures.liaison]
    for scope, answered in [*reached, ("all_parties", figures.liaison_totals)]:
        name = name_in(locale, answered.name_ar, answered.name_en) if answered.id else anyone
        head = [*period, scope, answered.code, name]
        for figure in LIAISON_FIGURES:
            yield from _figure_rows(head, figure, answered, locale)
        for key, value in (
            ("ack_median_hours", _hours(answered.median_seconds)),
            ("ack_p90_hours", _hours(answered.p90_seconds)),
        ):
            yield [*head, key, translate(LABELS[key], locale), "", "", value]


def _figure_rows(
    head: Sequence[object],
    figure: Figure,
    row: AuthorityFigures | CheckpointFigures | PartyLiaisonFigures,
    locale: Locale,
) -> Iterator[list[object]]:
    label = translate(FIGURE_LABELS[figure], locale)
    yield [*head, figure.value, label, "", "", row.count(figure)]
    if figure in BY_REASON or figure is Figure.APPEALED:
        by_reason = getattr(row, figure.value)
        for reason, count in sorted(by_reason.items()):
            words = translate(reason_label(figure, reason), locale)
            yield [*head, figure.value, label, reason, words, count]


def figures_csv(figures: Figures, locale: Locale) -> str:
    """The whole file, byte-order mark first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows(figures, locale):
        writer.writerow([spreadsheet_text(c) if isinstance(c, str) else c for c in row])
    return BOM + out.getvalue()


def csv_filename(figures: Figures) -> str:
    who = f"-{figures.authority}" if figures.authority else ""
    return f"tansiq-figures{who}-{figures.period.first}-{figures.period.last}.csv"
