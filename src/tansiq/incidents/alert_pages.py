"""The safety alerts on what a party holds: the permits of an application, a movement it
notified or was told of, a watch of its own. Shown on the application's page (clearances
calls :func:`alert_box`), and as incidents' own page ``/incidents/on/{kind}/{id}``, which the
movement's page loads as a fragment (``?fragment=1``, assets/incident-alerts.js; deconfliction
cannot import incidents) and links to for a reader without scripts. Only the parties told of
an alert see it (``access.can_see_impact``)."""

from __future__ import annotations

from typing import Any

from babel.units import format_unit
from fastapi import APIRouter, Response

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import TansiqError
from tansiq.core.i18n import translate
from tansiq.incidents import page_words, views
from tansiq.incidents.pages import hazard_rows
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.domain import Role
from tansiq.web.deps import RecordId

router = APIRouter(include_in_schema=False)

# The address's kind → the impact's target kind.
TARGETS = {"application": "permit", "movement": "movement", "watch": "watch"}


def alert_box(s: Viewer, kind: str, subject_id: int) -> dict[str, Any]:
    """What ``_in_alerts.html`` shows for ``kind`` (application, movement, watch) number
    ``subject_id``: each alert holding on it that the reader's party was told of."""
    assert s.me is not None  # noqa: S101 - callers check
    alerts = views.alerts_on(s.session, s.me, TARGETS[kind], subject_id)
    rows = hazard_rows(s, [a.hazard for a in alerts])
    items = []
    affected = False
    for alert, row in zip(alerts, rows, strict=True):
        affected = affected or alert.impact.route_affected
        distance = format_unit(
            round(alert.impact.distance_m), "length-meter", length="short", locale=s.locale.value
        )
        items.append(
            row
            | {
                "route_affected": alert.impact.route_affected,
                "distance": distance,
                "found_at": ensure_utc(alert.impact.found_at),
            }
        )
    reference = f"M-{subject_id}"
    if kind == "watch":
        names = {w.id: w.name for w in views.watches(s.session, s.me)}
        reference = names.get(subject_id, str(subject_id))
    return {
        "kind": kind,
        "subject_id": subject_id,
        "title": translate(page_words.TARGET[kind], s.locale, reference=reference),
        "alerts": items,
        "route_affected": affected,
        "amend": f"/applications/{subject_id}/amend"
        if kind == "application" and affected and Role.APPLICANT in s.me.roles
        else "",
    }


@router.get("/incidents/on/{kind}/{subject_id}")
def alerts_page(kind: str, subject_id: RecordId, s: Current, fragment: str = "") -> Response:
    if s.me is None:
        return s.sign_in_first()
    if kind not in TARGETS:
        return s.go("/incidents")
    try:
        box = alert_box(s, kind, subject_id)
    except TansiqError as error:
        return s.error(error)
    if fragment == "1":
        page = s.show("_in_alerts.html", incident_alerts=box, heading="h2")
        page.headers["Cache-Control"] = "no-store"
        return page
    return s.show("alerts.html", incident_alerts=box, heading="h2")
