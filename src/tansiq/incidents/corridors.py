"""The corridors a hazard may touch, read from where each lives: movements from deconfliction,
watches from here, permits from whoever issued them.

A permit's route and holder live with its application (``clearances``), which sits above
this feature in the layers (application pages show incidents' alerts), so clearances hands
its reader in: :func:`register_permit_source` at import of ``tansiq.clearances.corridors``,
which every entry point (app, CLI, worker) imports. Without one, :func:`corridors_near`
refuses to pretend no permit exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import shapely
from sqlalchemy.orm import Session

from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.planning import reference
from tansiq.incidents.index import Corridor
from tansiq.incidents.repository import Box, IncidentsRepository
from tansiq.incidents.repository_corridors import CHUNK, CorridorsRepository, MovementRow

PermitSource = Callable[[Session, Box, datetime, datetime], list[Corridor]]
# Every active permit whatever its time (``None``), or those of the ids still active.
PermitReader = Callable[[Session, Sequence[int] | None], list[Corridor]]
FOREVER = datetime(9999, 1, 1, tzinfo=UTC)

_PERMIT_SOURCES: list[PermitSource] = []
_PERMIT_READERS: list[PermitReader] = []


class NoPermitSource(RuntimeError):
    """No reader of permits' corridors is registered: a wiring fault, not a user's."""


def register_permit_source(source: PermitSource) -> None:
    if source not in _PERMIT_SOURCES:
        _PERMIT_SOURCES.append(source)


def register_permit_reader(reader: PermitReader) -> None:
    if reader not in _PERMIT_READERS:
        _PERMIT_READERS.append(reader)


def active_permit_corridors(session: Session, ids: Sequence[int] | None) -> list[Corridor]:
    """What the registered readers give: every active permit, or those of ``ids``."""
    if not _PERMIT_READERS:
        raise NoPermitSource("import tansiq.clearances.corridors before assessing impact")
    return [c for reader in _PERMIT_READERS for c in reader(session, ids)]


def corridors_near(session: Session, box: Box, start: datetime, end: datetime) -> list[Corridor]:
    """Every active permit, movement and watch whose box meets ``box`` (degrees) and which
    counts at some time in ``[start, end)``; the exact tests are the index's."""
    if not _PERMIT_SOURCES:
        raise NoPermitSource("import tansiq.clearances.corridors before assessing impact")
    found = movement_corridors(session, box, start, end)
    found += watch_corridors(session, box)
    for source in _PERMIT_SOURCES:
        found += source(session, box, start, end)
    return found


def movement_corridors(
    session: Session, box: Box, start: datetime, end: datetime
) -> list[Corridor]:
    return corridors_of_movements(
        session, IncidentsRepository(session).movements_near(start, end, box)
    )


def active_movement_corridors(session: Session, ids: Sequence[int] | None) -> list[Corridor]:
    """Every active movement (or those of ``ids`` still active), whatever its time."""
    return corridors_of_movements(session, CorridorsRepository(session).active_movements(ids))


def corridors_of_movements(session: Session, rows: Sequence[MovementRow]) -> list[Corridor]:
    repo = IncidentsRepository(session)
    versions = [row[2] for row in rows]
    parties: dict[int, list[int]] = {}
    for at in range(0, len(versions), CHUNK):
        parties.update(repo.reached_parties(versions[at : at + CHUNK]))
    return [
        Corridor(
            kind="movement",
            label=reference(NotificationKind.MOVEMENT, notification_id),
            target_id=notification_id,
            subject_id=notification_id,
            shape=shapely.from_wkb(wkb),
            reach_m=width / 2.0,
            windows=tuple(windows),
            party_ids=(notifier, *parties.get(version_id, [])),
        )
        for notification_id, notifier, version_id, width, wkb, windows in rows
        if windows
    ]


def watch_corridors(session: Session, box: Box) -> list[Corridor]:
    return [
        Corridor(
            kind="watch",
            label=watch.name,
            target_id=watch.id,
            subject_id=watch.id,
            shape=shapely.from_wkb(watch.shape_wkb),
            reach_m=watch.reach_m,
            windows=((watch.created_at, FOREVER),),
            party_ids=(watch.party_id,),
        )
        for watch in IncidentsRepository(session).watches_near(box)
    ]
