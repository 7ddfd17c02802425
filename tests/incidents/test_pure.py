"""The pure rules of incidents: what looks like a person in free text, verification, windows,
distances, and the cutting of routes into pieces for the index."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import shapely

from tansiq.incidents.domain import (
    SUB_TYPES,
    BadDistances,
    EmailInText,
    EventType,
    IdNumberInText,
    PhoneNumberInText,
    SubType,
    SubTypeMismatch,
    Verification,
    WindowEnded,
    WindowReversed,
    WindowTooLong,
    check_sub_type,
    check_validity,
    parse_distances,
    personal_pattern,
    verification_state,
)
from tansiq.incidents.index import Corridor, ImpactIndex, cut_pieces, split_pieces

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("+964 770 123 4567", PhoneNumberInText),
        ("00963-11-555-0101", PhoneNumberInText),
        ("ID 1234567", IdNumberInText),
        ("٠٧٧٠١٢٣٤٥٦٧", IdNumberInText),
        ("۰۹۱۲۳۴۵۶۷۸", IdNumberInText),
        ("0770 123 4567", IdNumberInText),
        ("mail x.y@example.org now", EmailInText),
        ("Crater at km 12.5 on 2026-11-25 at 11:40", None),
        ("34.401234, 41.054321", None),
        ("25/11/2026 lane 3 of 4, 200 m", None),
        ("اشتباك قرب الجسر", None),
        ("", None),
    ],
)
def test_what_looks_personal(text: str, found: type | None) -> None:
    assert personal_pattern(text) is found


def test_every_sub_type_belongs_to_exactly_one_type_but_other() -> None:
    owners = [t for t, subs in SUB_TYPES.items() for _ in subs]
    assert len(owners) == len({s for subs in SUB_TYPES.values() for s in subs})
    assert set(SubType) == {s for subs in SUB_TYPES.values() for s in subs}
    check_sub_type(EventType.ARMED_CLASH, SubType.SNIPER_FIRE)
    with pytest.raises(SubTypeMismatch):
        check_sub_type(EventType.PROTEST, SubType.SNIPER_FIRE)


@pytest.mark.parametrize(
    ("corroborations", "refutations", "state"),
    [
        (0, 0, Verification.UNVERIFIED),
        (2, 0, Verification.CORROBORATED),
        (0, 1, Verification.REFUTED),
        (1, 1, Verification.DISPUTED),
    ],
)
def test_verification(corroborations: int, refutations: int, state: Verification) -> None:
    assert verification_state(corroborations, refutations) is state


def test_windows() -> None:
    hour = timedelta(hours=1)
    assert check_validity(NOW - hour, NOW + hour, NOW, 90).end == NOW + hour
    with pytest.raises(WindowReversed):
        check_validity(NOW + hour, NOW, NOW, 90)
    with pytest.raises(WindowEnded):
        check_validity(NOW - 2 * hour, NOW - hour, NOW, 90)
    with pytest.raises(WindowTooLong):
        check_validity(NOW, NOW + timedelta(days=91), NOW, 90)


def test_distances_override_the_defaults_and_refuse_unknown_types() -> None:
    distances = parse_distances("armed_clash=5000, road_closed = 20")
    assert distances["armed_clash"] == 5000
    assert distances["road_closed"] == 20
    assert distances["protest"] == 500
    for bad in ("sniping=10", "protest=lots", "protest=-1", "protest=90000"):
        with pytest.raises(BadDistances):
            parse_distances(bad)


def test_cutting_lines_in_numpy_gives_the_pieces_one_by_one_would() -> None:
    rng = random.Random(3)
    shapes = [
        shapely.LineString([(i, rng.random()) for i in range(n)])
        for n in (2, 3, 32, 33, 34, 64, 65, 66, 97, 200)
    ]
    shapes += [shapely.box(0, 0, 1, 1), shapely.Point(1, 1)]
    shapes += [shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]])]
    pieces, owners = cut_pieces(np.array(shapes, dtype=object))
    got = sorted(zip(owners.tolist(), [p.wkt for p in pieces], strict=True))
    assert got == sorted((i, p.wkt) for i, s in enumerate(shapes) for p in split_pieces(s))
    assert max(len(p.coords) for p in pieces if isinstance(p, shapely.LineString)) == 33


def test_the_index_honours_every_window_and_reports_the_gap_beyond_the_reach() -> None:
    road = shapely.LineString([(41.04, 34.4), (41.1, 34.4)])
    day = timedelta(days=1)
    repeating = Corridor(
        "movement",
        "M-1",
        1,
        1,
        road,
        100.0,
        ((NOW, NOW + 2 * day / 24), (NOW + day, NOW + day + day / 12)),
        (1,),
    )
    later = Corridor("permit", "P-2", 2, 2, road, 100.0, ((NOW + 3 * day, NOW + 4 * day),), (2,))
    index = ImpactIndex([repeating, later], 32637)
    point = shapely.Point(41.07, 34.4045)  # about 500 m north of the road
    [hit] = index.touching(point, 450.0, NOW, NOW + day / 24)
    assert hit.corridor is repeating
    assert 390 < hit.distance_m < 410
    assert index.touching(point, 350.0, NOW, NOW + day / 24) == []
    # Between the two occurrences: touches nothing, though the first/last span covers it.
    assert index.touching(point, 450.0, NOW + day / 2, NOW + day / 2 + day / 24) == []
    assert ImpactIndex([], 32637).touching(point, 450.0, NOW, NOW + day) == []
    # A watch counts for ever: it lives in the long-lived tree, alone or beside others.
    forever = ((NOW - day, datetime(9999, 1, 1, tzinfo=UTC)),)
    watch = Corridor("watch", "Bridge", 3, 3, road, 0.0, forever, (3,))
    assert [
        h.corridor for h in ImpactIndex([watch], 32637).touching(point, 600.0, NOW, NOW + day)
    ] == [watch]
    both = ImpactIndex([watch, later], 32637).touching(point, 600.0, NOW + 3 * day, NOW + 4 * day)
    assert [h.corridor.kind for h in both] == ["permit", "watch"]
