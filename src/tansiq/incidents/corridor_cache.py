"""Every active permit's and movement's corridor, kept in memory by each hub process, so the
impact of a new incident or advisory is one index query instead of reading every corridor near
it from the database (46.9 ms p99 at 5,000 stored movements; see docs/performance.md), and so
is a new movement's or site's conflict check against the active movements
(:class:`HeldMovements`, deconfliction's :class:`~tansiq.deconfliction.stored.ActiveMovements`;
it answers only at the asking transaction's own revision). ``tansiq serve`` loads it before it
listens (:func:`warm_corridors`).

Staying current, across processes: every transaction that changes a permit or a movement (its
notification, version, occurrences or reached parties) bumps the stored corridor revision and
logs the changed ids under it just before it commits (:func:`_note_changes`,
:func:`_log_changes`). A request reads
the revision (one row); when it moved on, the cache reloads only the logged ids, and rebuilds
in full when it cannot trust the log (its revision's stamp is not the one logged) or when too
much changed. It holds committed state only: a session answers from the database while its
own transaction has changed a permit or a movement. Changed corridors live in a small second index
that masks the big one, until they are too many and the big one is rebuilt from memory.

A one-shot process (a CLI command) assesses once; loading every corridor for that would cost
more than the box query, so the first use answers from the database and only a second use
loads the cache (:meth:`CorridorCache.index` returns None the first time).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import event
from sqlalchemy.orm import Session

from tansiq.core.arrays import Windowed, joined, only
from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import micros
from tansiq.deconfliction.conflicts import Footprint
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.models import (
    AffectedPartyRecord,
    NotificationRecord,
    NotificationVersionRecord,
    OccurrenceRecord,
)
from tansiq.deconfliction.stored import LONLAT, Touching, movements_in_memory
from tansiq.incidents.corridors import active_movement_corridors, active_permit_corridors
from tansiq.incidents.index import Corridor, Hit, ImpactIndex, Near, cut_pieces
from tansiq.incidents.repository_corridors import CorridorsRepository, bump_revision
from tansiq.permits.models import PermitRecord

Key = tuple[str, int]
# In ``Session.info``: this session's transaction changed permits or movements.
OWN_CHANGES = "tansiq.incidents.corridors_changed"
PERMIT, MOVEMENT = "permit", "movement"
# Past this many changed corridors (or this share of the index) the big index is rebuilt, and
# past the share a refresh reloads everything rather than the logged ids.
DELTA_MIN = 2_000
DELTA_SHARE = 0.05


def key_of(corridor: Corridor) -> Key:
    return corridor.kind, corridor.target_id


class LiveIndex:
    """One process's corridors in one metric CRS: a big index built from a snapshot, and the
    corridors changed since, in a small index that masks theirs in the big one."""

    def __init__(self, corridors: Iterable[Corridor], epsg: int) -> None:
        self.epsg = epsg
        self.base = ImpactIndex(list(corridors), epsg)
        # (masked keys, the changed corridors' index): replaced whole, so a reader on another
        # thread sees the one or the other, never half of each.
        self._delta: tuple[frozenset[Key], ImpactIndex] = (frozenset(), ImpactIndex([], epsg))

    @property
    def stale(self) -> bool:
        return len(self._delta[0]) > max(DELTA_MIN, DELTA_SHARE * len(self.base))

    def change(self, keys: set[Key], current: dict[Key, Corridor]) -> None:
        """``keys`` changed; ``current`` holds each one still active as it is now."""
        masked = self._delta[0] | keys
        self._delta = (masked, ImpactIndex([current[k] for k in masked if k in current], self.epsg))

    def touching(self, shape: Any, distance_m: float, start: datetime, end: datetime) -> list[Hit]:
        masked, delta = self._delta
        hits = self.base.touching(shape, distance_m, start, end)
        if not masked:
            return hits
        hits = [h for h in hits if key_of(h.corridor) not in masked]
        hits += delta.touching(shape, distance_m, start, end)
        hits.sort(key=lambda hit: hit.distance_m)
        return hits

    def near(
        self, pieces: npt.NDArray[np.object_], reach_m: float, start: datetime, end: datetime
    ) -> Near:
        """As :meth:`ImpactIndex.near`."""
        masked, delta = self._delta
        found = self.base.near(pieces, reach_m, start, end)
        if not masked:
            return found
        kept = np.array([key_of(c) not in masked for c in found.items], dtype=bool)
        return joined(only(found, kept), delta.near(pieces, reach_m, start, end))


class CorridorCache:
    """The process's active permits and movements, their indexes per metric CRS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked = False
        self._seen: tuple[int, int] | None = None  # (revision, stamp) the corridors are at
        self._corridors: dict[Key, Corridor] = {}
        self._indexes: dict[int, LiveIndex] = {}

    def index(self, session: Session, epsg: int, *, exact: bool = False) -> LiveIndex | None:
        """The index in ``epsg``, current as of the last revision committed that ``session``
        or an earlier caller saw. None on the first call (see the module's docstring), and
        while ``session`` has changed permits or movements it has not committed: only it sees
        them, the cache holds what every process sees, so the caller reads the database.
        With ``exact``, also None when the cache holds a later revision than ``session``'s
        snapshot (a transaction that began before another's commit): a caller that goes on to
        read what the index found, in that snapshot, must not find what it cannot see."""
        seen = CorridorsRepository(session).revision()  # flushes first: sets OWN_CHANGES
        if session.info.get(OWN_CHANGES):
            return None
        with self._lock:
            if not self._asked:
                self._asked = True
                return None
            if not self._follow(session, seen):
                self._load(session, seen)
            if exact and self._seen != seen:
                return None
            live = self._indexes.get(epsg)
            if live is None or live.stale:
                live = self._indexes[epsg] = LiveIndex(self._corridors.values(), epsg)
            return live

    def warm(self, session: Session, epsg: int) -> int:
        """Load every corridor now and build the index in ``epsg``, as a hub does before it
        serves (so no request waits for the load, and what it made can be frozen out of the
        garbage collector's sight); returns how many corridors it holds."""
        seen = CorridorsRepository(session).revision()
        with self._lock:
            self._asked = True
            self._load(session, seen)
            self._indexes[epsg] = LiveIndex(self._corridors.values(), epsg)
            return len(self._corridors)

    def _load(self, session: Session, seen: tuple[int, int]) -> None:
        found = active_permit_corridors(session, None)
        found += active_movement_corridors(session, None)
        self._corridors = {key_of(c): c for c in found}
        self._indexes = {}
        self._seen = seen

    def _follow(self, session: Session, seen: tuple[int, int]) -> bool:
        """Bring the cache to ``seen`` from the change log; False when it must reload."""
        if self._seen is None:
            return False
        revision, stamp = self._seen
        if seen == self._seen:
            return True
        if seen[0] < revision:
            return True  # a transaction that began before the last commit the cache holds
        if seen[0] == revision:
            return False  # the same number with another stamp: not the revision it holds
        repo = CorridorsRepository(session)
        if revision and repo.stamp_at(revision) != stamp:
            return False  # the revision the cache was at was rolled back
        changed = repo.changed_between(revision, seen[0])
        if len(changed) > max(DELTA_MIN, DELTA_SHARE * len(self._corridors)):
            return False
        permits = [i for kind, i in changed if kind == PERMIT]
        movements = [i for kind, i in changed if kind == MOVEMENT]
        fresh = active_permit_corridors(session, permits) if permits else []
        fresh += active_movement_corridors(session, movements) if movements else []
        for key in changed:
            self._corridors.pop(key, None)
        self._corridors.update((key_of(c), c) for c in fresh)
        for live in self._indexes.values():
            live.change(changed, self._corridors)
        self._seen = seen
        return True


