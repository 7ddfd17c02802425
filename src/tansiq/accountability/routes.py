"""HTTP API of the figures: the figures of a period, the cases behind one, the CSV file."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from tansiq.accountability import service
from tansiq.accountability.domain import Figure, Period
from tansiq.accountability.export import csv_filename, figures_csv
from tansiq.accountability.render import case_out, figures_out
from tansiq.accountability.schemas import CasesOut, FiguresOut
from tansiq.parties.deps import CurrentPrincipal
from tansiq.web.deps import DbSession, Hub, RequestLocale
from tansiq.web.openapi import error_responses

router = APIRouter(prefix="/api/v1/figures", tags=["figures"])

From = Annotated[
    date | None,
    Query(alias="from", description="First UTC day (YYYY-MM-DD); default: 29 days before `to`."),
]
To = Annotated[
    date | None, Query(alias="to", description="Last UTC day, included; default: today.")
]
Authority = Annotated[
    str | None, Query(max_length=40, description="Only this authority's rows (by code).")
]
ERRORS = error_responses(403, 404, 422)


def period_of(hub: Hub, first: date | None, last: date | None) -> Period:
    return Period.of(first, last, hub.clock.now().date())


@router.get("", responses=ERRORS)
def get_figures(
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    first: From = None,
    last: To = None,
    authority: Authority = None,
) -> FiguresOut:
    """Each authority's and checkpoint's figures over the period, and the totals. The
    municipality and the hub's admins see every authority; an authority sees its own and the
    totals; others are refused (`auth.forbidden`). A period longer than two years, or ending
    before it starts, is refused (`figures.period_too_long`, `figures.bad_period`)."""
    found = service.figures(session, me, period_of(hub, first, last), authority)
    return figures_out(found)


@router.get(
    "/csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **ERRORS},
)
def get_figures_csv(
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
    first: From = None,
    last: To = None,
    authority: Authority = None,
) -> Response:
    """The same figures as a CSV file (UTF-8 with a byte-order mark; text in the caller's
    language; text cells that a spreadsheet would run as a formula are prefixed with `'`)."""
    found = service.figures(session, me, period_of(hub, first, last), authority)
    return Response(
        figures_csv(found, locale).encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{csv_filename(found)}"'},
    )


@router.get("/cases", responses=ERRORS)
def get_cases(
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    figure: Figure,
    first: From = None,
    last: To = None,
    authority: Authority = None,
    checkpoint: Annotated[str | None, Query(max_length=40)] = None,
    reason: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CasesOut:
    """The cases one figure counts that the caller may see, newest first: applications for
    an authority's figures, scans for a checkpoint's. A reason or outcome the figure does not
    have is refused (`figures.unknown_reason`)."""
    found = service.cases(
        session,
        me,
        figure,
        period_of(hub, first, last),
        authority=authority,
        checkpoint=checkpoint,
        reason=reason,
        limit=limit + 1,
        offset=offset,
    )
    return CasesOut(
        cases=[case_out(case) for case in found[:limit]],
        next_offset=offset + limit if len(found) > limit else None,
    )
