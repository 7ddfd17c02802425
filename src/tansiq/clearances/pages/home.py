"""The clearance pages everyone starts from: home by role (the trader's applications, the
reviewer's waiting reviews, the observer's overview) and what a reviewer's authority decided."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from tansiq.clearances import queue, service
from tansiq.clearances.pages.shown import review_words
from tansiq.clearances.render import applications_out, reason_label
from tansiq.clearances.schemas import ApplicationOut
from tansiq.clearances.words import DECISION, STATUS
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.domain import PartyKind, Role
from tansiq.web.screen import LIST_LIMIT, tr

router = APIRouter(include_in_schema=False)


@router.get("/home")
def home(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    if Role.REVIEWER in s.me.roles:
        waiting = queue.waiting_reviews(s.session, s.me, s.hub.clock.now(), limit=LIST_LIMIT)
        return s.show("reviews.html", waiting=waiting)
    if s.me.party_kind is PartyKind.MUNICIPALITY:
        # Its own home (checkpoints/oversight.py): what it follows, and the contradictions.
        return s.go("/oversight")
    listed = service.list_applications(s.session, s.me, limit=LIST_LIMIT)
    applications = [_summary(s, out) for out in applications_out(s.session, listed, s.locale)]
    if Role.APPLICANT in s.me.roles:
        return s.show("applications.html", applications=applications)
    counts: dict[str, int] = {}
    for shown in applications:
        counts[shown["status"]] = counts.get(shown["status"], 0) + 1
    return s.show("dashboard.html", applications=applications, counts=sorted(counts.items()))


def _summary(s: Viewer, out: ApplicationOut) -> dict[str, Any]:
    return {
        "id": out.id,
        "reference": out.reference,
        "origin": out.content["origin"],
        "destination": out.content["destination"],
        "status": tr(s, STATUS[out.status]),
        "status_code": out.status.value,
        "contradiction": out.contradiction,
        "reviews": [review_words(s, r) for r in out.reviews],
    }


@router.get("/reviews/history")
def decided_reviews(s: Current) -> Response:
    """What my authority decided, newest first, each with its reason and who took it."""
    if s.me is None:
        return s.sign_in_first()
    if Role.REVIEWER not in s.me.roles:
        return s.go("/home")
    rows = [
        {
            "application_id": row.application_id,
            "reference": row.reference,
            "round": row.round,
            "version": row.version,
            "decision": tr(s, DECISION[row.decision]),
            "decision_code": row.decision.value,
            "reason": None
            if row.reason_code is None
            else getattr(reason_label(row.reason_code), s.locale.value),
            "reason_code": None if row.reason_code is None else row.reason_code.value,
            "note": row.note,
            "by": row.by,
            "at": row.at,
        }
        for row in queue.decided_reviews(s.session, s.me, limit=LIST_LIMIT)
    ]
    return s.show("reviews_history.html", decided=rows)
