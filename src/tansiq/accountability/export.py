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
    yield from _section(
        period,
        [("authority", row) for row in figures.authorities],
        ("all_authorities", figures.totals),
        AUTHORITY_FIGURES,
        ("median_hours", "p90_hours"),
        locale,
    )
    yield from _section(
        period,
        [("checkpoint", place) for place in figures.checkpoints],
        ("all_checkpoints", figures.checkpoint_totals),
        CHECKPOINT_FIGURES,
        None,
        locale,
    )
    yield from _section(
        period,
        [("party", row) for row in figures.liaison],
        ("all_parties", figures.liaison_totals),
        LIAISON_FIGURES,
        ("ack_median_hours", "ack_p90_hours"),
        locale,
    )


Row = AuthorityFigures | CheckpointFigures | PartyLiaisonFigures


def _section(
    period: Sequence[object],
    rows: Sequence[tuple[str, Row]],
    totals: tuple[str, Row],
    shown: Sequence[Figure],
    times: tuple[str, str] | None,
    locale: Locale,
) -> Iterator[list[object]]:
    """One table's rows (each authority's, checkpoint's or party's, then the totals, named by
    ``totals``' scope): each figure, and the median and 90th percentile times in hours."""
    every = translate(LABELS[totals[0]], locale)
    for scope, row in [*rows, totals]:
        name = name_in(locale, row.name_ar, row.name_en) if row.id else every
        head = [*period, scope, row.code, name]
        for figure in shown:
            yield from _figure_rows(head, figure, row, locale)
        if times is None or isinstance(row, CheckpointFigures):
            continue
        for key, value in zip(times, (row.median_seconds, row.p90_seconds), strict=True):
            yield [*head, key, translate(LABELS[key], locale), "", "", _hours(value)]


def _figure_rows(
    head: Sequence[object],
    figure: Figure,
    row: Row,
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