def corridor_cache(caches: ProcessCaches) -> CorridorCache:
    return caches.get(CorridorCache, CorridorCache)


# The new shape's pieces: shorter than the index's, so each one's box stays small and asks
# the index for little (a 150 m-step route's 8 segments span about a kilometre).
NEW_PIECE_SEGMENTS = 8


class HeldMovements:
    """The conflict check's active movements (:class:`~tansiq.deconfliction.stored.
    ActiveMovements`) from the process's corridor cache: one index query instead of reading
    every movement near the new one from the database."""

    def __init__(self, cache: CorridorCache) -> None:
        self.cache = cache

    def near(
        self, session: Session, new: Footprint, spans: Sequence[tuple[datetime, datetime]]
    ) -> Touching | None:
        # Exactly the session's snapshot: the check reads the notifiers of what it finds.
        live = self.cache.index(session, new.epsg, exact=True)
        if live is None or not spans:
            return None
        pieces, _ = cut_pieces(np.array([new.shape], dtype=object), NEW_PIECE_SEGMENTS)
        start, end = min(s for s, _ in spans), max(e for _, e in spans)
        found = live.near(pieces, new.reach_m, start, end)
        # Movements only, not the new one's own; with their windows that meet a span.
        meets = np.zeros(len(found.starts), dtype=bool)
        for s, e in spans:
            meets |= (found.starts < micros(e)) & (found.ends > micros(s))
        kept = np.bincount(found.owner[meets], minlength=len(found.items)) > 0
        some = np.flatnonzero(kept)  # asked of these only: a busy check meets thousands
        held = [found.items[i] for i in some.tolist()]
        kept[some] = [c.kind == MOVEMENT and c.target_id != new.notification_id for c in held]
        found = only(found, kept, meets)
        # In longitude/latitude: the check projects only the few that clash.
        return Windowed(
            [
                Footprint(c.target_id, NotificationKind.MOVEMENT, c.shape, c.reach_m, (), LONLAT)
                for c in found.items
            ],
            found.starts,
            found.ends,
            found.owner,
        )


