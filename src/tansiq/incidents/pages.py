"""The incidents' pages: the list and map of incidents and advisories with filters (type,
severity, period, verification), one incident with its verification by other parties
(corroborate, refute), one advisory with its co-signatures (co-sign, withdraw). Every signed-in
member sees them; who inside a party reported is never shown. Parse → service → render.

The forms (report, issue, watches) are in :mod:`tansiq.incidents.form_pages`; the alerts on a
permit, an application or a movement in :mod:`tansiq.incidents.alert_pages`."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Response

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import translate
from tansiq.core.text import name_in
from tansiq.geo import map_layers
from tansiq.incidents import access, page_words, service, views
from tansiq.incidents.domain import (
    ADVISORY_KIND_LABELS,
    EVENT_TYPE_LABELS,
    SUB_TYPE_LABELS,
    AdvisoryKind,
    AdvisoryStatus,
    EventType,
    Severity,
    Verdict,
    Verification,
)
from tansiq.incidents.env import env_of
from tansiq.incidents.views import ADVISORY, INCIDENT, Hazard
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import parties_by_ids
from tansiq.web.deps import RecordId
from tansiq.web.screen import FormData, one

router = APIRouter(include_in_schema=False)


@router.get("/incidents")
def listing(
    s: Current,
    type: str = "",
    severity: str = "",
    period: str = "",
    verification: str = "",
    shown: str = "",
) -> Response:
    if s.me is None:
        return s.sign_in_first()
    filters = views.Filters.parse(
        type=type[:40],
        severity=severity[:20],
        period=period[:10],
        verification=verification[:20],
        shown=shown[:20],
    )
    try:
        found = views.listing(s.session, s.me, filters, s.hub.clock.now())
    except TansiqError as error:
        return s.error(error)
    rows = hazard_rows(s, found)
    return s.show(
        "incidents.html",
        rows=rows,
        filters=filters,
        choices=filter_choices(s),
        can_report=access.can_report(s.me),
        can_issue=access.can_issue(s.me),
        can_watch=access.can_watch(s.me),
        **map_context(s, rows),
    )


@router.get("/incidents/{incident_id}")
def incident_page(incident_id: RecordId, s: Current, judged: str = "") -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        record = service.visible_incident(s.session, s.me, incident_id)
        verdicts = views.verdicts(s.session, record.id)
    except TansiqError as error:
        return s.error(error)
    row = hazard_rows(s, [views.hazard_of(record)])[0]
    parties = parties_by_ids(s.session, {v.party_id for v in verdicts})
    shown = [
        {
            "party": _party_name(s, parties.get(v.party_id)),
            "verdict": v.verdict.value,
            "word": tr(
                s,
                page_words.VERIFICATION[
                    Verification.CORROBORATED
                    if v.verdict is Verdict.CORROBORATE
                    else Verification.REFUTED
                ],
            ),
            "note": v.note,
            "at": ensure_utc(v.at),
        }
        for v in verdicts
    ]
    judged_by = {v.party_id for v in verdicts}
    may_judge = (
        access.can_report(s.me)
        and s.me.party_id != record.reporter_party_id
        and s.me.party_id not in judged_by
    )
    words = page_words
    return s.show(
        "incident.html",
        h=row,
        facts=[
            (s.words()["in_sub_type"], translate(SUB_TYPE_LABELS[record.sub_type], s.locale)),
            (s.words()["in_time_precision"], tr(s, words.TIME_PRECISION[record.time_precision])),
            (
                s.words()["in_location_precision"],
                tr(s, words.LOCATION_PRECISION[record.location_precision]),
            ),
            (s.words()["in_confidence"], tr(s, words.CONFIDENCE[record.confidence])),
        ],
        verdicts=shown,
        may_judge=may_judge,
        judged=judged == "1",
        **map_context(s, [row], focus=True),
    )


@router.post("/incidents/{incident_id}/{answer}")
def judge(incident_id: RecordId, answer: str, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    verdict = {"corroborate": Verdict.CORROBORATE, "refute": Verdict.REFUTE}.get(answer)
    if verdict is None:
        return s.go(f"/incidents/{incident_id}")
    try:
        s.check_csrf(form)
        service.judge_incident(
            s.session, s.me, incident_id, verdict, (one(form, "note") or "")[:2000], s.hub.clock
        )
    except TansiqError as error:
        return s.error(error)
    return s.go(f"/incidents/{incident_id}?judged=1")


@router.get("/advisories/{advisory_id}")
def advisory_page(advisory_id: RecordId, s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        record = service.visible_advisory(s.session, s.me, advisory_id)
        cosigns = views.cosigns(s.session, record.id)
    except TansiqError as error:
        return s.error(error)
    row = hazard_rows(s, [views.hazard_of(record)])[0]
    parties = parties_by_ids(s.session, {c.party_id for c in cosigns})
    active = record.status is AdvisoryStatus.ACTIVE
    mine = s.me.party_id == record.issuer_party_id
    return s.show(
        "advisory.html",
        h=row,
        record=record,
        status=tr(s, page_words.ADVISORY_STATUS[record.status]),
        cosigns=[
            {"party": _party_name(s, parties.get(c.party_id)), "at": ensure_utc(c.at)}
            for c in cosigns
        ],
        valid_until=ensure_utc(record.valid_until),
        ended_at=None if record.ended_at is None else ensure_utc(record.ended_at),
        may_cosign=active
        and access.can_issue(s.me)
        and not mine
        and s.me.party_id not in {c.party_id for c in cosigns},
        may_withdraw=active and access.can_end_advisory(s.me, record.issuer_party_id),
        **map_context(s, [row], focus=True),
    )


@router.post("/advisories/{advisory_id}/cosign")
def cosign(advisory_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        service.cosign_advisory(s.session, s.me, advisory_id, s.hub.clock)
    except TansiqError as error:
        return s.error(error)
    return s.go(f"/advisories/{advisory_id}")


@router.post("/advisories/{advisory_id}/withdraw")
def withdraw(advisory_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        service.withdraw_advisory(
            s.session, s.me, advisory_id, (one(form, "note") or "")[:2000], s.hub.clock
        )
    except TansiqError as error:
        return s.error(error)
    return s.go(f"/advisories/{advisory_id}")


# --- helpers shared by the incidents' pages ------------------------------------------------------


def tr(s: Viewer, message: str) -> str:
    return translate(message, s.locale)


def _party_name(s: Viewer, party: Any) -> str:
    return "" if party is None else name_in(s.locale, party.name_ar, party.name_en)


def type_word(s: Viewer, hazard: Hazard) -> str:
    if hazard.kind == INCIDENT:
        return tr(s, EVENT_TYPE_LABELS[EventType(hazard.type)])
    return tr(s, ADVISORY_KIND_LABELS[AdvisoryKind(hazard.type)])


def state_word(s: Viewer, hazard: Hazard) -> str:
    if hazard.kind == INCIDENT:
        return tr(s, page_words.VERIFICATION[Verification(hazard.state)])
    return tr(s, page_words.ADVISORY_STATUS[AdvisoryStatus(hazard.state)])


def hazard_rows(s: Viewer, hazards: list[Hazard]) -> list[dict[str, Any]]:
    """Each hazard as the templates show it, in the reader's language."""
    parties = parties_by_ids(s.session, {h.party_id for h in hazards})
    closes = views.checkpoint_codes(
        s.session, {h.checkpoint_id for h in hazards if h.checkpoint_id is not None}
    )
    return [
        {
            "kind": h.kind,
            "id": h.id,
            "reference": h.reference,
            "url": h.url,
            "what": type_word(s, h),
            "sub_type": "" if h.sub_type is None else tr(s, SUB_TYPE_LABELS[h.sub_type]),  # type: ignore[index]
            "severity": h.severity.value,
            "severity_word": tr(s, page_words.SEVERITY[h.severity]),
            "state": h.state,
            "state_word": state_word(s, h),
            "start": h.start,
            "end": h.end,
            "party": _party_name(s, parties.get(h.party_id)),
            "description": h.description,
            "geometry": h.geometry,
            "checkpoint": closes.get(h.checkpoint_id or 0, ""),
        }
        for h in hazards
    ]


