"""CAP 1.2 (OASIS Common Alerting Protocol) documents: read with a hardened parser, written
so that they validate against the standard's schema. Pure: no storage, no web.

Reading is all or nothing and refuses, each with its own code, before any of it is used:
a document larger than the limit it is given (checked before parsing), any DTD or entity
declaration (so "billion laughs" and external entities such as ``file:///etc/passwd`` are never
expanded or fetched), XML that is not well-formed, a root that is not a CAP 1.2 ``alert``, and
any element CAP 1.2 does not define, missing, repeated or holding a value CAP does not allow;
each refusal names the element as a path (``alert/info[2]/area[1]/polygon[1]``).

Coordinates are kept in GeoJSON order, (longitude, latitude), like the rest of Tansiq; CAP
writes "latitude,longitude" pairs, and this module is the one place that turns them around.
Times are UTC-aware; CAP writes them with an offset and UTC as ``-00:00``.

Kept: what an advisory needs. Read but not kept (valid CAP, of no use to an advisory):
``source``, ``addresses``, ``code``, ``note``, ``incidents``, ``audience``, ``contact``,
``resource``, ``altitude``, ``ceiling`` and an XML signature, which is not verified.
"""

from __future__ import annotations

import math
import re

# ElementTree builds and writes documents here; every document read goes through defusedxml.
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from tansiq.core.text import normalise_text
from tansiq.incidents.cap_model import (
    CAP_NAMESPACE,
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
    Position,
    Reference,
    ResponseType,
    Scope,
    Severity,
    Status,
    Urgency,
    shown,
)

XMLDSIG_NAMESPACE = "http://www.w3.org/2000/09/xmldsig#"
_NS = "{" + CAP_NAMESPACE + "}"
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")


# Reading -------------------------------------------------------------------------------------


