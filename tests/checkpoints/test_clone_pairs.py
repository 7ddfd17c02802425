"""Suspected clones, checked against their definition on many scans: after each push, every
permit's scans in the order of (time, device, event id); a scan that follows one at another
checkpoint too soon for the road between, one of the two new in that push, is suspected (the
later of the two). Many scans share a time, so the order among equal times counts."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.checkpoints.domain import Sighting, impossible_travel
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.core.clock import FixedClock, ensure_utc
from tansiq.geo.repository import GeoRepository
from tests.checkpoints.test_sync import device, event, push
from tests.conftest import Tokens

# Registered in this order, the devices' ids do not follow their checkpoints' ids.
GATES = {
    "E-MARKET": "east.admin",
    "W-GATE": "west.admin",
    "E-GATE": "east.admin",
    "BRIDGE-W": "west.admin",
}


def test_suspected_clones_are_the_pairs_the_definition_names(
    client: TestClient, session: Session, tokens: Tokens, clock: FixedClock
) -> None:
    rng = random.Random(7)
    gates = {code: device(client, tokens, code, admin) for code, admin in GATES.items()}
    start = clock.now() - timedelta(hours=2)
    alphabet = "ABCabc019_-"  # ids whose order differs by case and punctuation in a locale
    pushes = []
    for _ in range(12):
        code = rng.choice(list(gates))
        events = [
            {
                **event(
                    start + timedelta(minutes=5 * rng.randrange(12)),
                    permit=rng.choice(("P-000101", "P-000102", "P-000103")),
                ),
                "id": "".join(rng.choice(alphabet) for _ in range(10)),
            }
            for _ in range(rng.randrange(1, 8))
        ]
        pushes.append((code, events))
    # Two scans at one time by one device, after a scan at that time elsewhere: the first of
    # the two in Python's order of ids ("B" before "a") is the one that follows it.
    first, second = list(gates)[:2]
    pushes.append((first, [{**event(start, permit="P-000104"), "id": "tie-0000"}]))
    pushes.append(
        (
            second,
            [{**event(start, permit="P-000104"), "id": uid} for uid in ("aaaa-0001", "BBBB-0001")],
        )
    )
    reported = sum(push(client, gates[code], events)["clones_suspected"] for code, events in pushes)

    places = {place.id: place for place in GeoRepository(session).checkpoints()}
    rows = {
        (row.checkpoint_id, row.event_uid): row for row in session.scalars(select(ScanEventRecord))
    }
    codes = {place.code: place.id for place in places.values()}
    stored: list[ScanEventRecord] = []
    expected: set[tuple[int, str]] = set()
    for code, events in pushes:
        new = [rows[(codes[code], e["id"])] for e in events]
        new = list({(r.device_id, r.event_uid): r for r in new}.values())
        stored += [r for r in new if r not in stored]
        fresh = {(r.device_id, r.event_uid) for r in new}
        for permit in {r.permit_ref for r in stored}:
            scans = sorted(
                (r for r in stored if r.permit_ref == permit),
                key=lambda r: (ensure_utc(r.scanned_at), r.device_id, r.event_uid),
            )
            for before, after in itertools.pairwise(scans):
                if {
                    (before.device_id, before.event_uid),
                    (after.device_id, after.event_uid),
                }.isdisjoint(fresh):
                    continue
                earlier, later = (
                    Sighting(
                        r.checkpoint_id,
                        ensure_utc(r.scanned_at),
                        places[r.checkpoint_id].lon,
                        places[r.checkpoint_id].lat,
                    )
                    for r in (before, after)
                )
                if impossible_travel(earlier, later):
                    expected.add((after.device_id, after.event_uid))

    flagged = {(r.device_id, r.event_uid) for r in rows.values() if r.clone_suspected}
    assert len(expected) >= 5  # the scans make a real test of it
    assert {uid for _, uid in flagged} >= {"BBBB-0001"}
    assert flagged == expected
    assert reported == len(expected)
