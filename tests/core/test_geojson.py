"""The strict GeoJSON reader, table-driven and property-based."""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.core.geojson import MAX_DETAILS, GeoJSONInvalid, parse_features, parse_geometry

POLYGONS = ("Polygon", "MultiPolygon")
SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]


def codes(error: GeoJSONInvalid) -> list[str]:
    return [detail.code for detail in error.details]


def feature(geometry: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {}, "geometry": geometry, **extra}


@pytest.mark.parametrize(
    ("geometry", "code"),
    [
        ({"type": "MultiPolygon", "coordinates": []}, "geojson.bad_coordinates"),
        ({"type": "MultiPolygon", "coordinates": [[SQUARE], "x"]}, "geojson.bad_coordinates"),
        ({"type": "Polygon", "coordinates": []}, "geojson.bad_coordinates"),
        ({"type": "Polygon", "coordinates": [SQUARE[::-1]]}, "geojson.wrong_winding"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, float("nan")], [0, 0]]]},
            "geojson.bad_position",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, True], [0, 0]]]},
            "geojson.bad_position",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0, 0, 0], [1, 0], [1, 1], [0, 0]]]},
            "geojson.bad_position",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], "0,0"]]},
            "geojson.bad_position",
        ),
        (
            {
                "type": "MultiPolygon",
                "coordinates": [
                    [SQUARE],
                    [[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]]],
                ],
            },
            "geojson.self_intersection",
        ),
        (None, "geojson.missing_geometry"),
        ({"type": "Polygon"}, "geojson.bad_coordinates"),
    ],
)
def test_geometry_problems(geometry: Any, code: str) -> None:
    with pytest.raises(GeoJSONInvalid) as raised:
        parse_features({"type": "FeatureCollection", "features": [feature(geometry)]}, POLYGONS)
    assert code in codes(raised.value)


def test_three_dimensional_positions_are_flattened_and_accepted() -> None:
    ring = [[x, y, 12.5] for x, y in SQUARE]
    parsed = parse_features(feature({"type": "Polygon", "coordinates": [ring]}), POLYGONS)
    assert parsed[0].geometry.area == 1.0


def test_multipolygons_with_holes_are_accepted() -> None:
    outer = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]]
    geometry = {
        "type": "MultiPolygon",
        "coordinates": [[outer, hole], [[[5, 5], [6, 5], [6, 6], [5, 5]]]],
    }
    parsed = parse_features(feature(geometry, id=7), POLYGONS)
    assert parsed[0].geometry.area == pytest.approx(16 - 1 + 0.5)
    assert parsed[0].feature_id == "7"


def test_rewind_turns_holes_and_shells_the_right_way() -> None:
    outer = [[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]]  # clockwise
    hole = [[1, 1], [2, 1], [2, 2], [1, 2], [1, 1]]  # counter-clockwise
    geometry = {"type": "Polygon", "coordinates": [outer, hole]}
    with pytest.raises(GeoJSONInvalid) as raised:
        parse_geometry(geometry, POLYGONS)
    assert codes(raised.value) == ["geojson.wrong_winding", "geojson.wrong_winding"]
    fixed = parse_geometry(geometry, POLYGONS, rewind=True)
    assert shapely.is_ccw(fixed.exterior)


def test_wgs84_crs_names_are_allowed() -> None:
    document = {
        "type": "FeatureCollection",
        "features": [feature({"type": "Polygon", "coordinates": [SQUARE]})],
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
    }
    assert len(parse_features(document, POLYGONS)) == 1


def test_a_bad_crs_member_is_refused() -> None:
    document = {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
        "properties": None,
        "crs": "EPSG:3857",
    }
    with pytest.raises(GeoJSONInvalid) as raised:
        parse_features(document, POLYGONS)
    assert codes(raised.value) == ["geojson.unsupported_crs"]


def test_problems_are_capped() -> None:
    bad = feature({"type": "Polygon", "coordinates": [SQUARE[::-1]]})
    with pytest.raises(GeoJSONInvalid) as raised:
        parse_features({"type": "FeatureCollection", "features": [bad] * 500}, POLYGONS)
    assert len(raised.value.details) == MAX_DETAILS


def test_too_many_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tansiq.core.geojson.MAX_POSITIONS", 3)
    with pytest.raises(GeoJSONInvalid) as raised:
        parse_geometry(
            {"type": "LineString", "coordinates": [[0, 0], [1, 1], [2, 2], [3, 3]]}, ("LineString",)
        )
    assert codes(raised.value) == ["geojson.too_many_positions"]


def test_parse_geometry_accepts_a_feature_and_tuples() -> None:
    line = parse_geometry(
        feature({"type": "LineString", "coordinates": ((0, 0), (1, 1))}), ("LineString",)
    )
    point = parse_geometry({"type": "Point", "coordinates": [41.1, 34.4]}, ("Point",))
    assert line.length == pytest.approx(2**0.5)
    assert (point.x, point.y) == (41.1, 34.4)


def test_point_out_of_range_and_bad_point() -> None:
    for coordinates, code in (([200, 0], "geojson.out_of_range"), ([1], "geojson.bad_position")):
        with pytest.raises(GeoJSONInvalid) as raised:
            parse_geometry({"type": "Point", "coordinates": coordinates}, ("Point",))
        assert codes(raised.value) == [code]


coordinate = st.floats(min_value=-170, max_value=170, allow_nan=False)
latitude = st.floats(min_value=-80, max_value=80, allow_nan=False)
size = st.floats(min_value=1e-4, max_value=5)


@settings(max_examples=150, deadline=None)
@given(x=coordinate, y=latitude, w=size, h=size)
def test_any_rectangle_round_trips_and_its_mirror_is_refused(
    x: float, y: float, w: float, h: float
) -> None:
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    parsed = parse_geometry({"type": "Polygon", "coordinates": [ring]}, POLYGONS)
    assert parsed.area == pytest.approx(w * h, rel=1e-6)
    with pytest.raises(GeoJSONInvalid) as raised:
        parse_geometry({"type": "Polygon", "coordinates": [ring[::-1]]}, POLYGONS)
    assert codes(raised.value) == ["geojson.wrong_winding"]


json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                ["type", "features", "geometry", "coordinates", "properties", "crs", "id"]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(document=json_values)
def test_arbitrary_json_is_either_parsed_or_refused_with_codes(document: Any) -> None:
    error: GeoJSONInvalid | None = None
    try:
        parse_features(document, POLYGONS)
    except GeoJSONInvalid as raised:
        error = raised
    if error is not None:
        assert error.details
        assert all(d.code.startswith("geojson.") for d in error.details)
