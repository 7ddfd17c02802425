"""The CAP 1.2 reader and writer: the standard's own examples, the schema, hostile XML, every
refusal naming its element, and a property-based round trip."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import Locale
from tansiq.core.text import normalise_text
from tansiq.incidents.cap import cap_number, cap_time, parse_alert, render_alert
from tansiq.incidents.cap_model import (
    MAX_POINTS,
    Alert,
    Area,
    CapDeclarationsForbidden,
    CapEncodingUnsupported,
    CapFieldInvalid,
    CapFieldMissing,
    CapFieldRepeated,
    CapFieldUnknown,
    CapMalformed,
    CapNotVersion12,
    CapTimeInvalid,
    CapTooLarge,
    CapTooManyPoints,
    Category,
    Certainty,
    Circle,
    Info,
    MsgType,
    NamedValue,
    Reference,
    ResponseType,
    Scope,
    Severity,
    Status,
    Urgency,
)
from tests.incidents.cap_support import (
    BILLION_LAUGHS,
    EARTHQUAKE,
    EXTERNAL_ENTITY,
    HOMELAND,
    THUNDERSTORM,
    UNDECLARED_ENTITY,
    fifty_megabytes,
    validate_document,
)

LIMIT = 1024 * 1024
PDT = timedelta(hours=7)


def parse(document: bytes) -> Alert:
    return parse_alert(document, max_bytes=LIMIT)


def alert_with(body: str, *, root: str = "urn:oasis:names:tc:emergency:cap:1.2") -> bytes:
    """A minimal valid alert with ``body`` put where its header ends."""
    return (
        f'<alert xmlns="{root}"><identifier>A1</identifier><sender>s@example.org</sender>'
        "<sent>2026-12-01T10:00:00+03:00</sent><status>Actual</status><msgType>Alert</msgType>"
        f"<scope>Public</scope>{body}</alert>"
    ).encode()


def info_with(body: str, *, head: str = "") -> bytes:
    return alert_with(
        f"<info>{head}<category>Safety</category><event>E</event><urgency>Immediate</urgency>"
        f"<severity>Severe</severity><certainty>Observed</certainty>{body}</info>"
    )


def area_with(body: str) -> bytes:
    return info_with(f"<area><areaDesc>D</areaDesc>{body}</area>")


# The standard's examples ----------------------------------------------------------------------


def test_the_standards_thunderstorm_example_is_read_in_full() -> None:
    alert = parse(THUNDERSTORM)

    assert (alert.identifier, alert.sender) == ("KSTO1055887203", "KSTO@NWS.NOAA.GOV")
    assert alert.sent == datetime(2003, 6, 17, 14, 57, tzinfo=UTC) + PDT
    assert alert.sent.tzinfo is UTC
    assert (alert.status, alert.msg_type, alert.scope) == (
        Status.ACTUAL,
        MsgType.ALERT,
        Scope.PUBLIC,
    )
    (info,) = alert.infos
    assert info.language == "en-US"  # the schema's default
    assert info.categories == (Category.MET,)
    assert info.response_types == (ResponseType.SHELTER,)
    assert (info.urgency, info.severity, info.certainty) == (
        Urgency.IMMEDIATE,
        Severity.SEVERE,
        Certainty.OBSERVED,
    )
    assert info.event_codes == (NamedValue("SAME", "SVR"),)
    assert info.expires == datetime(2003, 6, 17, 23, 0, tzinfo=UTC)
    assert info.onset is None
    assert info.headline == "SEVERE THUNDERSTORM WARNING"
    assert info.description.startswith("AT 254 PM PDT")
    (area,) = info.areas
    # CAP writes "latitude,longitude"; Tansiq keeps GeoJSON's (longitude, latitude).
    assert area.polygons[0][0] == (-120.14, 38.47)
    assert len(area.polygons[0]) == 5
    assert [code.value for code in area.geocodes] == ["006109", "006009", "006003"]


def test_the_standards_update_example_keeps_its_reference_and_circle() -> None:
    alert = parse(EARTHQUAKE)

    assert alert.msg_type is MsgType.UPDATE
    assert alert.references == (
        Reference("trinet@caltech.edu", "TRI13970876.1", datetime(2003, 6, 12, 3, 30, tzinfo=UTC)),
    )
    assert alert.infos[0].areas[0].circles == (Circle((-115.5527, 32.9525), 0.0),)
    assert alert.infos[0].parameters[1] == NamedValue("Magnitude", "3.4 Ml")


@pytest.mark.parametrize("document", [THUNDERSTORM, HOMELAND, EARTHQUAKE])
def test_the_examples_are_valid_and_survive_being_written_again(document: bytes) -> None:
    assert validate_document(document) == []
    written = render_alert(parse(document))

    assert validate_document(written) == []
    assert parse(written) == parse(document)


# Hostile XML ----------------------------------------------------------------------------------


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_dtds_and_entities_are_refused_before_anything_is_expanded(document: bytes) -> None:
    started = time.perf_counter()
    with pytest.raises(CapDeclarationsForbidden) as refused:
        parse(document)

    assert time.perf_counter() - started < 1.0
    assert refused.value.code == "cap.declarations_forbidden"
    assert "root:" not in str(refused.value)  # nothing of /etc/passwd in the message


def test_an_undeclared_entity_is_malformed_xml_with_its_position() -> None:
    with pytest.raises(CapMalformed) as refused:
        parse(UNDECLARED_ENTITY)

    assert refused.value.params == {"line": 1, "column": 65}  # at "&secret;"


def test_fifty_megabytes_are_refused_before_parsing() -> None:
    document = fifty_megabytes()
    started = time.perf_counter()
    with pytest.raises(CapTooLarge) as refused:
        parse(document)

    assert time.perf_counter() - started < 0.5
    assert refused.value.category is ErrorCategory.TOO_LARGE
    assert refused.value.params == {"count": LIMIT}


def test_a_document_of_exactly_the_limit_is_read() -> None:
    assert parse_alert(THUNDERSTORM, max_bytes=len(THUNDERSTORM)).identifier == "KSTO1055887203"


@pytest.mark.parametrize(
    "error",
    [
        CapTooLarge(count=LIMIT),
        CapDeclarationsForbidden(),
        CapMalformed(line=1, column=2),
        CapFieldUnknown(field="alert/x"),
    ],
)
def test_refusals_are_coded_and_bilingual(error: TansiqError) -> None:
    english, arabic = error.render(Locale.EN), error.render(Locale.AR)

    assert english["code"] == arabic["code"] == error.code
    assert english["message"] != arabic["message"]
    assert any("\u0600" <= ch <= "\u06ff" for ch in arabic["message"])


# Every refusal names its element ---------------------------------------------------------------

BAD = [
    (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", CapNotVersion12, {"found": "{http"}),
    (alert_with("", root="urn:oasis:names:tc:emergency:cap:1.1"), CapNotVersion12, {}),
    (alert_with("<colour>red</colour>"), CapFieldUnknown, {"field": "alert/colour"}),
    (alert_with("<x:a xmlns:x='urn:x'/>"), CapFieldUnknown, {"field": "alert/{urn:x}a"}),
    (alert_with("<scope>Public</scope>"), CapFieldRepeated, {"field": "alert/scope"}),
    (
        alert_with("").replace(b"<sender>s@example.org</sender>", b""),
        CapFieldMissing,
        {"field": "alert/sender"},
    ),
    (
        alert_with("").replace(b"<sender>s@example.org</sender>", b"<sender> </sender>"),
        CapFieldMissing,
        {"field": "alert/sender"},
    ),
    (
        alert_with("").replace(b"Actual", b"Real"),
        CapFieldInvalid,
        {"field": "alert/status", "value": "Real"},
    ),
    (
        alert_with("").replace(b"2026-12-01T10:00:00+03:00", b"2026-12-01T07:00:00Z"),
        CapTimeInvalid,
        {"field": "alert/sent"},
    ),
    (
        alert_with("").replace(b"2026-12-01T10:00:00+03:00", b"2026-13-01T07:00:00+00:00"),
        CapTimeInvalid,
        {"field": "alert/sent"},
    ),
    (
        alert_with("").replace(b"2026-12-01T10:00:00+03:00", b"0001-01-01T00:00:00+05:00"),
        CapTimeInvalid,
        {"field": "alert/sent"},
    ),
    (
        alert_with("").replace(b"<identifier>A1", b"<identifier><b/>A1"),
        CapFieldUnknown,
        {"field": "alert/identifier[1]/b"},
    ),
    (alert_with("<references>a,b</references>"), CapFieldInvalid, {"field": "alert/references"}),
    (
        alert_with("<references>,b,2026-12-01T10:00:00+03:00</references>"),
        CapFieldInvalid,
        {"field": "alert/references"},
    ),
    (
        alert_with("<references>a,b,yesterday</references>"),
        CapTimeInvalid,
        {"field": "alert/references"},
    ),
    (
        alert_with("<info><event>E</event></info>"),
        CapFieldMissing,
        {"field": "alert/info[1]/category"},
    ),
    (
        info_with("<eventCode><value>x</value></eventCode>"),
        CapFieldMissing,
        {"field": "alert/info[1]/eventCode[1]/valueName"},
    ),
    (
        info_with("<parameter><valueName>a</valueName><colour/></parameter>"),
        CapFieldUnknown,
        {"field": "alert/info[1]/parameter[1]/colour"},
    ),
    (info_with("<mood>calm</mood>"), CapFieldUnknown, {"field": "alert/info[1]/mood"}),
    (
        info_with("", head="<language>en</language>").replace(b"Safety", b"Weather"),
        CapFieldInvalid,
        {"field": "alert/info[1]/category[1]"},
    ),
    (
        info_with("<onset>soon</onset>"),
        CapTimeInvalid,
        {"field": "alert/info[1]/onset"},
    ),
    (
        area_with("<polygon>1,1 1,2 2,2 1,1 x</polygon>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/polygon[1]", "value": "x"},
    ),
    (
        area_with("<polygon>1,1 1,2 2,2 1,1 1,2,3</polygon>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/polygon[1]"},
    ),
    (
        area_with("<polygon>91,1 1,2 2,2 91,1</polygon>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/polygon[1]", "value": "91,1"},
    ),
    (
        area_with("<polygon>1,181 1,2 2,2 1,181</polygon>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/polygon[1]"},
    ),
    (
        area_with("<polygon>1,1 1,2 1,1</polygon>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/polygon[1]"},
    ),
    (
        area_with("<polygon>1,1 1,2 2,2 2,1</polygon>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/polygon[1]"},
    ),
    (
        area_with("<circle>1,1</circle>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/circle[1]"},
    ),
    (
        area_with("<circle>1,1 far</circle>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/circle[1]"},
    ),
    (
        area_with("<circle>1,1 -2</circle>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/circle[1]"},
    ),
    (
        area_with(f"<circle>1,1 {'9' * 400}</circle>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/circle[1]"},
    ),
    (
        area_with("<circle>1;1 2</circle>"),
        CapFieldInvalid,
        {"field": "alert/info[1]/area[1]/circle[1]"},
    ),
    (
        area_with("<height>3</height>"),
        CapFieldUnknown,
        {"field": "alert/info[1]/area[1]/height"},
    ),
    (
        area_with("<polygon>" + "1,1 " * (MAX_POINTS + 1) + "</polygon>"),
        CapTooManyPoints,
        {"field": "alert/info[1]/area[1]/polygon[1]", "count": MAX_POINTS},
    ),
    (b"<alert", CapMalformed, {"line": 1, "column": 1}),
    (b'<?xml version="1.0" encoding="U-F-8"?><alert/>', CapEncodingUnsupported, {}),
    (b'<?xml version="1.0" encoding="shift_jis"?><alert/>', CapEncodingUnsupported, {}),
    (b"", CapMalformed, {}),
]


@pytest.mark.parametrize(("document", "error", "params"), BAD)
def test_what_cap_does_not_allow_is_refused_naming_the_element(
    document: bytes, error: type[TansiqError], params: dict[str, object]
) -> None:
    with pytest.raises(error) as refused:
        parse(document)

    for name, value in params.items():
        assert str(refused.value.params[name]).startswith(str(value))


def test_a_refused_value_is_repeated_short_and_printable() -> None:
    document = alert_with("").replace(b"Actual", ("x" * 500 + "\ud800").encode("utf-8", "replace"))
    with pytest.raises(CapFieldInvalid) as refused:
        parse(document)

    assert len(refused.value.params["value"]) == 60


def test_what_cap_allows_but_an_advisory_does_not_use_is_read_and_left() -> None:
    document = alert_with(
        "<addresses>a b</addresses><code>X</code><note>n</note>"
        "<incidents>i1</incidents>"
        "<info><category>Safety</category><event>E</event><urgency>Unknown</urgency>"
        "<severity>Unknown</severity><certainty>Unknown</certainty><audience>all</audience>"
        "<contact>c</contact><resource><resourceDesc>r</resourceDesc><mimeType>m</mimeType>"
        "</resource><area><areaDesc>D</areaDesc><altitude>1</altitude><ceiling>2</ceiling>"
        "</area></info><!-- a comment --><?pi here?>"
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo/></Signature>'
    ).replace(b"<scope>", b"<source>SW</source><scope>")
    alert = parse(document)

    assert alert.infos[0].areas == (Area("D"),)
    assert validate_document(document) == []


def test_an_empty_optional_element_is_as_if_absent() -> None:
    alert = parse(info_with("<headline></headline><onset/>"))

    assert alert.infos[0].headline == ""
    assert alert.infos[0].onset is None


# Writing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (-0.00000001, "0"),
        (35.5, "35.5"),
        (-120.14, "-120.14"),
        (1e-7, "0.0000001"),
    ],
)
def test_numbers_are_written_without_exponents(value: float, text: str) -> None:
    assert cap_number(value) == text


def test_times_are_written_in_utc_as_cap_asks() -> None:
    local = datetime(2026, 12, 1, 10, 0, 5, 999, tzinfo=UTC) + timedelta(hours=3)
    assert cap_time(local) == "2026-12-01T13:00:05-00:00"


# The round trip, for any alert ------------------------------------------------------------------

text = st.text(
    st.characters(categories=["L", "N", "P", "Zs"], exclude_characters="\r\x85\u2028\u2029"),
    max_size=40,
).map(lambda value: normalise_text(" ".join(value.split())))  # as the reader keeps it
token = st.text(st.sampled_from("abcdefgh0123456789.-@"), min_size=1, max_size=20)
# hypothesis takes naive bounds and gives each value the zone.
times = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
).map(lambda value: value.replace(microsecond=0))
coordinate = st.tuples(
    st.floats(-180, 180).map(lambda value: round(value, 7) + 0.0),
    st.floats(-90, 90).map(lambda value: round(value, 7) + 0.0),
)
ring = st.lists(coordinate, min_size=3, max_size=8).map(lambda points: (*points, points[0]))
pairs = st.lists(st.builds(NamedValue, token, text), max_size=2).map(tuple)
areas = st.builds(
    Area,
    text.filter(bool),
    st.lists(ring, max_size=2).map(tuple),
    st.lists(
        st.builds(Circle, coordinate, st.floats(0, 500).map(lambda value: round(value, 7))),
        max_size=2,
    ).map(tuple),
    pairs,
)
infos = st.builds(
    Info,
    language=st.sampled_from(["ar", "en", "en-US", "fr-CA"]),
    categories=st.lists(st.sampled_from(Category), min_size=1, max_size=3).map(tuple),
    event=text.filter(bool),
    urgency=st.sampled_from(Urgency),
    severity=st.sampled_from(Severity),
    certainty=st.sampled_from(Certainty),
    response_types=st.lists(st.sampled_from(ResponseType), max_size=2).map(tuple),
    event_codes=pairs,
    effective=st.none() | times,
    onset=st.none() | times,
    expires=st.none() | times,
    sender_name=text,
    headline=text,
    description=text,
    instruction=text,
    web=st.sampled_from(["", "https://hub.example.org/advisories/1"]),
    parameters=pairs,
    areas=st.lists(areas, max_size=2).map(tuple),
)
alerts = st.builds(
    Alert,
    identifier=token,
    sender=token,
    sent=times,
    status=st.sampled_from(Status),
    msg_type=st.sampled_from(MsgType),
    scope=st.sampled_from(Scope),
    restriction=text,
    references=st.lists(st.builds(Reference, token, token, times), max_size=2).map(tuple),
    infos=st.lists(infos, max_size=2).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(alerts)
def test_any_alert_written_is_valid_cap_and_reads_back_the_same(alert: Alert) -> None:
    document = render_alert(alert)

    assert validate_document(document) == []
    assert parse(document) == alert


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=300)
    | st.integers(0, len(THUNDERSTORM)).flatmap(
        lambda cut: st.binary(max_size=20).map(
            lambda noise: THUNDERSTORM[:cut] + noise + THUNDERSTORM[cut + len(noise) :]
        )
    )
)
def test_any_bytes_are_an_alert_or_a_coded_refusal(document: bytes) -> None:
    codes = []
    try:
        parse(document)
    except TansiqError as refused:  # anything else (a ValueError, a crash) fails the test
        codes.append(refused.code)
    assert all(code.startswith("cap.") for code in codes)
