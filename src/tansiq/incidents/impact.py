"""The impact of an incident or advisory, inline: which permits, movements and watches it
touches, stored as impact rows and told to the parties concerned in the caller's transaction.

A permit: its holder and its signing authorities are told; a closure on its route flags it
"route affected". A movement: its notifier and every party it reached are told, and asked
(through deconfliction) to acknowledge it again. A watch: its party is told. When the hazard
ends (expiry, withdrawal, its relevance passing) the rows are cleared and the same parties
hear that it no longer holds.
"""

from __future__ import annotations

from datetime import datetime

import shapely
from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.i18n import Locale, translate
from tansiq.core.projection import utm_epsg
from tansiq.deconfliction.notices import when
from tansiq.deconfliction.service import request_reacknowledgement
from tansiq.incidents.corridors import corridors_near, watch_corridors
from tansiq.incidents.domain import (
    ADVISORY_KIND_LABELS,
    CLOSING_TYPES,
    END_LABELS,
    EVENT_TYPE_LABELS,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    VERIFICATION_LABELS,
    Verdict,
)
from tansiq.incidents.env import IncidentsEnv
from tansiq.incidents.index import Hit, ImpactIndex
from tansiq.incidents.messages import (
    COSIGNED,
    HAZARD_ENDED,
    HAZARD_NEAR,
    ISSUED,
    REACKNOWLEDGE,
    ROUTE_AFFECTED,
    VERDICT,
    Notice,
)
from tansiq.incidents.models import AdvisoryRecord, ImpactRecord, IncidentRecord
from tansiq.incidents.repository import IncidentsRepository
from tansiq.incidents.shapes import grown_box
from tansiq.notify.service import notify_party
from tansiq.parties.directory import party

INCIDENT = "incident"
ADVISORY = "advisory"
Hazard = IncidentRecord | AdvisoryRecord


def hazard_reference(kind: str, hazard_id: int) -> str:
    """What people call it: INC-12, ADV-3."""
    return f"{'INC' if kind == INCIDENT else 'ADV'}-{hazard_id}"


def window(hazard: Hazard) -> tuple[datetime, datetime]:
    if isinstance(hazard, IncidentRecord):
        return hazard.occurred_at, hazard.relevant_until
    return hazard.valid_from, hazard.valid_until


def distance_name(hazard: Hazard) -> str:
    return hazard.event_type.value if isinstance(hazard, IncidentRecord) else hazard.kind.value


def closes_route(hazard: Hazard) -> bool:
    if isinstance(hazard, AdvisoryRecord):
        return True
    return hazard.event_type in CLOSING_TYPES


def find_hits(session: Session, kind: str, hazard: Hazard, env: IncidentsEnv) -> list[Hit]:
    """The corridors ``hazard`` touches now: the process's corridor index (permits and
    movements) and the watches near it, or, without a cache yet, a box query on each source
    and an index over what it found. Nearest first."""
    shape = shapely.from_wkb(hazard.shape_wkb)
    distance = env.distance(distance_name(hazard))
    start, end = window(hazard)
    epsg = env.epsg or utm_epsg(*shape.centroid.coords[0])
    box = grown_box(shape, distance)
    live = env.corridors.index(session, epsg) if env.corridors is not None else None
    if live is None:
        corridors = corridors_near(session, box, start, end)
        return ImpactIndex(corridors, epsg).touching(shape, distance, start, end)
    hits = live.touching(shape, distance, start, end)
    watches = watch_corridors(session, box)
    if watches:
        hits += ImpactIndex(watches, epsg).touching(shape, distance, start, end)
        hits.sort(key=lambda hit: hit.distance_m)
    return hits


def assess(session: Session, kind: str, hazard: Hazard, env: IncidentsEnv) -> list[ImpactRecord]:
    """Store and tell every impact of ``hazard`` not already stored; returns the new ones."""
    repo = IncidentsRepository(session)
    known = {(i.target_kind, i.target_id) for i in repo.impacts_of_hazard(kind, hazard.id)}
    now = env.clock.now()
    affected = closes_route(hazard)
    added = []
    for hit in find_hits(session, kind, hazard, env):
        corridor = hit.corridor
        if (corridor.kind, corridor.target_id) in known:
            continue
        impact = ImpactRecord(
            hazard_kind=kind,
            hazard_id=hazard.id,
            target_kind=corridor.kind,
            target_id=corridor.target_id,
            subject_id=corridor.subject_id,
            distance_m=round(hit.distance_m, 1),
            route_affected=affected and corridor.kind != "watch",
            party_ids=sorted(set(corridor.party_ids)),
            found_at=now,
        )
        repo.add(impact)
        added.append(impact)
        reacknowledge = corridor.kind == "movement" and request_reacknowledgement(
            session, corridor.target_id, hazard_reference(kind, hazard.id), env.deconfliction
        )
        notice = _notice(affected, corridor.kind, reacknowledge)
        params = _params(session, kind, hazard, corridor.label, env.clock)
        params["count"] = round(hit.distance_m)
        for party_id in dict.fromkeys(corridor.party_ids):
            _tell(session, party_id, notice, kind, hazard.id, env.clock, params)
    repo.flush()
    return added


