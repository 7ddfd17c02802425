"""The printable permit: QR, facts in Arabic and English side by side, conditions, signers."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from tansiq.core.i18n import N_, Locale, translate
from tansiq.parties.repository import PartyRepository
from tansiq.permits.domain import Condition, ConditionKind, PermitStatus
from tansiq.permits.models import PermitRecord
from tansiq.permits.qr import make_qr
from tansiq.permits.terms import PermitFacts

LABELS = {
    "title": N_("Movement permit"),
    "details": N_("Permit details"),
    "valid": N_("Valid"),
    "vehicle": N_("Vehicle"),
    "driver": N_("Driver"),
    "cargo": N_("Cargo"),
    "route": N_("Route"),
    "checkpoints": N_("Checkpoints"),
    "signed_by": N_("Signed by"),
    "conditions": N_("Conditions"),
    "footer": N_(
        "Any checkpoint can verify this permit offline by scanning the code. The "
        "driver's ID number is not printed; the officer checks it against the code."
    ),
}
STATUS_LABELS = {
    PermitStatus.ACTIVE: N_("Valid permit"),
    PermitStatus.SUSPENDED: N_("Suspended"),
    PermitStatus.REVOKED: N_("Revoked"),
    PermitStatus.SUPERSEDED: N_("Replaced by a newer version"),
    PermitStatus.WITHDRAWN: N_("Withdrawn"),
    PermitStatus.EXPIRED: N_("Expired"),
}
CONDITION_LABELS = {
    ConditionKind.VIA_CHECKPOINTS: N_("Only via these checkpoints"),
    ConditionKind.DAYLIGHT_ONLY: N_("Daylight hours only"),
    ConditionKind.ESCORT_REQUIRED: N_("Escort required"),
    ConditionKind.FREE_TEXT: N_("Condition"),
}


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("tansiq.permits", "templates"),
        autoescape=select_autoescape(["html"]),
    )


def _both(message: str) -> dict[str, str]:
    return {"ar": translate(message, Locale.AR), "en": translate(message, Locale.EN)}


def render_printable(
    session: Session, permit: PermitRecord, facts: PermitFacts, token: str, locale: Locale
) -> str:
    """The page of ``permit`` (its status, window, signers and conditions) describing
    ``facts``, with ``token`` as its QR code."""
    parties = PartyRepository(session).parties_by_ids(set(permit.authority_ids))
    names = {
        pid: {"ar": p.name_ar or p.name_en, "en": p.name_en or p.name_ar}
        for pid, p in parties.items()
    }
    sides = [
        {
            "lang": side.value,
            "dir": side.direction,
            "arrow": "←" if side is Locale.AR else "→",
            "t": {key: translate(message, side) for key, message in LABELS.items()},
        }
        for side in (Locale.AR, Locale.EN)
    ]
    conditions: list[dict[str, Any]] = []
    for stored in permit.conditions:
        condition = Condition.from_json(stored)
        conditions.append(
            {
                "authority": names.get(stored["authority_id"], {"ar": "", "en": ""}),
                "label": _both(CONDITION_LABELS[condition.kind]),
                "detail": condition.detail,
            }
        )
    status = permit.status
    return (
        _templates()
        .get_template("permit.html")
        .render(
            lang=locale.value,
            dir=locale.direction,
            t=sides[0 if locale is Locale.AR else 1]["t"],
            both={"title": _both(LABELS["title"]), "footer": _both(LABELS["footer"])},
            sides=sides,
            number=permit.number,
            active=status is PermitStatus.ACTIVE,
            status_ar=translate(STATUS_LABELS[status], Locale.AR),
            status_en=translate(STATUS_LABELS[status], Locale.EN),
            qr_svg=make_qr(token, scale=3, border=4).svg,
            valid_from=f"{permit.valid_from:%Y-%m-%d %H:%M} UTC",
            valid_until=f"{permit.valid_until:%Y-%m-%d %H:%M} UTC",
            plate=facts.vehicle.plate,
            vehicle_kind=facts.vehicle.kind,
            driver_name=facts.holder.names,
            cargo=facts.cargo_printed,
            origin=facts.origin,
            destination=facts.destination,
            checkpoints=facts.checkpoints,
            authorities=list(names.values()),
            conditions=conditions,
        )
    )
