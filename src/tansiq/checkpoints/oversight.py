"""The municipality's home: the applications it follows (appeals, overdue reviews, what it was
told about), their routes on one map, and the contradictions it is told of — a checkpoint
refusing a permit its own authority signed — worded for the municipality, in the reader's
language. Here, above clearances and checkpoints both, because it shows both."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Response
from markupsafe import Markup, escape

from tansiq.checkpoints import scans
from tansiq.checkpoints.domain import CHECKPOINT_REASON_LABELS, CheckpointReason
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.clearances import service
from tansiq.clearances.reasons import REASON_LABELS, ReasonCode
from tansiq.clearances.render import applications_out
from tansiq.clearances.schemas import ApplicationOut
from tansiq.clearances.words import STATUS
from tansiq.core.i18n import N_
from tansiq.core.text import name_in
from tansiq.geo import map_layers
from tansiq.geo.service import list_checkpoints
from tansiq.parties import directory
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.domain import PartyKind
from tansiq.permits.domain import reference_of_cti
from tansiq.web.maps import near_route
from tansiq.web.screen import LIST_LIMIT, tr

router = APIRouter(include_in_schema=False)

LABELS = {
    "oversight": N_("What the municipality follows"),
    "oversight_intro": N_(
        "Applications under appeal, with an overdue decision, or refused at a checkpoint of "
        "an authority that signed their permit."
    ),
    "followed": N_("Applications followed"),
    "no_followed": N_("No application needs the municipality's attention."),
    "why_followed": N_("Why"),
    "why_appeal": N_("Appeal"),
    "why_overdue": N_("Decision overdue"),
    "why_disagree": N_("Authorities disagree"),
    "why_refused_signed": N_("Refused by a signer"),
    "why_copy": N_("Possible copy"),
    "routes_map": N_("Routes of the applications followed"),
    "contradictions": N_("Checkpoints refusing permits their own authority signed"),
    "no_contradictions": N_("No checkpoint has refused a permit its own authority signed."),
    "contradiction_line": N_(
        "{authority} signed permit {permit}, and its checkpoint {checkpoint} refused it."
    ),
    "refused_reason": N_("Reason given"),
    "driver_checked": N_("Driver's ID number"),
    "driver_match": N_("✓ matches the permit"),
    "driver_mismatch": N_("✗ does not match the permit"),
    "open_application": N_("Open the application"),
}


@router.get("/oversight")
def oversight_home(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    if s.me.party_kind is not PartyKind.MUNICIPALITY:
        return s.go("/home")
    refused = scans.list_scans(s.session, s.me, contradiction=True, limit=LIST_LIMIT)
    copied = scans.list_scans(s.session, s.me, clone_suspected=True, limit=LIST_LIMIT)
    listed = service.list_applications(s.session, s.me, limit=LIST_LIMIT)
    followed = applications_out(s.session, listed, s.locale)
    refused_refs = _references(refused)
    copied_refs = _references(copied)
    near = None
    routes: list[dict[str, Any]] = []
    for out in followed:
        feature = {
            "type": "Feature",
            "geometry": out.route,
            "properties": {"kind": "route", "name": out.reference},
        }
        routes.append(feature)
        shape = near_route(out.route)
        near = shape if near is None else near.union(shape)
    features = map_layers.checkpoints(s.session, s.locale, near=near) + routes if routes else []
    return s.show(
        "oversight.html",
        followed=[_followed(s, out, refused_refs, copied_refs) for out in followed],
        contradictions=_contradictions(s, refused),
        map=map_layers.map_of(s.session, s.locale, features) if features else None,
        tile_url=s.hub.settings.tile_url or "",
    )


def _references(found: Sequence[tuple[ScanEventRecord, str]]) -> set[int]:
    return {
        reference
        for record, _ in found
        if (reference := reference_of_cti(record.permit_ref)) is not None
    }


def _followed(
    s: Viewer, out: ApplicationOut, refused: set[int], copied: set[int]
) -> dict[str, Any]:
    why = [
        ("appeal", LABELS["why_appeal"], bool(out.appeals)),
        ("overdue", LABELS["why_overdue"], any(r.overdue for r in out.reviews)),
        ("disagree", LABELS["why_disagree"], out.contradiction),
        ("refused", LABELS["why_refused_signed"], out.id in refused),
        ("copy", LABELS["why_copy"], out.id in copied),
    ]
    return {
        "id": out.id,
        "reference": out.reference,
        "origin": out.content.get("origin", ""),
        "destination": out.content.get("destination", ""),
        "status": tr(s, STATUS[out.status]),
        "status_code": out.status.value,
        "why": [{"code": code, "label": tr(s, label)} for code, label, shown in why if shown],
    }


def _reason(code: str | None) -> str:
    if code is None:
        return ""
    if code in {c.value for c in CheckpointReason}:
        return CHECKPOINT_REASON_LABELS[CheckpointReason(code)]
    if code in {c.value for c in ReasonCode}:
        return REASON_LABELS[ReasonCode(code)]
    return ""


def _contradictions(
    s: Viewer, found: Sequence[tuple[ScanEventRecord, str]]
) -> list[dict[str, Any]]:
    """Each refusal in words: who signed, which checkpoint of theirs refused, when, why."""
    places = {c.id: c for c in list_checkpoints(s.session)}
    parties = directory.parties_by_ids(s.session, {c.authority_id for c in places.values()})
    shown = []
    for record, code in found:
        place = places.get(record.checkpoint_id)
        party = None if place is None else parties.get(place.authority_id)
        reason = _reason(record.reason_code)
        reference = reference_of_cti(record.permit_ref)
        authority = "" if party is None else name_in(s.locale, party.name_ar, party.name_en)
        checkpoint = code if place is None else name_in(s.locale, place.name_ar, place.name_en)
        shown.append(
            {
                # Names and the permit number isolated, so neither script breaks the other.
                "line": escape(tr(s, LABELS["contradiction_line"])).format(
                    authority=Markup("<bdi>{}</bdi>").format(authority),
                    checkpoint=Markup("<bdi>{}</bdi>").format(checkpoint),
                    permit=Markup('<bdi dir="ltr" class="code">{}</bdi>').format(
                        f"{record.permit_ref}-{record.permit_version}"
                    ),
                ),
                "at": record.scanned_at,
                "reason": tr(s, reason) if reason else "",
                "note": record.note,
                "driver_check": record.driver_check,
                "link": None if reference is None else f"/applications/{reference}",
            }
        )
    return shown
