"""Deconfliction in the demo town: River Relief's convoy across the bridge (repeating for three
days), West Command's patrol through the bridge market, which crosses it (so the demo shows a
conflict and the proposed shift), and River Relief's clinic on the east bank.

Filed through the same use cases as the API, relative to the hub's clock, so the demo always
has movements still to come."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import Clock
from tansiq.core.errors import NotFound
from tansiq.deconfliction import service
from tansiq.deconfliction.domain import Purpose, SiteType, VehicleKind
from tansiq.deconfliction.schedule import Frequency
from tansiq.deconfliction.schemas import MovementIn, RepetitionIn, SiteIn
from tansiq.parties.domain import Principal
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import principal_of
from tansiq.settings import Settings

ACROSS = ["W-GATE", "BRIDGE-W", "BRIDGE-E", "E-GATE"]
THROUGH_THE_MARKET = {"type": "LineString", "coordinates": [[41.105, 34.43], [41.105, 34.37]]}


def load_demo_notifications(session: Session, settings: Settings, clock: Clock) -> list[str]:
    """File the demo's movements and site; returns their references."""
    env = service.env_of(settings, clock, ProcessCaches())
    relief, west = _principal(session, "relief"), _principal(session, "west.liaison")
    start = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)
    convoy = service.file_movement(
        session,
        relief,
        MovementIn(
            checkpoints=ACROSS,
            corridor_m=200,
            start=start,
            end=start + timedelta(hours=2),
            repetition=RepetitionIn(
                frequency=Frequency.DAILY,
                until=(start + timedelta(days=2)).date(),
            ),
            vehicles=4,
            vehicle_kind=VehicleKind.TRUCK,
            markings="White trucks, blue River Relief flag on the cab",
            purpose=Purpose.HUMANITARIAN,
            contact="+963 11 555 0101 (convoy lead)",
            place="West Gate",
        ),
        env,
    )
    patrol = service.file_movement(
        session,
        west,
        MovementIn(
            route=THROUGH_THE_MARKET,
            corridor_m=300,
            start=start + timedelta(hours=1),
            end=start + timedelta(hours=3),
            vehicles=2,
            vehicle_kind=VehicleKind.ARMOURED,
            markings="Two armoured cars, West Command insignia",
            purpose=Purpose.PATROL,
            contact="West Command operations room, channel 4",
        ),
        env,
    )
    clinic = service.file_site(
        session,
        relief,
        SiteIn(
            geometry={"type": "Point", "coordinates": [41.12, 34.41]},
            radius_m=150,
            site_type=SiteType.CLINIC,
            name="River Relief clinic, east bank",
            contact="+963 11 555 0102",
            reconfirm_days=30,
        ),
        env,
    )
    return [f"M-{convoy.id}", f"M-{patrol.id}", f"S-{clinic.id}"]


def _principal(session: Session, username: str) -> Principal:
    user = PartyRepository(session).user_by_username(username)
    if user is None:
        raise NotFound
    return principal_of(user)
