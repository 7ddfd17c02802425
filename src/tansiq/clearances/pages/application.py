"""An application's page (its decisions, history, permits and map), the reviewer's decision
form posted from it, and the printable permit. Parse → service → render."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from tansiq.clearances import records, reviews, service
from tansiq.clearances.domain import Decision, ReviewStatus
from tansiq.clearances.pages.facts import Chosen, chosen_of, facts_card
from tansiq.clearances.pages.shown import review_words
from tansiq.clearances.permit_terms import render_permit
from tansiq.clearances.reasons import ReasonCode
from tansiq.clearances.render import application_out, reason_label
from tansiq.clearances.schemas import ApplicationOut, ConditionIn, DecisionIn
from tansiq.clearances.words import CONDITION, DECISION, STATUS
from tansiq.core.clock import ensure_utc
from tansiq.core.errors import STATUS_BY_CATEGORY, InvalidInput, TansiqError
from tansiq.core.text import name_in
from tansiq.core.wording import COMMA
from tansiq.geo import map_layers, places
from tansiq.incidents.alert_pages import alert_box
from tansiq.parties import directory
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.domain import Role
from tansiq.permits import stored
from tansiq.permits.domain import ConditionKind, PermitNotFound
from tansiq.web.deps import RecordId
from tansiq.web.maps import MapView, near_route, route_feature
from tansiq.web.screen import Form, FormData, one, signer, tr
from tansiq.web.session import CsrfRejected
from tansiq.web.view import finish

router = APIRouter(include_in_schema=False)


@router.get("/applications/{application_id}")
def application_page(application_id: RecordId, s: Current, decided: bool = False) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        return _application(s, application_id, decided=decided)
    except TansiqError as error:
        return s.error(error)


def _application(
    s: Viewer,
    application_id: int,
    *,
    decided: bool = False,
    error: dict[str, Any] | None = None,
    status_code: int = 200,
    chosen: Chosen | None = None,
) -> HTMLResponse:
    assert s.me is not None  # noqa: S101 - callers check
    record = service.get_application(s.session, s.me, application_id)
    out = application_out(s.session, record, s.locale)
    own = directory.party(s.session, s.me.party_id)
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
    # Checkpoints by name in the reader's script (the reviews store their codes).
    named = places.checkpoints_by_codes(
        s.session,
        {
            code
            for r in out.reviews
            for code in (
                *r.required_by.get("checkpoints", []),
                *(c for cond in r.conditions for c in cond.get("checkpoints", [])),
            )
        },
    )

    def place(code: str) -> str:
        found = named.get(code)
        return code if found is None else name_in(s.locale, found.name_ar, found.name_en)

    decisions = [
        review_words(s, r)
        | {
            # A dropped review shows its standing ("no longer required"), never a decision.
            "decision": None if r.decision is None else tr(s, DECISION[r.decision]),
            "conditions": [
                {
                    "label": tr(s, CONDITION[ConditionKind(c["kind"])]),
                    "detail": COMMA[s.locale].join(place(code) for code in c.get("checkpoints", []))
                    or c.get("text", ""),
                }
                for c in r.conditions
            ],
            "deadline": r.deadline,
            "decided_at": r.decided_at,
            "zones": [z.get(f"name_{s.locale.value}", "") for z in r.required_by.get("zones", [])],
            "checkpoints": [place(code) for code in r.required_by.get("checkpoints", [])],
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
    tokened = set(stored.tokens_of(s.session, [p.id for p in out.permits]))
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
    near = near_route(out.route)
    checkpoint_features = map_layers.checkpoints(s.session, s.locale, near=near)
    on_route = list(out.content.get("checkpoints", []))
    choices = sorted(
        (
            {"code": f["properties"]["code"], "name": f["properties"]["name"]}
            for f in checkpoint_features
        ),
        key=lambda c: (
            on_route.index(c["code"]) if c["code"] in on_route else len(on_route),
            c["name"],
        ),
    )
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
        map=_application_map(s, out, frozenset(ours), checkpoint_features),
        facts=facts_card(
            s,
            out,
            directory.party(s.session, record.applicant_party_id),
            None if own is None else own.code,
        ),
        chosen=chosen or Chosen(),
        checkpoint_choices=choices,
        applicant_view=Role.APPLICANT in s.me.roles
        and own is not None
        and own.id == record.applicant_party_id,
        tile_url=s.hub.settings.tile_url or "",
        window=(ensure_utc(record.valid_from), ensure_utc(record.valid_until)),
        incident_alerts=alert_box(s, "application", record.id),
    )


def _application_map(
    s: Viewer, out: ApplicationOut, ours: frozenset[int], checkpoints: list[dict[str, Any]]
) -> MapView:
    """Zones near the route (ours drawn heavier), checkpoints near it, and the route."""
    near = near_route(out.route)
    now = s.hub.clock.now()
    return map_layers.map_of(
        s.session,
        s.locale,
        map_layers.zones(s.session, s.locale, now, near=near, highlight=ours)
        + checkpoints
        + [route_feature(out.route)],
        map_layers.live(s.session, now, zones=False),
    )


@router.post("/reviews/{review_id}/decision")
def decide(review_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
    except CsrfRejected as error:
        return s.error(error)
    found = records.review(s.session, review_id)
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
                chosen=chosen_of(form),
            )
        except TansiqError as hidden:
            return s.error(hidden)
    return s.go(f"/applications/{application_id}?decided=1")


def _decision_of(form: Form) -> DecisionIn:
    """The decision as shown: conditions count only with "approve with conditions", a reason
    only with "reject" (fields of another choice, hidden on the page, are left aside)."""
    conditions: list[ConditionIn] = []
    if one(form, "daylight"):
        conditions.append(ConditionIn(kind=ConditionKind.DAYLIGHT_ONLY))
    if one(form, "escort"):
        conditions.append(ConditionIn(kind=ConditionKind.ESCORT_REQUIRED))
    # Picked from the list (one value each); a comma-separated line still reads, for scripts.
    via = [c.strip() for v in form.get("via", []) for c in v.split(",") if c.strip()]
    if via:
        conditions.append(
            ConditionIn(kind=ConditionKind.VIA_CHECKPOINTS, checkpoints=list(dict.fromkeys(via)))
        )
    if free := (one(form, "free_text") or "").strip():
        conditions.append(ConditionIn(kind=ConditionKind.FREE_TEXT, text=free))
    decision = one(form, "decision") or ""
    try:
        return DecisionIn(
            decision=decision,
            expected_version=int(one(form, "expected_version") or "0"),
            conditions=conditions if decision == Decision.APPROVE_WITH_CONDITIONS else [],
            reason_code=(one(form, "reason_code") or None) if decision == Decision.REJECT else None,
            note=(one(form, "note") or "") if decision == Decision.REJECT else "",
        )
    except (ValidationError, ValueError):
        raise InvalidInput from None


@router.get("/permits/{permit_id}/print")
def print_permit(permit_id: RecordId, s: Current) -> Response:
    """The printable permit, for the signed-in user who may see it (same page as the API's)."""
    if s.me is None:
        return s.sign_in_first()
    found = records.permit_and_application(s.session, permit_id)
    record = stored.token_of(s.session, permit_id)
    if (
        found is None
        or not service.visible(s.session, s.me, found[1])
        or record is None
        or record.token is None
    ):
        return s.error(PermitNotFound(permit=permit_id))
    permit, application = found
    response = HTMLResponse(
        render_permit(
            s.session, application, permit, record.token, s.locale, s.hub.clock.now(), s.zone
        )
    )
    # The permit page keeps its own <style> so it prints the same when saved alone.
    finish(response, s.request, s.page, signer(s.request), s.csp(inline_styles=True))
    return response
