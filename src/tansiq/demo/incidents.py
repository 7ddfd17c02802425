"""Incidents and advisories in the demo town: unexploded ordnance on the East Road (reported
by East Force, corroborated by West Command), the Bridge Road closed on the west bank by a
crater (West Command's advisory, co-signed by the municipality), the Quarry Road checkpoint
closed by flooding (East Force's advisory) and the quarry south of the East Road unsafe for
two days. The two closures are published, so a fresh demo's public Atom feed
(``/feeds/advisories.atom``) carries them as the public would read them. Recorded through the
same use cases as the API, relative to the hub's clock, after the demo's movements, so the
pages show alerts on them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tansiq.clearances import corridors as _permit_corridors  # noqa: F401 - registers the source
from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import Clock
from tansiq.demo.deconfliction import _principal
from tansiq.incidents import cap_service, service
from tansiq.incidents.domain import (
    AdvisoryKind,
    Confidence,
    EventType,
    LocationPrecision,
    Severity,
    SubType,
    TimePrecision,
    Verdict,
)
from tansiq.incidents.env import env_of
from tansiq.incidents.impact import ADVISORY, INCIDENT, hazard_reference
from tansiq.incidents.schemas import AdvisoryIn, IncidentIn
from tansiq.settings import Settings

CRATER = {"type": "LineString", "coordinates": [[41.05, 34.4], [41.06, 34.4]]}
QUARRY = {
    "type": "Polygon",
    "coordinates": [
        [[41.13, 34.36], [41.15, 34.36], [41.15, 34.38], [41.13, 34.38], [41.13, 34.36]]
    ],
}


def load_demo_incidents(session: Session, settings: Settings, clock: Clock) -> list[str]:
    """Record the demo's incidents and advisories; returns their references."""
    env = env_of(settings, clock, ProcessCaches())
    now = clock.now()
    east, west = _principal(session, "east.officer"), _principal(session, "west.liaison")
    ordnance = service.record_incident(
        session,
        east,
        IncidentIn(
            event_type=EventType.UNEXPLODED_ORDNANCE,
            sub_type=SubType.ORDNANCE_SIGHTED,
            occurred_at=now - timedelta(hours=2),
            time_precision=TimePrecision.HOUR,
            location={"type": "Point", "coordinates": [41.1302, 34.415]},
            location_precision=LocationPrecision.NEAR,
            description="An unexploded mortar round beside the East Road, north of the quarry "
            "turning; traffic passes on the far lane.",
            confidence=Confidence.CONFIRMED,
            severity=Severity.SEVERE,
        ),
        env,
    )
    service.judge_incident(
        session, west, ordnance.id, Verdict.CORROBORATE, "Seen by our patrol.", clock
    )
    crater = service.issue_advisory(
        session,
        west,
        AdvisoryIn(
            kind=AdvisoryKind.ROAD_CLOSED,
            geometry=CRATER,
            valid_until=now + timedelta(days=3),
            severity=Severity.SEVERE,
            description="Bridge Road closed between West Gate and the West Road: a crater "
            "across both lanes. Use the West Road and the North Road.",
        ),
        env,
    )
    service.cosign_advisory(session, _principal(session, "municipality"), crater.id, clock)
    cap_service.set_public(session, west, crater.id, True, clock)
    east_admin = _principal(session, "east.admin")
    flooded = service.issue_advisory(
        session,
        east_admin,
        AdvisoryIn(
            kind=AdvisoryKind.CHECKPOINT_CLOSED,
            checkpoint="E-QUARRY",
            valid_until=now + timedelta(days=4),
            severity=Severity.MODERATE,
            description="Quarry Road checkpoint closed: the road beyond it is washed out by "
            "the flood. Trucks for the quarry and the south villages go by East Gate.",
        ),
        env,
    )
    cap_service.set_public(session, east_admin, flooded.id, True, clock)
    quarry = service.issue_advisory(
        session,
        east_admin,
        AdvisoryIn(
            kind=AdvisoryKind.AREA_UNSAFE,
            geometry=QUARRY,
            valid_until=now + timedelta(days=2),
            severity=Severity.MODERATE,
            description="Blasting at the quarry south of the East Road; keep out.",
        ),
        env,
    )
    return [
        hazard_reference(INCIDENT, ordnance.id),
        hazard_reference(ADVISORY, crater.id),
        hazard_reference(ADVISORY, flooded.id),
        hazard_reference(ADVISORY, quarry.id),
    ]
