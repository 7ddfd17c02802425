"""The clearance pages everyone starts from: home by role (the trader's applications, the
reviewer's waiting reviews, the observer's overview) and what a reviewer's authority decided."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response

from tansiq.clearances import service
from tansiq.clearances.applications import reference_of
from tansiq.clearances.domain import Decision
from tansiq.clearances.pages.shown import review_words
from tansiq.clearances.reasons import ReasonCode
from tansiq.clearances.render import applications_out, reason_label
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import ApplicationOut
from tansiq.clearances.words import DECISION, STATUS
from tansiq.core.clock import ensure_utc
from tansiq.parties import directory
from tansiq.parties.deps import Current
from tansiq.parties.domain import Principal, Role
from tansiq.web.screen import LIST_LIMIT, Screen, tr

router = APIRouter(include_in_schema=False)
Page = Screen[Principal]


@router.get("/home")
def home(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    if Role.REVIEWER in s.me.roles:
        return s.show("reviews.html", waiting=_waiting(s))
    listed = service.list_applications(s.session, s.me, limit=LIST_LIMIT)
    applications = [_summary(s, out) for out in applications_out(s.session, listed, s.locale)]
    if Role.APPLICANT in s.me.roles:
        return s.show("applications.html", applications=applications)
    counts: dict[str, int] = {}
    for shown in applications:
        counts[shown["status"]] = counts.get(shown["status"], 0) + 1
    return s.show("dashboard.html", applications=applications, counts=sorted(counts.items()))


def _summary(s: Page, out: ApplicationOut) -> dict[str, Any]:
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


def _waiting(s: Page) -> list[dict[str, Any]]:
    assert s.me is not None  # noqa: S101 - only called for a signed-in reviewer
    now = s.hub.clock.now()
    shown = []
    # The reviewer's own authority's reviews: reading them is what a reviewer may do.
    queue = ClearanceRepository(s.session).pending_queue_of(s.me.party_id, LIST_LIMIT)
    for review, application, version in queue:
        content = version.content
        left = ensure_utc(review.deadline) - now
        shown.append(
            {
                "application_id": application.id,
                "reference": reference_of(application),
                "origin": content.get("origin", ""),
                "destination": content.get("destination", ""),
                "deadline": ensure_utc(review.deadline),
                "left": left,
                "overdue": left <= timedelta(0),
            }
        )
    return shown


@router.get("/reviews/history")
def decided_reviews(s: Current) -> Response:
    """What my authority decided, newest first, each with its reason and who took it."""
    if s.me is None:
        return s.sign_in_first()
    if Role.REVIEWER not in s.me.roles:
        return s.go("/home")
    repo = ClearanceRepository(s.session)
    decided = repo.decisions_of(s.me.party_id, LIST_LIMIT)
    applications = repo.applications_by_ids({review.application_id for _, review in decided})
    usernames = directory.usernames(s.session, {d.decided_by for d, _ in decided})
    rows = []
    for decision, review in decided:
        application = applications.get(review.application_id)
        code = None if decision.reason_code is None else ReasonCode(decision.reason_code)
        rows.append(
            {
                "application_id": review.application_id,
                "reference": "" if application is None else reference_of(application),
                "round": decision.round,
                "version": decision.application_version,
                "decision": tr(s, DECISION[Decision(decision.decision)]),
                "decision_code": decision.decision,
                "reason": None if code is None else getattr(reason_label(code), s.locale.value),
                "reason_code": decision.reason_code,
                "note": decision.note,
                "by": usernames.get(decision.decided_by, ""),
                "at": ensure_utc(decision.decided_at),
            }
        )
    return s.show("reviews_history.html", decided=rows)
