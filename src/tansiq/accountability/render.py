"""The figures as the API gives them, and the links from each figure to its cases."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from tansiq.accountability.domain import (
    AUTHORITY_FIGURES,
    CHECKPOINT_FIGURES,
    LIAISON_FIGURES,
    Figure,
    Period,
)
from tansiq.accountability.schemas import (
    AuthorityFiguresOut,
    CaseOut,
    CheckpointFiguresOut,
    FiguresOut,
    PartyLiaisonOut,
    ReasonCountOut,
)
from tansiq.accountability.service import (
    AuthorityFigures,
    Case,
    CheckpointFigures,
    Figures,
    PartyLiaisonFigures,
)


def cases_query(
    figure: Figure,
    period: Period,
    *,
    authority: str | None = None,
    checkpoint: str | None = None,
    reason: str | None = None,
) -> str:
    """The query string naming the cases behind one figure (pages and API alike)."""
    params = {
        "figure": figure.value,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
    }
    for key, value in (("authority", authority), ("checkpoint", checkpoint), ("reason", reason)):
        if value:
            params[key] = value
    return urlencode(params)


def _by(counts: Counter[str]) -> list[ReasonCountOut]:
    return [ReasonCountOut(reason=k, count=v) for k, v in sorted(counts.items())]


def authority_out(row: AuthorityFigures, period: Period) -> AuthorityFiguresOut:
    code = row.code or None
    return AuthorityFiguresOut(
        authority=code,
        received=row.received,
        decided=row.decided,
        approved=row.approved,
        refused=row.count(Figure.REFUSED),
        refused_by_reason=_by(row.refused),
        timed_decisions=row.timed,
        median_seconds=row.median_seconds,
        p90_seconds=row.p90_seconds,
        overdue=row.overdue,
        appealed=row.count(Figure.APPEALED),
        appeals_by_outcome=_by(row.appealed),
        revoked=row.count(Figure.REVOKED),
        revoked_by_reason=_by(row.revoked),
        cases={
            f.value: "/api/v1/figures/cases?" + cases_query(f, period, authority=code)
            for f in AUTHORITY_FIGURES
        },
    )


def checkpoint_out(
    place: CheckpointFigures, period: Period, authority: str | None
) -> CheckpointFiguresOut:
    code = place.code or None
    return CheckpointFiguresOut(
        checkpoint=code,
        authority=authority,
        passages=place.passages,
        refusals=place.count(Figure.REFUSALS),
        refusals_by_reason=_by(place.refusals),
        overrides=place.count(Figure.OVERRIDES),
        overrides_by_reason=_by(place.overrides),
        contradictions=place.contradictions,
        clones=place.clones,
        cases={
            f.value: "/api/v1/figures/cases?" + cases_query(f, period, checkpoint=code)
            for f in CHECKPOINT_FIGURES
        },
    )


def party_out(row: PartyLiaisonFigures, period: Period) -> PartyLiaisonOut:
    code = row.code or None
    return PartyLiaisonOut(
        party=code,
        notified=row.notified,
        acknowledged=row.count(Figure.ACKNOWLEDGED),
        acknowledged_by_answer=_by(row.acknowledged),
        unacknowledged=row.unacknowledged,
        timed_answers=row.timed,
        median_seconds=row.median_seconds,
        p90_seconds=row.p90_seconds,
        cases={
            f.value: "/api/v1/figures/cases?" + cases_query(f, period, authority=code)
            for f in LIAISON_FIGURES
        },
    )


def figures_out(figures: Figures) -> FiguresOut:
    period = figures.period
    return FiguresOut(
        period_from=period.first,
        period_to=period.last,
        authority=figures.authority,
        every_authority=figures.every_authority,
        authorities=[authority_out(row, period) for row in figures.authorities],
        totals=authority_out(figures.totals, period),
        checkpoints=[
            checkpoint_out(p, period, figures.authority_codes.get(p.authority_id))
            for p in figures.checkpoints
        ],
        checkpoint_totals=checkpoint_out(figures.checkpoint_totals, period, None),
        parties=[party_out(row, period) for row in figures.liaison],
        party_totals=party_out(figures.liaison_totals, period),
    )


def case_out(case: Case) -> CaseOut:
    if case.application_id is not None:
        url = f"/api/v1/applications/{case.application_id}"
    elif case.notification_id is not None:
        url = f"/api/v1/deconfliction/notifications/{case.notification_id}"
    else:
        url = f"/api/v1/scans/{case.scan_id}"
    return CaseOut(
        figure=case.figure.value,
        at=case.at,
        authority=case.authority,
        reason=case.reason,
        application=case.application_id,
        reference=case.reference,
        scan=case.scan_id,
        checkpoint=case.checkpoint,
        permit=case.permit,
        action=case.action,
        notification=case.notification_id,
        url=url,
    )