def parse_alert(document: bytes, *, max_bytes: int) -> Alert:
    """Read one CAP 1.2 ``alert``; refuses, with a coded error, anything but a valid one."""
    if len(document) > max_bytes:
        raise CapTooLarge(count=max_bytes)
    try:
        root = safe_fromstring(
            document, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise CapDeclarationsForbidden from None
    except ET.ParseError as error:
        line, column = error.position
        raise CapMalformed(line=line, column=column + 1) from None
    except (LookupError, ValueError):  # an encoding expat cannot read (unknown, multi-byte)
        raise CapEncodingUnsupported from None
    return read_alert(root)


def read_alert(root: ET.Element) -> Alert:
    """The alert held by an already (safely) parsed element, e.g. inside an Atom entry."""
    if root.tag != _NS + "alert":
        raise CapNotVersion12(found=shown(root.tag))
    fields = _Fields(root, "alert", allow_signature=True)
    alert = Alert(
        identifier=fields.text("identifier"),
        sender=fields.text("sender"),
        sent=fields.time("sent"),
        status=fields.choice("status", Status),
        msg_type=fields.choice("msgType", MsgType),
        scope=fields.choice("scope", Scope),
        restriction=fields.text("restriction", required=False),
        references=_references(fields),
        infos=tuple(_info(element, path) for element, path in fields.all("info")),
    )
    fields.drop("source", "addresses", "code", "note", "incidents")
    fields.check_all_read()
    return alert


def _info(element: ET.Element, path: str) -> Info:
    fields = _Fields(element, path)
    info = Info(
        language=fields.text("language", required=False) or "en-US",
        categories=fields.choices("category", Category, at_least_one=True),
        event=fields.text("event"),
        response_types=fields.choices("responseType", ResponseType),
        urgency=fields.choice("urgency", Urgency),
        severity=fields.choice("severity", Severity),
        certainty=fields.choice("certainty", Certainty),
        event_codes=fields.named_values("eventCode"),
        effective=fields.optional_time("effective"),
        onset=fields.optional_time("onset"),
        expires=fields.optional_time("expires"),
        sender_name=fields.text("senderName", required=False),
        headline=fields.text("headline", required=False),
        description=fields.text("description", required=False),
        instruction=fields.text("instruction", required=False),
        web=fields.text("web", required=False),
        parameters=fields.named_values("parameter"),
        areas=tuple(_area(child, child_path) for child, child_path in fields.all("area")),
    )
    fields.drop("audience", "contact", "resource")
    fields.check_all_read()
    return info


def _area(element: ET.Element, path: str) -> Area:
    fields = _Fields(element, path)
    area = Area(
        description=fields.text("areaDesc"),
        polygons=tuple(_polygon(text, where) for text, where in fields.texts("polygon")),
        circles=tuple(_circle(text, where) for text, where in fields.texts("circle")),
        geocodes=fields.named_values("geocode"),
    )
    fields.drop("altitude", "ceiling")
    fields.check_all_read()
    return area


def _references(fields: _Fields) -> tuple[Reference, ...]:
    text = fields.text("references", required=False)
    found = []
    for triple in text.split():
        parts = triple.split(",")
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise CapFieldInvalid(field="alert/references", value=shown(triple))
        found.append(Reference(parts[0], parts[1], _time(parts[2], "alert/references")))
    return tuple(found)


def _position(pair: str, path: str) -> Position:
    parts = pair.split(",")
    if len(parts) != 2 or not all(_NUMBER.fullmatch(part) for part in parts):
        raise CapFieldInvalid(field=path, value=shown(pair))
    lat, lon = float(parts[0]), float(parts[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise CapFieldInvalid(field=path, value=shown(pair))
    return (lon, lat)


def _polygon(text: str, path: str) -> tuple[Position, ...]:
    pairs = text.split()
    if len(pairs) > MAX_POINTS:
        raise CapTooManyPoints(field=path, count=MAX_POINTS)
    ring = tuple(_position(pair, path) for pair in pairs)
    # CAP: at least four pairs, the first and the last the same.
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise CapFieldInvalid(field=path, value=shown(text))
    return ring


def _circle(text: str, path: str) -> Circle:
    parts = text.split()
    if len(parts) != 2 or not _NUMBER.fullmatch(parts[1]):
        raise CapFieldInvalid(field=path, value=shown(text))
    radius = float(parts[1])
    if radius < 0 or not math.isfinite(radius):
        raise CapFieldInvalid(field=path, value=shown(text))
    return Circle(_position(parts[0], path), radius)


def _time(text: str, path: str) -> datetime:
    if not _TIME.fullmatch(text):
        raise CapTimeInvalid(field=path, value=shown(text))
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise CapTimeInvalid(field=path, value=shown(text)) from None


_Choice = TypeVar("_Choice", bound=StrEnum)


class _Fields:
    """The children of one CAP element, read by name; what is never read is refused."""

    def __init__(self, element: ET.Element, path: str, *, allow_signature: bool = False) -> None:
        self.path = path
        self.children: dict[str, list[ET.Element]] = {}
        for child in element:
            if allow_signature and child.tag.startswith("{" + XMLDSIG_NAMESPACE + "}"):
                continue
            name = child.tag.removeprefix(_NS)
            if name == child.tag:  # another namespace
                raise CapFieldUnknown(field=f"{path}/{shown(child.tag)}")
            self.children.setdefault(name, []).append(child)
        self.read: set[str] = set()

    def all(self, name: str) -> Iterator[tuple[ET.Element, str]]:
        self.read.add(name)
        for index, child in enumerate(self.children.get(name, []), start=1):
            yield child, f"{self.path}/{name}[{index}]"

    def drop(self, *names: str) -> None:
        self.read.update(names)

    def check_all_read(self) -> None:
        for name in self.children:
            if name not in self.read:
                raise CapFieldUnknown(field=f"{self.path}/{shown(name)}")

    def texts(self, name: str) -> Iterator[tuple[str, str]]:
        for child, path in self.all(name):
            yield _leaf_text(child, path), path

    def text(self, name: str, *, required: bool = True) -> str:
        found = list(self.texts(name))
        if len(found) > 1:
            raise CapFieldRepeated(field=f"{self.path}/{name}")
        if not found or not found[0][0]:
            if required:
                raise CapFieldMissing(field=f"{self.path}/{name}")
            return ""
        return found[0][0]

    def time(self, name: str) -> datetime:
        return _time(self.text(name), f"{self.path}/{name}")

    def optional_time(self, name: str) -> datetime | None:
        text = self.text(name, required=False)
        return _time(text, f"{self.path}/{name}") if text else None

    def choice(self, name: str, kind: type[_Choice]) -> _Choice:
        return _as_choice(kind, self.text(name), f"{self.path}/{name}")

    def choices(
        self, name: str, kind: type[_Choice], *, at_least_one: bool = False
    ) -> tuple[_Choice, ...]:
        found = tuple(_as_choice(kind, text, path) for text, path in self.texts(name))
        if at_least_one and not found:
            raise CapFieldMissing(field=f"{self.path}/{name}")
        return found

    def named_values(self, name: str) -> tuple[NamedValue, ...]:
        found = []
        for child, path in self.all(name):
            pair = _Fields(child, path)
            found.append(NamedValue(pair.text("valueName"), pair.text("value", required=False)))
            pair.check_all_read()
        return tuple(found)


def _as_choice(kind: type[_Choice], text: str, path: str) -> _Choice:
    try:
        return kind(text)
    except ValueError:
        raise CapFieldInvalid(field=path, value=shown(text)) from None


def _leaf_text(element: ET.Element, path: str) -> str:
    # The parser drops comments and processing instructions: any child is an element.
    if len(element):
        raise CapFieldUnknown(field=f"{path}/{shown(element[0].tag.removeprefix(_NS))}")
    return normalise_text(element.text or "")


# Writing -------------------------------------------------------------------------------------


def cap_time(value: datetime) -> str:
    """A time as CAP writes it: whole seconds, UTC written as ``-00:00`` (CAP 1.2 §3.3.2)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "-00:00"


def cap_number(value: float) -> str:
    """A coordinate or radius to 7 decimals (about a centimetre), never in exponent form."""
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def cap_polygon(ring: tuple[Position, ...]) -> str:
    return " ".join(f"{cap_number(lat)},{cap_number(lon)}" for lon, lat in ring)


def alert_element(alert: Alert) -> ET.Element:
    """The alert as an element in the CAP 1.2 namespace, children in the schema's order.

    Written as the standard's examples are: ``xmlns`` declared on ``alert``, no prefixes, so
    it keeps its namespace wherever it is put (e.g. inside an Atom entry)."""
    root = ET.Element("alert", {"xmlns": CAP_NAMESPACE})
    _add(root, "identifier", alert.identifier)
    _add(root, "sender", alert.sender)
    _add(root, "sent", cap_time(alert.sent))
    _add(root, "status", alert.status)
    _add(root, "msgType", alert.msg_type)
    _add(root, "scope", alert.scope)
    _add(root, "restriction", alert.restriction)
    _add(
        root,
        "references",
        " ".join(f"{ref.sender},{ref.identifier},{cap_time(ref.sent)}" for ref in alert.references),
    )
    for info in alert.infos:
        _info_element(ET.SubElement(root, "info"), info)
    return root


def render_alert(alert: Alert) -> bytes:
    """The alert as a UTF-8 CAP 1.2 document."""
    return bytes(ET.tostring(alert_element(alert), encoding="utf-8", xml_declaration=True))


def _info_element(parent: ET.Element, info: Info) -> None:
    _add(parent, "language", info.language)
    for category in info.categories:
        _add(parent, "category", category)
    _add(parent, "event", info.event)
    for response in info.response_types:
        _add(parent, "responseType", response)
    _add(parent, "urgency", info.urgency)
    _add(parent, "severity", info.severity)
    _add(parent, "certainty", info.certainty)
    _add_pairs(parent, "eventCode", info.event_codes)
    for name, when in (("effective", info.effective), ("onset", info.onset)):
        _add(parent, name, cap_time(when) if when else "")
    _add(parent, "expires", cap_time(info.expires) if info.expires else "")
    _add(parent, "senderName", info.sender_name)
    _add(parent, "headline", info.headline)
    _add(parent, "description", info.description)
    _add(parent, "instruction", info.instruction)
    _add(parent, "web", info.web)
    _add_pairs(parent, "parameter", info.parameters)
    for area in info.areas:
        element = ET.SubElement(parent, "area")
        _add(element, "areaDesc", area.description)
        for ring in area.polygons:
            _add(element, "polygon", cap_polygon(ring))
        for circle in area.circles:
            lon, lat = circle.centre
            centre = f"{cap_number(lat)},{cap_number(lon)}"
            _add(element, "circle", f"{centre} {cap_number(circle.radius_km)}")
        _add_pairs(element, "geocode", area.geocodes)


def _add(parent: ET.Element, name: str, text: str) -> None:
    """A child element with ``text``; nothing for an empty optional value."""
    if text:
        ET.SubElement(parent, name).text = text


def _add_pairs(parent: ET.Element, name: str, pairs: tuple[NamedValue, ...]) -> None:
    for pair in pairs:
        element = ET.SubElement(parent, name)
        ET.SubElement(element, "valueName").text = pair.name
        ET.SubElement(element, "value").text = pair.value
