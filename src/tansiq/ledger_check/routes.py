"""``GET /api/v1/ledger/verification``: ``tansiq ledger verify`` for the hub's admins."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from tansiq.ledger_check.sources import verify_ledger
from tansiq.parties import access
from tansiq.parties.deps import CurrentPrincipal
from tansiq.web.deps import DbSession, RequestLocale

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"])


class ProblemOut(BaseModel):
    code: str
    message: str


class VerificationOut(BaseModel):
    intact: bool
    entries: int
    heads: int
    problem: ProblemOut | None = None


@router.get("/verification")
def verification(
    session: DbSession, me: CurrentPrincipal, locale: RequestLocale
) -> VerificationOut:
    """Recompute the tree, check every signed head and every entry against the row it
    records; the first problem, coded. Hub admins only: it reads every feature's rows."""
    access.require(access.is_hub_admin(me))
    check = verify_ledger(session)
    problem = None
    if check.problem is not None:
        shown = check.problem.render(locale)
        problem = ProblemOut(code=shown["code"], message=shown["message"])
    return VerificationOut(
        intact=check.intact, entries=check.entries, heads=check.heads, problem=problem
    )
