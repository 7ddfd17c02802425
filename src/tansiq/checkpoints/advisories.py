"""The incidents and advisories a checkpoint's devices carry offline, made for each pull: those
that count now within ``checkpoint_advisory_radius_m`` of the checkpoint, and those whose
impact holds on a permit expected there (at any distance: the officer must know that the road
the truck came by, or is going to, is closed), signed under the governance key like the rest
of the pull (:mod:`tansiq.checkpoints.advisory_bundle`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from sqlalchemy.orm import Session

from tansiq.checkpoints.advisory_bundle import (
    MAX_ITEMS,
    AdvisoryBundle,
    AdvisoryItem,
    sign_advisory_bundle,
)
from tansiq.core.clock import Clock
from tansiq.core.projection import project, utm_epsg
from tansiq.geo.models import CheckpointRecord
from tansiq.incidents import views
from tansiq.parties.directory import parties, parties_by_ids
from tansiq.parties.domain import PartyKind
from tansiq.permits.domain import reference_of_cti
from tansiq.permits.keys import Signer
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import GOVERNANCE_KEYS, signer_of


@dataclass(frozen=True)
class Expected:
    """A permit expected at the checkpoint: its id in tokens, and its application."""

    cti: str
    subject_id: int


def bundle_for(
    session: Session,
    checkpoint: CheckpointRecord,
    ctis: Sequence[str],
    radius_m: float,
    clock: Clock,
) -> AdvisoryBundle:
    """What this checkpoint's devices should hold now (unsigned)."""
    now = clock.now()
    near = views.near(session, checkpoint.lon, checkpoint.lat, radius_m, now, limit=MAX_ITEMS)
    expected = [
        Expected(cti, subject) for cti in ctis if (subject := reference_of_cti(cti)) is not None
    ]
    cti_of = {e.subject_id: e.cti for e in expected}
    alerts = views.route_alerts(session, list(cti_of))
    # Each hazard once: its distance from here, and the expected permits it touches.
    hazards: dict[str, views.Hazard] = {}
    distance: dict[str, float] = {}
    permits: dict[str, set[str]] = {}
    for found in near:
        hazards[found.hazard.reference] = found.hazard
        distance[found.hazard.reference] = found.distance_m
    for subject, holding in alerts.items():
        for alert in holding:
            if not views.in_force(alert.hazard, now):
                continue
            reference = alert.hazard.reference
            hazards.setdefault(reference, alert.hazard)
            if alert.impact.route_affected:  # a closure on its route: the verdict says so
                permits.setdefault(reference, set()).add(cti_of[subject])
    epsg = utm_epsg(checkpoint.lon, checkpoint.lat)
    here = project(shapely.Point(checkpoint.lon, checkpoint.lat), epsg)
    closes = views.checkpoint_codes(
        session, {h.checkpoint_id for h in hazards.values() if h.checkpoint_id is not None}
    )
    parties = parties_by_ids(session, {h.party_id for h in hazards.values()})
    items = []
    for reference, hazard in hazards.items():
        metres = distance.get(reference)
        if metres is None:
            metres = float(here.distance(project(hazard.shape, epsg)))
        party = parties.get(hazard.party_id)
        items.append(
            AdvisoryItem(
                reference=reference,
                kind=hazard.kind,
                type=hazard.type,
                severity=hazard.severity.value,
                state=hazard.state,
                start=hazard.start,
                end=hazard.end,
                description=hazard.description,
                distance_m=round(metres),
                permits=tuple(sorted(permits.get(reference, ()))),
                checkpoints=(closes[hazard.checkpoint_id],)
                if hazard.checkpoint_id in closes
                else (),
                party=("", "") if party is None else (party.name_ar, party.name_en),
            )
        )
    # Those on the permits' routes and the nearest first, if there are more than a device keeps.
    items.sort(key=lambda i: (not i.permits, i.distance_m, i.reference))
    return AdvisoryBundle(issued_at=now, checkpoint=checkpoint.code, items=tuple(items[:MAX_ITEMS]))


def signed_bundle(
    session: Session,
    checkpoint: CheckpointRecord,
    ctis: Sequence[str],
    *,
    radius_m: float,
    secret: str | None,
    clock: Clock,
) -> bytes | None:
    """The bundle signed by the governance key; ``None`` on a hub that holds no keys (no
    secret, or no governance key yet: a pull is a read and makes none), which has signed
    nothing for its devices either."""
    signer = _governance_signer(session, secret)
    if signer is None:
        return None
    return sign_advisory_bundle(bundle_for(session, checkpoint, ctis, radius_m, clock), signer)


def _governance_signer(session: Session, secret: str | None) -> Signer | None:
    """The hub's active governance key, if it has one (never made here: a pull writes nothing)."""
    if not secret:
        return None
    hubs = parties(session, PartyKind.HUB)
    record = None if not hubs else PermitRepository(session).active_key(GOVERNANCE_KEYS, hubs[0].id)
    return None if record is None else signer_of(record, secret)