def hazard_layer(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hazards as GeoJSON features for assets/incidents.js (labels already translated)."""
    return [
        {
            "type": "Feature",
            "geometry": row["geometry"],
            "properties": {
                "kind": row["kind"],
                "severity": row["severity"],
                "label": f"{row['reference']} · {row['what']}",
                "url": row["url"],
            },
        }
        for row in rows
    ]


def map_context(
    s: Viewer, rows: list[dict[str, Any]], *, focus: bool = False, draw: str = ""
) -> dict[str, Any]:
    """What ``_in_map.html`` needs: the shell's map (checkpoints inline, base layers and
    zones loaded by area), the hazards over it, the legend of their colours, and what the
    reader may draw on it (``draw``: the shapes a form takes, e.g. "point line area")."""
    now = s.hub.clock.now()
    return {
        "map": map_layers.map_of(
            s.session,
            s.locale,
            map_layers.checkpoints(s.session, s.locale),
            map_layers.live(s.session, now),
        ),
        "hazards": json.dumps(hazard_layer(rows), ensure_ascii=False),
        "severity_legend": [(v.value, tr(s, page_words.SEVERITY[v])) for v in Severity],
        "tile_url": s.hub.settings.tile_url or "",
        "focus": focus,
        "draw": draw,
    }


def filter_choices(s: Viewer) -> dict[str, list[tuple[str, str]]]:
    return {
        "incident_types": [(t.value, tr(s, EVENT_TYPE_LABELS[t])) for t in EventType],
        "advisory_kinds": [(k.value, tr(s, ADVISORY_KIND_LABELS[k])) for k in AdvisoryKind],
        "severities": [(v.value, tr(s, page_words.SEVERITY[v])) for v in Severity],
        "verifications": [(v.value, tr(s, page_words.VERIFICATION[v])) for v in Verification],
        "periods": [(k, tr(s, label)) for k, label in page_words.PERIOD.items()],
        "shown": [(k, tr(s, label)) for k, label in page_words.SHOWN.items()],
    }


def env(s: Viewer) -> Any:
    return env_of(s.hub.settings, s.hub.clock, s.hub.caches)


__all__ = ["ADVISORY", "INCIDENT", "env", "hazard_layer", "hazard_rows", "map_context", "router"]