def warm_corridors(caches: ProcessCaches, session: Session, epsg: int) -> int:
    """Load the process's corridor cache before it serves (see :meth:`CorridorCache.warm`)."""
    return corridor_cache(caches).warm(session, epsg)


def hold_movements(caches: ProcessCaches) -> None:
    """Let the conflict checks of this process ask its corridor cache (a hub that serves
    requests: a one-shot command asks the database)."""
    movements_in_memory(caches).source = HeldMovements(corridor_cache(caches))


def _changed_targets(objects: Iterable[object]) -> set[Key]:
    found: set[Key] = set()
    for thing in objects:
        if isinstance(thing, PermitRecord):
            found.add((PERMIT, thing.id))
        elif isinstance(thing, NotificationRecord):
            found.add((MOVEMENT, thing.id))
        elif isinstance(thing, NotificationVersionRecord | OccurrenceRecord | AffectedPartyRecord):
            found.add((MOVEMENT, thing.notification_id))
    return found


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: object) -> None:
    """Note the permits and movements this flush changed (the session's new/dirty/deleted
    still list them here, and the new ones have their ids), to log when it commits."""
    targets = _changed_targets(chain(session.new, session.dirty, session.deleted))
    if targets:
        session.info.setdefault(OWN_CHANGES, set()).update(targets)


@event.listens_for(Session, "before_commit")
def _log_changes(session: Session) -> None:
    """Bump the revision and log what changed as the last thing before COMMIT: the revision
    row's lock is held from here to the commit only, so writers queue on it briefly and never
    while waiting for another lock (no deadlock through it)."""
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction logs it
    session.flush()  # what commit would flush next, so its changes are in the log too
    targets = session.info.get(OWN_CHANGES)
    if targets:
        bump_revision(session.connection(), targets)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    """Committed, every process sees them (the cache may hold them); rolled back, nobody.
    A savepoint's end says neither: the transaction goes on."""
    if not session.in_nested_transaction():
        session.info.pop(OWN_CHANGES, None)
