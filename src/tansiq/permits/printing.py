"""The printable permit on one A5 page: the QR with the conditions boxed beside it, the facts
in Arabic and English side by side (names, dates, units and vehicle kinds in each column's
own script and format, codes and dates never broken), signers, and the status as it stood
when printed, with the plain advice to scan the code for the status now."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from functools import cache
from typing import Any

from babel.numbers import format_decimal
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from tansiq.core import localtime
from tansiq.core.i18n import N_, Locale, translate
from tansiq.geo.repository import GeoRepository
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
    "printed_status": N_("Status when printed"),
    "scan_to_verify": N_("Paper cannot change: scan the code to verify the status now."),
    "printed_at": N_("Printed {when}"),
    "times_in": N_("Times in {zone}."),
    "number": N_("Permit number"),
    "none": N_("None"),
}
# The same words the clearance pages use (one catalog entry each); permits cannot import them.
VEHICLE_KINDS = {
    "truck": N_("Truck"),
    "tanker": N_("Tanker"),
    "van": N_("Van"),
    "pickup": N_("Pickup"),
    "car": N_("Car"),
    "bus": N_("Bus"),
    "other": N_("Other vehicle"),
}
UNITS = {
    "kg": N_("kilograms"),
    "t": N_("tonnes"),
    "l": N_("litres"),
    "m3": N_("cubic metres"),
    "pcs": N_("pieces"),
    "pallets": N_("pallets"),
    "boxes": N_("boxes"),
    "bags": N_("bags"),
    "head": N_("head of livestock"),
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


_SIZE = re.compile(r'width="(\d+)" height="(\d+)"')


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("tansiq.permits", "templates"),
        autoescape=select_autoescape(["html"]),
    )


def _both(message: str) -> dict[str, str]:
    return {"ar": translate(message, Locale.AR), "en": translate(message, Locale.EN)}


def _when(value: datetime, side: Locale, zone: tzinfo) -> str:
    """As the pages write a time: on the town's clock, in the side's one format; the template
    keeps it on one line."""
    return localtime.when(value, side, zone)


def _scalable(svg: str) -> str:
    """The QR's SVG with a viewBox, so the page sizes it whole (without one, a size set in
    CSS crops the code instead of scaling it) and pixel-crisp."""
    found = _SIZE.search(svg)
    if found is None or "viewBox" in svg:
        return svg
    width, height = found.groups()
    return svg.replace(
        found.group(0),
        f'{found.group(0)} viewBox="0 0 {width} {height}" shape-rendering="crispEdges"',
        1,
    )


def _in_script(side: Locale, ar: str, en: str) -> str:
    return (ar or en) if side is Locale.AR else (en or ar)


def render_printable(
    session: Session,
    permit: PermitRecord,
    facts: PermitFacts,
    token: str,
    locale: Locale,
    printed_at: datetime | None = None,
    zone: tzinfo = UTC,
) -> str:
    """The page of ``permit`` (its status, window, signers and conditions) describing
    ``facts``, with ``token`` as its QR code; ``printed_at`` is when its status was read.
    Times are on the clock of ``zone`` (the deployment's), the window also in UTC."""
    parties = PartyRepository(session).parties_by_ids(set(permit.authority_ids))
    names = {
        pid: {"ar": p.name_ar or p.name_en, "en": p.name_en or p.name_ar}
        for pid, p in parties.items()
    }
    codes = set(facts.checkpoints)
    for stored in permit.conditions:
        codes.update(stored.get("checkpoints", []))
    places = GeoRepository(session).checkpoints_by_codes(codes)

    def place(code: str, side: Locale) -> str:
        found = places.get(code)
        return code if found is None else _in_script(side, found.name_ar, found.name_en)

    def cargo(side: Locale) -> list[dict[str, str]]:
        return [
            {
                "amount": f"{format_decimal(line.quantity, locale=side.value)} "
                f"{translate(UNITS[line.unit], side) if line.unit in UNITS else line.unit}",
                "description": line.description,
                "un_number": line.un_number or "",
            }
            for line in facts.cargo
        ]

    status = permit.status
    sides = []
    for side in (Locale.AR, Locale.EN):
        sides.append(
            {
                "lang": side.value,
                "dir": side.direction,
                "arrow": "←" if side is Locale.AR else "→",
                "comma": "، " if side is Locale.AR else ", ",
                "t": {key: translate(message, side) for key, message in LABELS.items()},
                "valid_from": _when(permit.valid_from, side, zone),
                "valid_until": _when(permit.valid_until, side, zone),
                "valid_from_utc": localtime.when_utc(permit.valid_from, side),
                "valid_until_utc": localtime.when_utc(permit.valid_until, side),
                "times_in": translate(
                    LABELS["times_in"],
                    side,
                    zone=localtime.zone_label(zone, permit.valid_from, side),
                ),
                "kind": translate(
                    VEHICLE_KINDS.get(facts.vehicle.kind, VEHICLE_KINDS["other"]), side
                ),
                "driver": _in_script(side, facts.holder.name_ar, facts.holder.name_latin),
                "driver_other": _in_script(
                    Locale.EN if side is Locale.AR else Locale.AR,
                    facts.holder.name_ar,
                    facts.holder.name_latin,
                ),
                "cargo": cargo(side),
                "checkpoints": [place(code, side) for code in facts.checkpoints],
                "signers": [names[pid][side.value] for pid in permit.authority_ids if pid in names],
                "status": translate(STATUS_LABELS[status], side),
                "printed_at": translate(
                    LABELS["printed_at"], side, when=_when(printed_at, side, zone)
                )
                if printed_at is not None
                else "",
            }
        )
    conditions: list[dict[str, Any]] = []
    for stored in permit.conditions:
        condition = Condition.from_json(stored)
        conditions.append(
            {
                "authority": names.get(stored["authority_id"], {"ar": "", "en": ""}),
                "label": _both(CONDITION_LABELS[condition.kind]),
                "detail": {
                    side.value: (
                        (" ، " if side is Locale.AR else ", ").join(
                            place(code, side) for code in condition.checkpoints
                        )
                        or condition.text
                    )
                    for side in (Locale.AR, Locale.EN)
                },
            }
        )
    return (
        _templates()
        .get_template("permit.html")
        .render(
            lang=locale.value,
            dir=locale.direction,
            t=sides[0 if locale is Locale.AR else 1]["t"],
            both={
                key: _both(LABELS[key])
                for key in ("title", "footer", "printed_status", "scan_to_verify", "conditions")
            },
            sides=sides,
            number=permit.number,
            active=status is PermitStatus.ACTIVE,
            qr_svg=_scalable(make_qr(token, scale=3, border=4).svg),
            plate=facts.vehicle.plate,
            origin=facts.origin,
            destination=facts.destination,
            conditions=conditions,
        )
    )