def _notice(affected: bool, target_kind: str, reacknowledge: bool) -> Notice:
    if reacknowledge:
        return REACKNOWLEDGE
    if affected and target_kind != "watch":
        return ROUTE_AFFECTED
    return HAZARD_NEAR


def end_hazard(session: Session, kind: str, hazard: Hazard, how: str, clock: Clock) -> None:
    """The hazard no longer holds: its impacts are cleared and their parties told."""
    repo = IncidentsRepository(session)
    live = [i for i in repo.impacts_of_hazard(kind, hazard.id) if i.cleared_at is None]
    now = clock.now()
    repo.clear_impacts(kind, hazard.id, now)
    params = _params(session, kind, hazard, "", clock)
    params.update(_both("end_word", END_LABELS[how]))
    params["at"] = when(now)
    for impact in live:
        for party_id in impact.party_ids:
            label = f"{impact.target_kind}:{impact.target_id}"
            _tell(session, party_id, HAZARD_ENDED, kind, hazard.id, clock, params, target=label)


def tell_verdict(
    session: Session,
    incident: IncidentRecord,
    party_id: int,
    verdict: Verdict,
    note: str,
    clock: Clock,
) -> None:
    params = _params(session, INCIDENT, incident, "", clock)
    params.update(_party(session, party_id))
    params["note"] = note or "—"
    params.update(_both("verdict_word", VERDICT_LABELS[verdict]))
    _tell(session, incident.reporter_party_id, VERDICT, INCIDENT, incident.id, clock, params)


def tell_cosign(session: Session, advisory: AdvisoryRecord, party_id: int, clock: Clock) -> None:
    params = _params(session, ADVISORY, advisory, "", clock)
    params.update(_party(session, party_id))
    _tell(session, advisory.issuer_party_id, COSIGNED, ADVISORY, advisory.id, clock, params)


def _params(
    session: Session, kind: str, hazard: Hazard, target: str, clock: Clock
) -> dict[str, str | int | float]:
    start, end = window(hazard)
    if isinstance(hazard, IncidentRecord):
        what = EVENT_TYPE_LABELS[hazard.event_type]
        party = hazard.reporter_party_id
        extra = _both("verification_word", VERIFICATION_LABELS[hazard.verification])
    else:
        what = ADVISORY_KIND_LABELS[hazard.kind]
        party = hazard.issuer_party_id
        extra = _both("verification_word", ISSUED)
    return {
        "hazard": hazard_reference(kind, hazard.id),
        "target": target,
        "start": when(start),
        "end": when(end),
        **_party(session, party),
        **_both("what", what),
        **_both("severity_word", SEVERITY_LABELS[hazard.severity]),
        **extra,
    }


def _party(session: Session, party_id: int) -> dict[str, str | int | float]:
    """A party's name in each script, so ``{party}`` reads in the reader's."""
    found = party(session, party_id)
    if found is None:
        return {"party": ""}
    ar, en = found.name_ar or found.name_en, found.name_en or found.name_ar
    return {"party": en, "party_ar": ar, "party_en": en}


def _both(name: str, message: str) -> dict[str, str | int | float]:
    """A word stored in each language, so ``{name}`` reads in the reader's."""
    return {f"{name}_{locale.value}": translate(message, locale) for locale in Locale}


def _tell(
    session: Session,
    party_id: int,
    notice: Notice,
    kind: str,
    hazard_id: int,
    clock: Clock,
    params: dict[str, str | int | float],
    **extra: str | int | float,
) -> None:
    notify_party(
        session,
        party_id=party_id,
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        params={**params, **extra},
        subject=f"{kind}:{hazard_id}",
        clock=clock,
    )
