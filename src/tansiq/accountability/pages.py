"""The figures' pages: the dashboard (charts, tables, filters by period and authority, CSV
export) and the cases behind one figure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response

from tansiq.accountability import service
from tansiq.accountability.charts import Bar, Series, bar_chart
from tansiq.accountability.domain import (
    AUTHORITY_FIGURES,
    CHECKPOINT_FIGURES,
    LIAISON_FIGURES,
    Figure,
    Period,
    parse_day,
)
from tansiq.accountability.export import csv_filename, figures_csv
from tansiq.accountability.reasons import REASONS, reason_label
from tansiq.accountability.render import cases_query
from tansiq.accountability.service import (
    AuthorityFigures,
    CheckpointFigures,
    Figures,
    PartyLiaisonFigures,
)
from tansiq.accountability.words import FIGURE_LABELS
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import Locale
from tansiq.core.text import name_in
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import parties
from tansiq.parties.domain import PartyKind
from tansiq.web.screen import tr
from tansiq.web.view import Formats

router = APIRouter(include_in_schema=False)
CASES_PAGE = 50
BREAKDOWN_TITLES = {
    Figure.REFUSED: "refusals_by_reason",
    Figure.APPEALED: "appeals_by_outcome",
    Figure.REVOKED: "revocations_by_reason",
    Figure.REFUSALS: "checkpoint_refusals_by_reason",
    Figure.OVERRIDES: "overrides_by_reason",
    Figure.ACKNOWLEDGED: "acknowledgements_by_answer",
}


def _period(s: Viewer, first: str | None, last: str | None) -> Period:
    return Period.of(parse_day(first), parse_day(last), s.hub.clock.now().date())


@router.get("/figures")
def dashboard(
    s: Current, first: str | None = None, last: str | None = None, authority: str = ""
) -> Response:
    """The dashboard; ``first``/``last`` come as ``?from=…&to=…`` (see :func:`_aliases`)."""
    if s.me is None:
        return s.sign_in_first()
    first, last = _aliases(s, first, last)
    try:
        found = service.figures(s.session, s.me, _period(s, first, last), authority or None)
    except TansiqError as error:
        return s.error(error)
    return s.show("figures.html", **_dashboard(s, found))


@router.get("/figures.csv")
def dashboard_csv(
    s: Current, first: str | None = None, last: str | None = None, authority: str = ""
) -> Response:
    if s.me is None:
        return s.sign_in_first()
    first, last = _aliases(s, first, last)
    try:
        found = service.figures(s.session, s.me, _period(s, first, last), authority or None)
    except TansiqError as error:
        return s.error(error)
    return Response(
        figures_csv(found, s.locale).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{csv_filename(found)}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/figures/cases")
def cases_page(
    s: Current,
    figure: str = "",
    authority: str = "",
    checkpoint: str = "",
    reason: str = "",
    offset: int = 0,
) -> Response:
    if s.me is None:
        return s.sign_in_first()
    first, last = _aliases(s, None, None)
    try:
        chosen = Figure(figure) if figure in tuple(Figure) else None
        if chosen is None:
            raise service.UnknownFigure(figure=figure[:40])
        period = _period(s, first, last)
        offset = max(0, min(offset, 10_000_000))
        found = service.cases(
            s.session,
            s.me,
            chosen,
            period,
            authority=authority or None,
            checkpoint=checkpoint or None,
            reason=reason or None,
            limit=CASES_PAGE + 1,
            offset=offset,
        )
    except TansiqError as error:
        return s.error(error)
    query = cases_query(
        chosen,
        period,
        authority=authority or None,
        checkpoint=checkpoint or None,
        reason=reason or None,
    )
    return s.show(
        "figures_cases.html",
        figure=tr(s, FIGURE_LABELS[chosen]),
        reason_words=tr(s, reason_label(chosen, reason)) if reason else "",
        labels={code: tr(s, words) for code, words in REASONS.get(chosen, {}).items()},
        period=period,
        authority=authority,
        checkpoint=checkpoint,
        scans=chosen in CHECKPOINT_FIGURES,
        notifications=chosen in LIAISON_FIGURES,
        cases=found[:CASES_PAGE],
        more=f"/figures/cases?{query}&offset={offset + CASES_PAGE}"
        if len(found) > CASES_PAGE
        else "",
        back="/figures?" + _period_query(period, authority),
    )


def _aliases(s: Viewer, first: str | None, last: str | None) -> tuple[str | None, str | None]:
    """``from`` is a Python keyword: the period comes as ``?from=…&to=…`` and is read here."""
    params = s.request.query_params
    return params.get("from", first), params.get("to", last)


def _period_query(period: Period, authority: str | None) -> str:
    query = f"from={period.first.isoformat()}&to={period.last.isoformat()}"
    return query + (f"&authority={authority}" if authority else "")


def _hours(seconds: float | None) -> float:
    return 0.0 if seconds is None else round(seconds / 3600, 1)


def _duration(fmt: Formats, seconds: float | None) -> str:
    return "" if seconds is None else fmt.duration(timedelta(seconds=seconds))


def _dashboard(s: Viewer, found: Figures) -> dict[str, Any]:
    fmt = Formats(s.locale)
    words = s.words()
    period = found.period
    authorities_known = parties(s.session, PartyKind.AUTHORITY)
    authority_names = {p.id: name_in(s.locale, p.name_ar, p.name_en) for p in authorities_known}

    def link(figure: Figure, **where: str | None) -> str:
        return "/figures/cases?" + cases_query(figure, period, **where)

    def timed_row(
        row: AuthorityFigures | PartyLiaisonFigures, shown: tuple[Figure, ...], every: str
    ) -> dict[str, Any]:
        """An authority's or a party's row (``every``: the totals' name): each figure linked
        to its cases, and the times within which half and nine in ten were answered."""
        code = row.code or None
        return {
            "name": name_in(s.locale, row.name_ar, row.name_en) if row.id else words[every],
            "code": row.code,
            "cells": [
                (figure, row.count(figure), link(figure, authority=code)) for figure in shown
            ],
            "median": _duration(fmt, row.median_seconds),
            "p90": _duration(fmt, row.p90_seconds),
        }

    def checkpoint_row(place: CheckpointFigures) -> dict[str, Any]:
        code = place.code or None
        name = (
            name_in(s.locale, place.name_ar, place.name_en)
            if place.id
            else words["all_checkpoints"]
        )
        return {
            "name": name,
            "code": place.code,
            "authority": authority_names.get(place.authority_id, ""),
            "cells": [
                (figure, place.count(figure), link(figure, checkpoint=code))
                for figure in CHECKPOINT_FIGURES
            ],
        }

    def matrix(figure: Figure, columns: list[tuple[str, Any]], where: str) -> dict[str, Any]:
        """One figure by reason (rows) and by authority or checkpoint (columns), totals last;
        each cell links to its cases."""
        reasons = sorted({r for _name, row in columns for r in getattr(row, figure.value)})
        return {
            "title": words[BREAKDOWN_TITLES[figure]],
            "columns": [name for name, _row in columns],
            "rows": [
                (
                    tr(s, reason_label(figure, reason)),
                    reason,
                    [
                        (
                            getattr(row, figure.value)[reason],
                            link(figure, reason=reason or None, **{where: row.code or None}),
                        )
                        for _name, row in columns
                    ],
                )
                for reason in reasons
            ],
        }

    authority_columns: list[tuple[str, Any]] = [
        (name_in(s.locale, r.name_ar, r.name_en), r) for r in found.authorities
    ]
    authority_columns.append((words["all_authorities"], found.totals))
    place_columns: list[tuple[str, Any]] = [
        (name_in(s.locale, p.name_ar, p.name_en), p) for p in found.checkpoints
    ]
    place_columns.append((words["all_checkpoints"], found.checkpoint_totals))
    party_columns: list[tuple[str, Any]] = [
        (name_in(s.locale, r.name_ar, r.name_en), r) for r in found.liaison
    ]
    party_columns.append((words["all_parties"], found.liaison_totals))
    authorities = [
        timed_row(row, AUTHORITY_FIGURES, "all_authorities") for row in found.authorities
    ]
    totals = timed_row(found.totals, AUTHORITY_FIGURES, "all_authorities")
    checkpoints = [checkpoint_row(place) for place in found.checkpoints]
    checkpoint_totals = checkpoint_row(found.checkpoint_totals)
    shown_choices = authorities_known if found.every_authority else []
    choices = [(p.code, authority_names[p.id]) for p in shown_choices]
    return {
        "period": period,
        "authority": found.authority or "",
        "every_authority": found.every_authority,
        "choices": choices,
        "figure_words": {figure: tr(s, label) for figure, label in FIGURE_LABELS.items()},
        "authorities": authorities,
        "totals": totals,
        "checkpoints": checkpoints,
        "checkpoint_totals": checkpoint_totals,
        "csv": "/figures.csv?" + _period_query(period, found.authority),
        "authority_breakdowns": [
            matrix(figure, authority_columns, "authority")
            for figure in (Figure.REFUSED, Figure.APPEALED, Figure.REVOKED)
        ],
        "checkpoint_breakdowns": [
            matrix(figure, place_columns, "checkpoint")
            for figure in (Figure.REFUSALS, Figure.OVERRIDES)
        ],
        "charts": _charts(s, found, fmt, words),
        "liaison": [timed_row(row, LIAISON_FIGURES, "all_parties") for row in found.liaison],
        "liaison_totals": timed_row(found.liaison_totals, LIAISON_FIGURES, "all_parties"),
        "liaison_breakdowns": [matrix(Figure.ACKNOWLEDGED, party_columns, "authority")],
    }


def _charts(s: Viewer, found: Figures, fmt: Formats, words: dict[str, str]) -> list[Any]:
    rtl = s.locale is Locale.AR
    label = {figure: tr(s, text) for figure, text in FIGURE_LABELS.items()}
    rows = (
        [*found.authorities, found.totals] if found.every_authority is False else found.authorities
    )

    def name(row: AuthorityFigures) -> str:
        return name_in(s.locale, row.name_ar, row.name_en) if row.id else words["all_authorities"]

    def count(value: float) -> str:
        return fmt.number(int(value))

    def hours(value: float) -> str:
        return fmt.number(value)

    decisions = [
        Bar(name(r), {"approved": r.approved, "refused": r.count(Figure.REFUSED)}) for r in rows
    ]
    times = [
        Bar(name(r), {"median": _hours(r.median_seconds), "p90": _hours(r.p90_seconds)})
        for r in rows
    ]
    places = [
        Bar(
            name_in(s.locale, p.name_ar, p.name_en),
            {
                "passages": p.passages,
                "refusals": p.count(Figure.REFUSALS),
                "overrides": p.count(Figure.OVERRIDES),
            },
        )
        for p in found.checkpoints
    ]
    sep = "، " if rtl else "; "
    drawn = [
        bar_chart(
            "chart-decisions",
            words["chart_decisions"],
            decisions,
            [
                Series("approved", label[Figure.APPROVED], "#1a7f37"),
                Series("refused", label[Figure.REFUSED], "#f4c27a", pattern=True),
            ],
            rtl=rtl,
            stacked=True,
            shown=count,
            summary=sep.join(
                f"{b.label}: {label[Figure.APPROVED]} {count(b.values['approved'])}, "
                f"{label[Figure.REFUSED]} {count(b.values['refused'])}"
                for b in decisions
            ),
        ),
        bar_chart(
            "chart-times",
            words["chart_times"],
            times,
            [
                Series("median", words["median_time"], "#0b4f6c"),
                Series("p90", words["p90_time"], "#9ec5dc"),
            ],
            rtl=rtl,
            stacked=False,
            shown=hours,
            summary=sep.join(
                f"{b.label}: {words['median_time']} {hours(b.values['median'])}, "
                f"{words['p90_time']} {hours(b.values['p90'])}"
                for b in times
            ),
        ),
        bar_chart(
            "chart-checkpoints",
            words["chart_checkpoints"],
            places,
            [
                Series("passages", label[Figure.PASSAGES], "#1a7f37"),
                Series("refusals", label[Figure.REFUSALS], "#f4c27a", pattern=True),
                Series("overrides", label[Figure.OVERRIDES], "#6f42c1"),
            ],
            rtl=rtl,
            stacked=True,
            shown=count,
            summary=sep.join(
                f"{b.label}: {label[Figure.PASSAGES]} {count(b.values['passages'])}, "
                f"{label[Figure.REFUSALS]} {count(b.values['refusals'])}, "
                f"{label[Figure.OVERRIDES]} {count(b.values['overrides'])}"
                for b in places
            ),
        ),
    ]
    titles = (words["chart_decisions"], words["chart_times"], words["chart_checkpoints"])
    return list(zip(titles, drawn, strict=True))
