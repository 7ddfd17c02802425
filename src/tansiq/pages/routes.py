"""The web pages: sign-in, home by role, an application with its decisions and map, the
reviewer's decision form, the printable permit and the inbox. Parse → service → render."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from tansiq.clearances import reviews, service
from tansiq.clearances.applications import reference_of
from tansiq.clearances.domain import Decision, ReviewStatus
from tansiq.clearances.permit_terms import render_permit
from tansiq.clearances.reasons import ReasonCode
from tansiq.clearances.render import application_out, applications_out, reason_label
from tansiq.clearances.repository import ClearanceRepository
from tansiq.clearances.schemas import ApplicationOut, ConditionIn, DecisionIn
from tansiq.core.clock import ensure_utc
from tansiq.core.errors import STATUS_BY_CATEGORY, InvalidInput, TansiqError
from tansiq.core.i18n import Locale
from tansiq.notify import service as notify
from tansiq.pages import maps
from tansiq.pages.screen import (
    INBOX_LIMIT,
    LIST_LIMIT,
    Current,
    Form,
    FormData,
    Screen,
    local_path,
    one,
    review_words,
    signer,
    tr,
)
from tansiq.pages.text import CONDITION, DECISION, STATUS
from tansiq.pages.view import finish
from tansiq.parties.domain import Role
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import authenticate, issue_token, revoke_token, set_locale
from tansiq.permits.domain import ConditionKind, PermitNotFound
from tansiq.permits.repository import PermitRepository
from tansiq.web.deps import LANG_COOKIE, RecordId
from tansiq.web.session import CsrfRejected, PageSession

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_form(s: Current, next: str | None = None) -> Response:
    if s.me is not None:
        return s.go(local_path(next))
    return s.show("login.html", next=local_path(next))


@router.post("/login")
def login(s: Current, form: FormData) -> Response:
    try:
        s.check_csrf(form)
        user = authenticate(s.session, one(form, "username") or "", one(form, "password") or "")
    except TansiqError as error:
        s.session.rollback()
        status = STATUS_BY_CATEGORY[error.category]
        template = "error.html" if isinstance(error, CsrfRejected) else "login.html"
        return s.show(
            template,
            status,
            error=error.render(s.locale),
            next=local_path(one(form, "next")),
            username=one(form, "username") or "",
        )
    issued = issue_token(
        s.session,
        user,
        name="web session",
        clock=s.hub.clock,
        ttl=timedelta(days=s.hub.settings.token_ttl_days),
    )
    s.page = PageSession(token=issued.secret, token_id=issued.token_id)  # a new CSRF token too
    response = s.go(local_path(one(form, "next")))
    if LANG_COOKIE not in s.request.cookies and user.locale in tuple(Locale):
        _remember_language(response, user.locale)  # a new device speaks the user's language
    return response


@router.post("/logout")
def logout(s: Current, form: FormData) -> Response:
    try:
        s.check_csrf(form)
    except CsrfRejected as error:
        return s.error(error)
    if s.me is not None and s.page.token_id is not None:
        revoke_token(s.session, s.me, s.page.token_id, s.hub.clock)
    s.page, s.me = PageSession(), None
    return s.go("/login")


@router.get("/lang/{code}")
def choose_language(code: str, s: Current, next: str | None = None) -> Response:
    """Remember the reader's language (in the browser, and for a signed-in user in their
    profile, so their other devices and their e-mail follow) and go back where they were."""
    response = s.go(local_path(next))
    if code in tuple(Locale):
        _remember_language(response, code)
        if s.me is not None:
            set_locale(s.session, s.me, code)
    return response


def _remember_language(response: Response, code: str) -> None:
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)


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


def _summary(s: Screen, out: ApplicationOut) -> dict[str, Any]:
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


def _waiting(s: Screen) -> list[dict[str, Any]]:
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
    usernames = PartyRepository(s.session).usernames({d.decided_by for d, _ in decided})
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


@router.get("/applications/{application_id}")
def application_page(application_id: RecordId, s: Current, decided: bool = False) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        return _application(s, application_id, decided=decided)
    except TansiqError as error:
        return s.error(error)


def _application(
    s: Screen,
    application_id: int,
    *,
    decided: bool = False,
    error: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    assert s.me is not None  # noqa: S101 - callers check
    record = service.get_application(s.session, s.me, application_id)
    out = application_out(s.session, record, s.locale)
    own = PartyRepository(s.session).party(s.me.party_id)
    mine = next(
        (
            r
            for r in out.reviews
            if own is not None
            and r.authority == own.code
            and r.status is ReviewStatus.PENDING
            and Role.REVIEWER in s.me.roles
        ),
        None,
    )
    decisions = [
        review_words(s, r)
        | {
            "decision": None if r.decision is None else tr(s, DECISION[r.decision]),
            "conditions": [
                {
                    "label": tr(s, CONDITION[ConditionKind(c["kind"])]),
                    "detail": ", ".join(c.get("checkpoints", [])) or c.get("text", ""),
                }
                for c in r.conditions
            ],
            "deadline": r.deadline,
            "decided_at": r.decided_at,
            "zones": [z.get(f"name_{s.locale.value}", "") for z in r.required_by.get("zones", [])],
            "checkpoints": r.required_by.get("checkpoints", []),
        }
        for r in out.reviews
    ]
    ours = {
        zone["id"]
        for r in out.reviews
        if own is not None and r.authority == own.code
        for zone in r.required_by.get("zones", [])
    }
    history = [
        {
            "at": t.at,
            "status": tr(s, STATUS[t.to_status]),
            "actor": t.actor or "",
            "reason": t.reason,
        }
        for t in out.transitions
    ]
    tokened = {
        t.permit_id for t in PermitRepository(s.session).tokens_of([p.id for p in out.permits])
    }
    permits = [
        {
            "id": p.id,
            "number": p.number,
            "status": p.status.value,
            "valid_from": p.valid_from,
            "valid_until": p.valid_until,
            "printable": p.id in tokened,
        }
        for p in out.permits
    ]
    reasons = [
        {"code": code.value, "label": getattr(reason_label(code), s.locale.value)}
        for code in ReasonCode
    ]
    return s.show(
        "application.html",
        status_code,
        app=out,
        status=tr(s, STATUS[out.status]),
        decisions=decisions,
        history=history,
        permits=permits,
        review=mine,
        highlighted=bool(ours),
        route_shown=True,
        reasons=reasons,
        decided=decided,
        error=error,
        map=_application_map(s, out, frozenset(ours)),
        tile_url=s.hub.settings.tile_url or "",
        window=(ensure_utc(record.valid_from), ensure_utc(record.valid_until)),
    )


def _application_map(s: Screen, out: ApplicationOut, ours: frozenset[int]) -> maps.MapView:
    """Zones near the route (ours drawn heavier), checkpoints near it, and the route."""
    near = maps.near_route(out.route)
    now = s.hub.clock.now()
    return maps.build_map(
        s.session,
        s.locale,
        maps.zones(s.session, s.locale, now, near=near, highlight=ours)
        + maps.checkpoints(s.session, s.locale, near=near)
        + [maps.route_feature(out.route)],
    )


@router.post("/reviews/{review_id}/decision")
def decide(review_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
    except CsrfRejected as error:
        return s.error(error)
    found = ClearanceRepository(s.session).review(review_id)
    application_id = 0 if found is None else found.application_id
    try:
        body = _decision_of(form)
        reviews.decide_review(
            s.session, s.me, review_id, body, s.hub.clock, s.hub.settings.secret_key
        )
    except TansiqError as error:
        s.session.rollback()
        if found is None:
            return s.error(error)
        try:
            return _application(
                s,
                application_id,
                error=error.render(s.locale),
                status_code=STATUS_BY_CATEGORY[error.category],
            )
        except TansiqError as hidden:
            return s.error(hidden)
    return s.go(f"/applications/{application_id}?decided=1")


def _decision_of(form: Form) -> DecisionIn:
    conditions: list[ConditionIn] = []
    if one(form, "daylight"):
        conditions.append(ConditionIn(kind=ConditionKind.DAYLIGHT_ONLY))
    if one(form, "escort"):
        conditions.append(ConditionIn(kind=ConditionKind.ESCORT_REQUIRED))
    via = [c.strip() for c in (one(form, "via") or "").split(",") if c.strip()]
    if via:
        conditions.append(ConditionIn(kind=ConditionKind.VIA_CHECKPOINTS, checkpoints=via))
    if free := (one(form, "free_text") or "").strip():
        conditions.append(ConditionIn(kind=ConditionKind.FREE_TEXT, text=free))
    decision = one(form, "decision") or ""
    if decision == Decision.APPROVE and conditions:
        decision = Decision.APPROVE_WITH_CONDITIONS
    try:
        return DecisionIn(
            decision=decision,
            expected_version=int(one(form, "expected_version") or "0"),
            conditions=conditions if decision == Decision.APPROVE_WITH_CONDITIONS else [],
            reason_code=(one(form, "reason_code") or None) if decision == Decision.REJECT else None,
            note=one(form, "note") or "",
        )
    except (ValidationError, ValueError):
        raise InvalidInput from None


@router.get("/permits/{permit_id}/print")
def print_permit(permit_id: RecordId, s: Current) -> Response:
    """The printable permit, for the signed-in user who may see it (same page as the API's)."""
    if s.me is None:
        return s.sign_in_first()
    repo = ClearanceRepository(s.session)
    permit = PermitRepository(s.session).permit(permit_id)
    application = None if permit is None else repo.application(permit.reference)
    record = PermitRepository(s.session).token_of(permit_id)
    if (
        permit is None
        or application is None
        or not service.visible(s.session, s.me, application)
        or record is None
        or record.token is None
    ):
        return s.error(PermitNotFound(permit=permit_id))
    response = HTMLResponse(render_permit(s.session, application, permit, record.token, s.locale))
    # The permit page keeps its own <style> so it prints the same when saved alone.
    finish(response, s.request, s.page, signer(s.request), s.csp(inline_styles=True))
    return response


@router.get("/inbox")
def inbox_page(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    entries = notify.inbox(s.session, s.me, limit=INBOX_LIMIT)
    messages = [
        {
            "id": entry.event.id,
            "title": entry.message().render(s.locale)[0],
            "body": entry.message().render(s.locale)[1],
            "at": entry.event.created_at,
            "read": entry.read_at is not None,
            "subject": entry.event.subject,
            "link": _link_of(entry.event.subject),
        }
        for entry in entries
    ]
    return s.show("inbox.html", messages=messages)


def _link_of(subject: str) -> str | None:
    """The page a message is about, when it names an application."""
    kind, _, ident = subject.partition(":")
    return f"/applications/{ident}" if kind == "application" and ident.isdigit() else None


@router.post("/inbox/{event_id}/read")
def read_message(event_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        notify.mark_read(s.session, s.me, event_id, s.hub.clock)
    except TansiqError as error:
        return s.error(error)
    return s.go("/inbox")
