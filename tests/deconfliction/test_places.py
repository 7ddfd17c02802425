"""A conflict's place, worked out for many conflicts at once from the parts of each corridor
near the other, is the intersection of the two whole corridors (round-ended buffers of the
whole routes): winding, self-crossing routes of many points, as filed movements are."""

from __future__ import annotations

import json

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.core.projection import project
from tansiq.deconfliction.conflicts import (
    PIECE_SEGMENTS,
    Footprint,
    conflict_places,
    geojson_many,
    meeting_boxes,
    piece_bounds,
    touches,
)
from tansiq.deconfliction.domain import NotificationKind
from tansiq.deconfliction.schedule import Window

from .strategies import EPSG, T0, X0, Y0

WHEN = (Window(T0, T0.replace(hour=4)),)


def walk(seed: int, nid: int) -> Footprint:
    """A random walk of 20-120 steps of about 150 m with a drifting heading (it crosses
    itself now and then), in metres around (X0, Y0), with a reach of 25-250 m."""
    rng = np.random.default_rng(seed)
    count = int(rng.integers(20, 120))
    heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.uniform(-0.6, 0.6, count))
    steps = np.column_stack((np.cos(heading), np.sin(heading))) * 150.0
    start = rng.uniform(0, 4_000, 2) + np.array([X0, Y0])
    line = shapely.LineString(np.round(np.cumsum(steps, axis=0) + start, 1))
    return Footprint(nid, NotificationKind.MOVEMENT, line, float(rng.integers(25, 251)), WHEN, EPSG)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_each_place_is_the_intersection_of_the_whole_corridors(seed: int) -> None:
    new = walk(seed, 0)
    others = [o for o in (walk(seed + k, k) for k in range(1, 12)) if touches(new, o)]
    places = conflict_places(new, others)
    assert len(places) == len(others)
    mine = shapely.buffer(new.shape, new.reach_m)
    for other, place in zip(others, places, strict=True):
        found = project(shapely.geometry.shape(place), EPSG)
        whole = shapely.intersection(mine, shapely.buffer(other.shape, other.reach_m))
        if whole.area == 0:
            # Only just touching: the midpoint of the gap (or where the edges meet).
            assert found.area == 0
            gap = new.reach_m + other.reach_m
            assert found.distance(new.shape) <= gap
            assert found.distance(other.shape) <= gap
            continue
        assert found.area > 0
        assert shapely.symmetric_difference(found, whole).area <= 1e-6 * whole.area + 1e-3


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_places_are_written_as_geojson_exactly_as_geos_writes_them(seed: int) -> None:
    # Places read from their coordinates are what GEOS's GeoJSON text says, float for float
    # and in the same order: polygons with holes, multipolygons, and the rarer shapes.
    first, second = walk(seed, 0), walk(seed + 1, 1)
    crossing = shapely.intersection(
        shapely.buffer(first.shape, first.reach_m), shapely.buffer(second.shape, second.reach_m)
    )
    holed = shapely.difference(shapely.buffer(first.shape, 3 * first.reach_m), crossing)
    shapes = np.array(
        [
            crossing,
            holed,
            shapely.MultiPolygon(list(shapely.get_parts(crossing))),
            shapely.Polygon(),
            shapely.MultiPolygon(),
            shapely.line_interpolate_point(first.shape, 0.5, normalized=True),
            shapely.GeometryCollection([crossing, first.shape]),
            shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 2)]),
        ],
        dtype=object,
    )
    written = geojson_many(shapes)
    assert json.dumps(written) == json.dumps([json.loads(t) for t in shapely.to_geojson(shapes)])


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_pieces_are_boxed_as_the_lines_cut_in_pieces(seed: int) -> None:
    walks = [walk(seed + k, k) for k in range(6)]
    shapes = np.array(
        [w.shape for w in walks] + [shapely.Point(X0, Y0).buffer(50), shapely.Point(X0, Y0)],
        dtype=object,
    )
    reach = np.array([w.reach_m for w in walks] + [10.0, 20.0])
    boxes, owner = piece_bounds(shapes, reach)
    expected, owners = [], []
    for number, (shape, grow) in enumerate(zip(shapes, reach, strict=True)):
        coords = shapely.get_coordinates(shape)
        cut = (
            [coords[i : i + PIECE_SEGMENTS + 1] for i in range(0, len(coords) - 1, PIECE_SEGMENTS)]
            if isinstance(shape, shapely.LineString)
            else [coords]
        )
        for piece in cut:
            expected.append([*piece.min(axis=0) - grow, *piece.max(axis=0) + grow])
            owners.append(number)
    assert owner.tolist() == owners
    assert np.array_equal(boxes, np.array(expected))


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_the_box_a_place_is_worked_out_in_holds_all_of_it(seed: int) -> None:
    # The box is far smaller than the two envelopes' overlap, yet holds all of where the two
    # whole corridors meet.
    new = walk(seed, 0)
    others = [o for o in (walk(seed + k, k) for k in range(1, 12)) if touches(new, o)]
    shapes = np.array([o.shape for o in others], dtype=object)
    boxes = meeting_boxes(new, shapes, np.array([o.reach_m for o in others]))
    mine = shapely.buffer(new.shape, new.reach_m)
    for other, box in zip(others, boxes, strict=True):
        whole = shapely.intersection(mine, shapely.buffer(other.shape, other.reach_m))
        if whole.is_empty:
            continue
        held = np.asarray(whole.bounds)
        assert np.all(box[:2] <= held[:2])
        assert np.all(box[2:] >= held[2:])
        theirs = np.asarray(other.shape.bounds) + other.reach_m * np.array([-1, -1, 1, 1])
        ours = np.asarray(new.shape.bounds) + new.reach_m * np.array([-1, -1, 1, 1])
        assert np.all(box[:2] >= np.maximum(theirs[:2], ours[:2]))
        assert np.all(box[2:] <= np.minimum(theirs[2:], ours[2:]))
