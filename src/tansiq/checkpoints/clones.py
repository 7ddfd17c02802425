"""Suspected clones: one permit seen at two checkpoints further apart than a vehicle can travel in
the time between. Each new scan is compared with its neighbours in time, whatever order the
devices synced in; a clone is flagged and told once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tansiq.checkpoints.domain import Sighting, distance_km, too_fast
from tansiq.checkpoints.ledger_facts import CLONE_SUSPECTED as LEDGER_CLONE
from tansiq.checkpoints.ledger_facts import flag_entry
from tansiq.checkpoints.messages import CLONE_SUSPECTED
from tansiq.checkpoints.repository import CheckpointRepository
from tansiq.clearances.notices import municipality_ids
from tansiq.core.clock import Clock
from tansiq.core.wording import in_both_scripts
from tansiq.geo.models import CheckpointRecord
from tansiq.geo.repository import GeoRepository
from tansiq.ledger.service import record_entries
from tansiq.notify.outbox import Notification
from tansiq.permits.domain import reference_of_cti
from tansiq.tallies.domain import Tally
from tansiq.tallies.repository import Key
from tansiq.tallies.service import key


def tally_flags(
    counts: Counter[Key], figure: Tally, events: Iterable[tuple[datetime, int]]
) -> None:
    """Count flagged events, each as (scanned at, checkpoint id)."""
    for scanned_at, checkpoint_id in events:
        counts[key(figure, scanned_at, checkpoint=checkpoint_id)] += 1


CLONE_WINDOW = timedelta(days=1)


def flag_clones(
    session: Session,
    rows: list[dict[str, Any]],
    clock: Clock,
    counts: Counter[Key],
    notices: list[Notification],
) -> list[tuple[str, int, str]]:
    """Compare each new scan with its neighbours in time among every stored scan of the same
    permit, whatever order the devices synced in; the scans this flagged, as (permit, device
    id, event id). The parties to tell are added to ``notices`` (for the caller to write with
    the others of its transaction)."""
    if not rows:
        return []
    new_uids = {(row["device_id"], row["event_uid"]) for row in rows}
    refs = {row["permit_ref"] for row in rows}
    devices = {row["device_id"] for row in rows}
    earliest = min(row["scanned_at"] for row in rows) - CLONE_WINDOW
    latest = max(row["scanned_at"] for row in rows) + CLONE_WINDOW
    repo = CheckpointRepository(session)
    places: dict[int, CheckpointRecord] | None = None
    # The distance between two checkpoints, worked out once per pair (None: one is unknown).
    apart: dict[tuple[int, int], float | None] = {}
    suspects: dict[tuple[int, str], str] = {}  # (device id, event id): permit
    # Per permit, its first pair too far apart (in the scans' order) and that pair's later scan.
    told: dict[str, tuple[Sighting, Sighting]] = {}
    told_at: dict[str, tuple[Any, int, str]] = {}
    # Each scan of these permits that follows another at another checkpoint, one of the two by
    # a device of this group: the database pairs them, so only such pairs are read.
    for (
        ref,
        before_at,
        before_device,
        before_uid,
        before_checkpoint,
        at,
        device_id,
        uid,
        checkpoint_id,
    ) in repo.neighbours(refs, earliest, latest, devices):
        if (before_device, before_uid) not in new_uids and (device_id, uid) not in new_uids:
            continue
        if places is None:
            places = {cp.id: cp for cp in GeoRepository(session).checkpoints()}
        pair = (before_checkpoint, checkpoint_id)
        if pair not in apart:
            apart[pair] = _apart_km(places, *pair)
        km = apart[pair]
        # impossible_travel (the two checkpoints differ), the distance worked out once per pair
        if km is None or not too_fast(km, before_at, at):
            continue
        first = _sighting(places, before_checkpoint, before_at)
        second = _sighting(places, checkpoint_id, at)
        if first is None or second is None:
            continue  # never: a distance is known only between two known checkpoints
        suspects[(device_id, uid)] = ref
        order = (at, device_id, uid)
        if ref not in told_at or order < told_at[ref]:
            told[ref], told_at[ref] = (first, second), order
    if not suspects or places is None:
        return []
    # One UPDATE for every suspect of the group: of two transactions flagging a scan at once,
    # only one gets it back.
    marked = sorted(repo.mark_clones(suspects), key=lambda m: (suspects[(m[0], m[1])], m[0], m[1]))
    tally_flags(counts, Tally.CLONES, ((at, checkpoint) for _, _, at, checkpoint in marked))
    now = clock.now()
    record_entries(
        session, [flag_entry(LEDGER_CLONE, device_id, uid, now) for device_id, uid, _, _ in marked]
    )
    flagged = [(suspects[(device_id, uid)], device_id, uid) for device_id, uid, _, _ in marked]
    # Told once per permit, and only by whoever flags a scan first (a look again after the
    # commit finds what the first look flagged and stays quiet).
    for ref in dict.fromkeys(ref for ref, _, _ in flagged):
        notices += _tell_clone(session, places, ref, *told[ref])
    return flagged


def _tell_clone(
    session: Session,
    places: dict[int, CheckpointRecord],
    ref: str,
    first: Sighting,
    second: Sighting,
) -> list[Notification]:
    reference = reference_of_cti(ref)
    minutes = abs((second.at - first.at).total_seconds()) / 60
    params: dict[str, str | int | float] = {
        "permit": ref,
        "first": places[first.checkpoint_id].code,
        "second": places[second.checkpoint_id].code,
        **in_both_scripts(
            "first", places[first.checkpoint_id].name_ar, places[first.checkpoint_id].name_en
        ),
        **in_both_scripts(
            "second", places[second.checkpoint_id].name_ar, places[second.checkpoint_id].name_en
        ),
        "km": round(distance_km(first, second), 1),
        "count": round(minutes, 1),
    }
    # The application's page is where every party told of it can look (need-to-know lets the
    # municipality open what it was told about).
    subject = f"permit:{ref}" if reference is None else f"application:{reference}"
    return [
        Notification(
            party_id,
            CLONE_SUSPECTED.kind,
            CLONE_SUSPECTED.title,
            CLONE_SUSPECTED.body,
            params,
            subject,
        )
        for party_id in {
            places[first.checkpoint_id].authority_id,
            places[second.checkpoint_id].authority_id,
            *municipality_ids(session),
        }
    ]


def _apart_km(places: dict[int, CheckpointRecord], first: int, second: int) -> float | None:
    """The distance between two checkpoints as :func:`impossible_travel` measures it."""
    at = datetime.min.replace(tzinfo=UTC)  # a distance: the time is not read
    a, b = _sighting(places, first, at), _sighting(places, second, at)
    return None if a is None or b is None else distance_km(a, b)


def _sighting(
    places: dict[int, CheckpointRecord], checkpoint_id: int, at: datetime
) -> Sighting | None:
    place = places.get(checkpoint_id)
    return None if place is None else Sighting(checkpoint_id, at, place.lon, place.lat)
