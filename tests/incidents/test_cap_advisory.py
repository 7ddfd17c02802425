"""Advisories as CAP alerts and back (pure): every kind round-trips through a valid CAP 1.2
document, roads and checkpoints travel as documented, and an alert that is no advisory is
refused with a coded error naming what is wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.core.errors import TansiqError
from tansiq.incidents.cap import parse_alert, render_alert
from tansiq.incidents.cap_advisory import (
    CHECKPOINT_GEOCODE,
    KIND_CODE,
    ROAD_HALF_WIDTH_M,
    ROAD_PARAMETER,
    CapAdvisory,
    CapInfosDisagree,
    CapLanguageRepeated,
    CapMessageUnsupported,
    CapNoLanguage,
    CapNoPlace,
    CapNotActual,
    Issuer,
    advisory_alert,
    alert_message,
)
from tansiq.incidents.cap_model import (
    MAX_POINTS,
    Alert,
    Area,
    CapFieldInvalid,
    CapFieldMissing,
    CapTooManyPoints,
    Category,
    Certainty,
    Circle,
    Info,
    MsgType,
    NamedValue,
    Reference,
    Scope,
    Status,
    Urgency,
)
from tansiq.incidents.cap_model import Severity as CapSeverity
from tansiq.incidents.domain import AdvisoryKind, Severity
from tests.incidents.cap_support import EARTHQUAKE, HOMELAND, THUNDERSTORM, validate_document
from tests.incidents.test_cap import alerts as cap_alerts

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ISSUER = Issuer("tansiq@hub.example.org", "قيادة الغرب", "West Command", "البوابة", "West Gate")
LINE = {"type": "LineString", "coordinates": [[41.05, 34.4], [41.06, 34.4], [41.07, 34.41]]}
SQUARE = [[41.0, 34.0], [41.1, 34.0], [41.1, 34.1], [41.0, 34.1], [41.0, 34.0]]
AREA = {"type": "Polygon", "coordinates": [SQUARE]}
TWO_AREAS = {
    "type": "MultiPolygon",
    "coordinates": [[SQUARE], [[[p[0] + 1, p[1]] for p in SQUARE]]],
}
LIMIT = 1 << 20


def advisory(**changes: Any) -> CapAdvisory:
    base = CapAdvisory(
        kind=AdvisoryKind.ROAD_CLOSED,
        geometry=LINE,
        checkpoint=None,
        valid_from=NOW,
        valid_until=NOW + timedelta(days=1),
        severity=Severity.SEVERE,
        description="Crater on the Bridge Road",
        public=True,
    )
    return replace(base, **changes)


def through_cap(content: CapAdvisory, **options: Any) -> tuple[Alert, bytes]:
    alert = advisory_alert(content, identifier="advisory-7", issuer=ISSUER, sent=NOW, **options)
    document = render_alert(alert)
    assert validate_document(document) == []
    return alert, document


def read(document: bytes) -> CapAdvisory:
    message = alert_message(parse_alert(document, max_bytes=LIMIT))
    assert message.advisory is not None
    return message.advisory


@pytest.mark.parametrize(
    "content",
    [
        advisory(),
        advisory(kind=AdvisoryKind.AREA_UNSAFE, geometry=AREA, severity=Severity.EXTREME),
        advisory(kind=AdvisoryKind.AREA_UNSAFE, geometry=TWO_AREAS, severity=Severity.MINOR),
        advisory(public=False, severity=Severity.MODERATE, description=""),
        advisory(valid_from=NOW + timedelta(hours=2)),
    ],
)
def test_each_kind_round_trips_through_valid_cap(content: CapAdvisory) -> None:
    _, document = through_cap(content)
    assert read(document) == content


def test_a_checkpoint_travels_as_its_code_with_a_circle_for_other_readers() -> None:
    content = advisory(
        kind=AdvisoryKind.CHECKPOINT_CLOSED,
        geometry={"type": "Point", "coordinates": [41.02, 34.39]},
        checkpoint="W-GATE",
    )
    alert, document = through_cap(content)

    area = alert.infos[1].areas[0]
    assert area.geocodes == (NamedValue(CHECKPOINT_GEOCODE, "W-GATE"),)
    assert area.circles == (Circle((41.02, 34.39), 0.15),)
    assert b"<circle>34.39,41.02 0.15</circle>" in document  # latitude first
    assert alert.infos[1].headline == "Checkpoint closed: West Gate"
    assert area.description == "West Gate"
    # Imported, the code names the checkpoint; where it stands is the hub's own record.
    assert read(document) == replace(content, geometry=None)
    # A checkpoint without a known place is still exported, by its code alone.
    _, bare = through_cap(replace(content, geometry=None))
    assert read(bare) == replace(content, geometry=None)


def test_a_road_travels_as_its_line_and_a_thin_polygon() -> None:
    alert, _document = through_cap(advisory())
    info = alert.infos[1]

    assert info.parameters == (NamedValue(ROAD_PARAMETER, "34.4,41.05 34.4,41.06 34.41,41.07"),)
    (ring,) = info.areas[0].polygons
    band = shapely.Polygon(ring)
    line = shapely.LineString(LINE["coordinates"])
    assert band.contains(line)
    # About ROAD_HALF_WIDTH_M either side, in degrees of latitude.
    assert band.bounds[1] == pytest.approx(34.4 - ROAD_HALF_WIDTH_M / 111_320, abs=2e-5)


def test_both_languages_are_told_and_the_scope_follows_publication() -> None:
    public, _ = through_cap(advisory())
    restricted, _ = through_cap(advisory(public=False))

    assert [info.language for info in public.infos] == ["ar", "en"]
    assert public.infos[0].sender_name == "قيادة الغرب"
    assert public.infos[1].event == "Road closed"
    assert public.infos[1].categories == (Category.TRANSPORT,)
    assert public.infos[1].event_codes == (NamedValue(KIND_CODE, "road_closed"),)
    assert (public.scope, public.restriction) == (Scope.PUBLIC, "")
    assert restricted.scope is Scope.RESTRICTED
    assert restricted.restriction
    assert public.infos[1].urgency is Urgency.IMMEDIATE
    later, _ = through_cap(advisory(valid_from=NOW + timedelta(hours=1)))
    assert later.infos[1].urgency is Urgency.EXPECTED


def test_a_withdrawn_advisory_is_the_cancel_of_its_alert() -> None:
    first = Reference(ISSUER.sender, "advisory-7", NOW - timedelta(hours=3))
    alert, _ = through_cap(advisory(), msg_type=MsgType.CANCEL, references=(first,))

    assert alert.msg_type is MsgType.CANCEL
    assert alert.references == (first,)
    message = alert_message(alert)
    assert message.advisory is None
    assert message.references == (f"{ISSUER.sender},advisory-7",)


def test_a_road_or_area_without_its_geometry_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="road_closed"):
        advisory_alert(advisory(geometry=None), identifier="x", issuer=ISSUER, sent=NOW)
    with pytest.raises(ValueError, match="area_unsafe"):
        advisory_alert(
            advisory(kind=AdvisoryKind.AREA_UNSAFE, geometry=None),
            identifier="x",
            issuer=ISSUER,
            sent=NOW,
        )


# Other systems' alerts -------------------------------------------------------------------------


def test_the_standards_thunderstorm_warning_becomes_an_unsafe_area() -> None:
    message = alert_message(parse_alert(THUNDERSTORM, max_bytes=LIMIT))

    assert message.identifier == "KSTO@NWS.NOAA.GOV,KSTO1055887203"
    assert message.msg_type is MsgType.ALERT
    content = message.advisory
    assert content is not None
    assert content.kind is AdvisoryKind.AREA_UNSAFE
    assert content.geometry is not None
    assert content.geometry["type"] == "Polygon"
    ring = content.geometry["coordinates"][0]
    assert [-120.14, 38.47] in ring  # longitude first, as GeoJSON
    assert shapely.Polygon(ring).exterior.is_ccw  # RFC 7946's winding
    assert content.valid_from == datetime(2003, 6, 17, 21, 57, tzinfo=UTC)  # no onset: sent
    assert content.valid_until == datetime(2003, 6, 17, 23, 0, tzinfo=UTC)
    assert content.severity is Severity.SEVERE
    assert content.description.startswith("AT 254 PM PDT")
    assert content.public is True


def test_the_standards_homeland_advisory_has_no_place() -> None:
    with pytest.raises(CapNoPlace) as refused:
        alert_message(parse_alert(HOMELAND, max_bytes=LIMIT))
    assert refused.value.params == {"field": "alert/info[1]/area"}


def test_the_standards_earthquake_circle_of_radius_zero_is_no_area() -> None:
    with pytest.raises(CapFieldInvalid) as refused:
        alert_message(parse_alert(EARTHQUAKE, max_bytes=LIMIT))
    assert refused.value.params == {
        "field": "alert/info[1]/area[1]/circle[1]",
        "value": "32.9525,-115.5527 0",
    }


def alert(*infos: Info, **changes: Any) -> Alert:
    base = Alert(
        identifier="X-1",
        sender="ops@example.org",
        sent=NOW,
        status=Status.ACTUAL,
        msg_type=MsgType.ALERT,
        scope=Scope.PUBLIC,
        infos=infos,
    )
    return replace(base, **changes)


def info(*areas: Area, language: str = "en", **changes: Any) -> Info:
    base = Info(
        language=language,
        categories=(Category.SAFETY,),
        event="Shelling",
        urgency=Urgency.IMMEDIATE,
        severity=CapSeverity.UNKNOWN,
        certainty=Certainty.LIKELY,
        expires=NOW + timedelta(hours=6),
        headline="Shelling near the market",
        areas=areas,
    )
    return replace(base, **changes)


RING = tuple((float(x), float(y)) for x, y in SQUARE)
PLACE = Area("Market", polygons=(RING,))


def test_another_systems_alert_maps_by_what_it_holds() -> None:
    circle = Area("Round", circles=(Circle((41.05, 34.05), 1.0),))
    message = alert_message(alert(info(PLACE, circle, effective=NOW + timedelta(hours=1))))

    content = message.advisory
    assert content is not None
    assert content.geometry is not None
    assert content.geometry["type"] == "MultiPolygon"
    disc = shapely.Polygon(content.geometry["coordinates"][1][0])
    assert len(disc.exterior.coords) == 65
    assert disc.area > 0
    assert disc.exterior.is_ccw
    assert content.valid_from == NOW + timedelta(hours=1)  # no onset: effective
    assert content.severity is Severity.SEVERE  # CAP's "Unknown": better warned
    assert content.description == "Shelling near the market"  # said only in the headline


def test_the_kind_comes_from_the_code_or_else_from_a_geocode_or_a_parameter() -> None:
    gate = Area(
        "Gate", geocodes=(NamedValue("SAME", "1"), NamedValue(CHECKPOINT_GEOCODE, "E-GATE"))
    )
    by_geocode = alert_message(alert(info(PLACE, gate))).advisory
    assert by_geocode is not None
    assert (by_geocode.kind, by_geocode.checkpoint) == (AdvisoryKind.CHECKPOINT_CLOSED, "E-GATE")

    road = (NamedValue("other", "x"), NamedValue(ROAD_PARAMETER, "34.4,41.05 34.4,41.06"))
    by_parameter = alert_message(alert(info(PLACE, parameters=road))).advisory
    assert by_parameter is not None
    assert by_parameter.kind is AdvisoryKind.ROAD_CLOSED
    assert by_parameter.geometry == {
        "type": "LineString",
        "coordinates": [[41.05, 34.4], [41.06, 34.4]],
    }

    codes = (NamedValue("SAME", "CAE"), NamedValue(KIND_CODE, "area_unsafe"))
    by_code = alert_message(alert(info(PLACE, gate, event_codes=codes))).advisory
    assert by_code is not None
    assert by_code.kind is AdvisoryKind.AREA_UNSAFE


def test_arabic_and_english_are_one_advisory_and_other_languages_are_skipped() -> None:
    arabic = info(PLACE, language="ar", description="قصف قرب السوق")
    english = info(PLACE, language="en-GB", description="Shelling near the market")
    french = info(language="fr", description="Bombardement")
    message = alert_message(alert(arabic, french, english))

    assert message.advisory is not None
    assert message.advisory.description == "قصف قرب السوق\n\nShelling near the market"
    same = alert_message(alert(info(PLACE, language="ar"), info(PLACE), info(PLACE, language="fr")))
    assert same.advisory is not None
    assert same.advisory.description == "Shelling near the market"


def test_an_update_keeps_what_it_replaces() -> None:
    earlier = Reference("ops@example.org", "X-0", NOW - timedelta(hours=1))
    message = alert_message(alert(info(PLACE), msg_type=MsgType.UPDATE, references=(earlier,)))

    assert message.msg_type is MsgType.UPDATE
    assert message.references == ("ops@example.org,X-0",)
    assert message.advisory is not None


def refused(value: Alert) -> TansiqError:
    with pytest.raises(TansiqError) as caught:
        alert_message(value)
    return caught.value


def road_with(value: str) -> Alert:
    return alert(info(parameters=(NamedValue(ROAD_PARAMETER, value),)))


@pytest.mark.parametrize(
    ("value", "error", "params"),
    [
        (alert(info(PLACE), status=Status.EXERCISE), CapNotActual, {"status": "Exercise"}),
        (
            alert(info(PLACE), identifier="x" * 290),
            CapFieldInvalid,
            {"field": "alert/identifier", "value": "x" * 60},
        ),
        (alert(info(PLACE), msg_type=MsgType.ACK), CapMessageUnsupported, {"msg_type": "Ack"}),
        (alert(msg_type=MsgType.CANCEL), CapFieldMissing, {"field": "alert/references"}),
        (alert(info(PLACE, language="fr")), CapNoLanguage, {}),
        (alert(), CapNoLanguage, {}),
        (
            alert(info(PLACE), info(PLACE, language="en-US")),
            CapLanguageRepeated,
            {"language": "en-US"},
        ),
        (
            alert(info(PLACE), info(PLACE, language="ar", expires=NOW + timedelta(hours=7))),
            CapInfosDisagree,
            {"field": "valid_until"},
        ),
        (
            alert(info(PLACE), info(PLACE, language="ar", severity=CapSeverity.MINOR)),
            CapInfosDisagree,
            {"field": "severity"},
        ),
        (alert(info(PLACE, expires=None)), CapFieldMissing, {"field": "alert/info[1]/expires"}),
        (
            alert(info(PLACE, event_codes=(NamedValue(KIND_CODE, "bridge_down"),))),
            CapFieldInvalid,
            {"field": "alert/info[1]/eventCode[1]/value", "value": "bridge_down"},
        ),
        (
            alert(info(PLACE, event_codes=(NamedValue(KIND_CODE, "checkpoint_closed"),))),
            CapNoPlace,
            {"field": "alert/info[1]/area"},
        ),
        (
            alert(info(PLACE, Area("Gate", geocodes=(NamedValue(CHECKPOINT_GEOCODE, ""),)))),
            CapFieldMissing,
            {"field": "alert/info[1]/area[2]/geocode[1]/value"},
        ),
        (
            alert(info(PLACE, event_codes=(NamedValue(KIND_CODE, "road_closed"),))),
            CapNoPlace,
            {"field": "alert/info[1]/parameter"},
        ),
        (road_with("34.4,41.05"), CapFieldInvalid, {"field": "alert/info[1]/parameter[1]/value"}),
        (road_with("34.4,41.05 north"), CapFieldInvalid, {"value": "north"}),
        (road_with("34.4,41.05 1,2,3"), CapFieldInvalid, {"value": "1,2,3"}),
        (road_with("34.4,41.05 95,41"), CapFieldInvalid, {"value": "95,41"}),
        (road_with("34.4,41.05 34,181"), CapFieldInvalid, {"value": "34,181"}),
        (
            road_with("34.4,41.05 " * (MAX_POINTS + 1)),
            CapTooManyPoints,
            {"count": MAX_POINTS},
        ),
        (alert(info()), CapNoPlace, {"field": "alert/info[1]/area"}),
        (
            alert(info(Area("Dot", circles=(Circle((41.0, 34.0), 0.0),)))),
            CapFieldInvalid,
            {"field": "alert/info[1]/area[1]/circle[1]", "value": "34,41 0"},
        ),
    ],
)
def test_an_alert_that_is_no_advisory_is_refused_naming_why(
    value: Alert, error: type[TansiqError], params: dict[str, object]
) -> None:
    found = refused(value)
    assert isinstance(found, error)
    for name, expected in params.items():
        assert found.params[name] == expected


# Any advisory ----------------------------------------------------------------------------------

degrees = st.floats(-0.5, 0.5).map(lambda value: round(value, 7) + 0.0)
offsets = st.lists(st.tuples(degrees, degrees), min_size=2, max_size=6, unique=True)
times = st.integers(0, 10**6).map(lambda seconds: NOW + timedelta(seconds=seconds))


@st.composite
def advisories(draw: st.DrawFn) -> CapAdvisory:
    kind = draw(st.sampled_from([AdvisoryKind.ROAD_CLOSED, AdvisoryKind.AREA_UNSAFE]))
    if kind is AdvisoryKind.ROAD_CLOSED:
        points = [[round(41 + x, 7), round(34 + y, 7)] for x, y in draw(offsets)]
        geometry: dict[str, Any] = {"type": "LineString", "coordinates": points}
    else:
        west, south = draw(degrees) + 41, draw(degrees) + 34
        size = draw(st.floats(0.001, 0.5).map(lambda value: round(value, 4)))
        box = shapely.box(
            round(west, 7), round(south, 7), round(west + size, 7), round(south + size, 7)
        )
        geometry = {
            "type": "Polygon",
            "coordinates": [[[x, y] for x, y in box.exterior.coords]],
        }
    start = draw(times)
    return CapAdvisory(
        kind=kind,
        geometry=geometry,
        checkpoint=None,
        valid_from=start,
        valid_until=start + timedelta(hours=draw(st.integers(1, 2000))),
        severity=draw(st.sampled_from(Severity)),
        description=draw(st.text(st.sampled_from("abc قصف 12,."), max_size=30)).strip(),
        public=draw(st.booleans()),
    )


@settings(max_examples=40, deadline=None)
@given(advisories())
def test_any_advisory_comes_back_from_its_cap_alert(content: CapAdvisory) -> None:
    _, document = through_cap(content)
    assert read(document) == content


@settings(max_examples=150, deadline=None)
@given(cap_alerts | cap_alerts.map(lambda value: replace(value, status=Status.ACTUAL)))
def test_any_alert_is_an_advisory_message_or_a_coded_refusal(value: Alert) -> None:
    codes = []
    try:
        message = alert_message(value)
    except TansiqError as refused:  # anything else (a shapely or a key error) fails the test
        codes.append(refused.code)
    else:
        assert message.identifier == f"{value.sender},{value.identifier}"
    assert all(code.startswith("cap.") for code in codes)
