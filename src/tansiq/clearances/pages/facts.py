"""What a reviewer decides on, in the reader's language: the "who and what" card (company,
driver, vehicle, cargo, seals, the other authorities' decisions and the applicant's appeals)
and the decision form's own values, kept as chosen when it comes back with an error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tansiq.clearances.domain import Decision, ReviewStatus
from tansiq.clearances.schemas import ApplicationOut, ReviewOut
from tansiq.clearances.words import DECISION, LABELS
from tansiq.core.i18n import Locale
from tansiq.parties.models import PartyRecord
from tansiq.web.screen import Form, Screen, one, tr


@dataclass
class Chosen:
    """The decision form as the reviewer left it (empty on first view)."""

    decision: str = ""
    daylight: bool = False
    escort: bool = False
    via: list[str] = field(default_factory=list)
    free_text: str = ""
    reason_code: str = ""
    note: str = ""


def chosen_of(form: Form) -> Chosen:
    """What was chosen and typed, exactly, to show again."""
    return Chosen(
        decision=one(form, "decision") or "",
        daylight=bool(one(form, "daylight")),
        escort=bool(one(form, "escort")),
        via=[code for code in form.get("via", []) if code.strip()][:50],
        free_text=one(form, "free_text") or "",
        reason_code=one(form, "reason_code") or "",
        note=one(form, "note") or "",
    )


def _in_script(locale: Locale, ar: str, en: str) -> str:
    return (ar or en) if locale is Locale.AR else (en or ar)


def facts_card(
    s: Screen[Any],
    out: ApplicationOut,
    applicant: PartyRecord | None,
    own_code: str | None,
) -> dict[str, Any]:
    """Who applies and what moves, as the card shows it; the other authorities' decisions
    with their reasons in words; the applicant's appeals with the authority they concern."""
    content = out.content
    vehicle = content.get("vehicle", {})
    driver = content.get("driver", {})
    kind = str(vehicle.get("kind", "other"))
    kind_label = LABELS.get(f"kind_{kind}", LABELS["kind_other"])
    cargo = [
        {
            "description": line.get("description", ""),
            "quantity": line.get("quantity"),
            "unit": _unit(s, str(line.get("unit", ""))),
            "gross_mass_kg": line.get("gross_mass_kg"),
            "hs_code": line.get("hs_code") or "",
            "un_number": line.get("un_number") or "",
        }
        for line in content.get("cargo", [])
    ]
    by_review = {r.id: r for r in out.reviews}
    appeals = [
        {
            "grounds": a.get("grounds", ""),
            "at": datetime.fromisoformat(a["opened_at"]) if a.get("opened_at") else None,
            "authority": _authority(s, by_review.get(int(a.get("review_id", 0)))),
            "open": a.get("outcome") in (None, ""),
        }
        for a in out.appeals
    ]
    others = [
        {
            "authority": _authority(s, r),
            "decision": tr(s, DECISION[r.decision]) if r.decision is not None else "",
            "status_code": r.status.value,
            "reason": "" if r.reason_label is None else getattr(r.reason_label, s.locale.value),
            "note": r.note,
            "at": r.decided_at,
        }
        for r in out.reviews
        if r.authority != own_code
        and r.status in (ReviewStatus.APPROVED, ReviewStatus.REJECTED)
        and r.decision is not None
    ]
    return {
        "company": ""
        if applicant is None
        else _in_script(s.locale, applicant.name_ar, applicant.name_en),
        "driver_first": _in_script(
            s.locale, driver.get("name_ar", ""), driver.get("name_latin", "")
        ),
        "driver_second": _in_script(
            Locale.EN if s.locale is Locale.AR else Locale.AR,
            driver.get("name_ar", ""),
            driver.get("name_latin", ""),
        ),
        "plate": vehicle.get("plate", ""),
        "kind": tr(s, kind_label),
        "vin": vehicle.get("vin") or "",
        "container": vehicle.get("container_number") or "",
        "cargo": cargo,
        "seals": [str(seal) for seal in content.get("seals", [])],
        "others": others,
        "appeals": appeals,
    }


def _unit(s: Screen[Any], unit: str) -> str:
    key = f"unit_{unit}"
    return tr(s, LABELS[key]) if key in LABELS else unit


def _authority(s: Screen[Any], review: ReviewOut | None) -> str:
    if review is None:
        return ""
    return getattr(review.authority_name, s.locale.value) or review.authority


DECISIONS = (Decision.APPROVE, Decision.APPROVE_WITH_CONDITIONS, Decision.REJECT)
