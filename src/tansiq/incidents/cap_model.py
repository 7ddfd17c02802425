"""What a CAP 1.2 (OASIS Common Alerting Protocol) alert holds, as far as Tansiq uses it, and
the coded errors for a document it refuses. Pure: no storage, no web; read and written by
:mod:`tansiq.incidents.cap`.

Coordinates are kept in GeoJSON order, (longitude, latitude), like the rest of Tansiq; times are
UTC-aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_, NP_
from tansiq.core.unicode import clean_unicode

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_MEDIA_TYPE = "application/cap+xml"
MAX_POINTS = 10_000  # in one polygon; a closure or an area is never this detailed
_SHOWN = 60  # characters of a refused value repeated in the message


class Status(StrEnum):
    ACTUAL = "Actual"
    EXERCISE = "Exercise"
    SYSTEM = "System"
    TEST = "Test"
    DRAFT = "Draft"


class MsgType(StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"
    ACK = "Ack"
    ERROR = "Error"


class Scope(StrEnum):
    PUBLIC = "Public"
    RESTRICTED = "Restricted"
    PRIVATE = "Private"


class Category(StrEnum):
    GEO = "Geo"
    MET = "Met"
    SAFETY = "Safety"
    SECURITY = "Security"
    RESCUE = "Rescue"
    FIRE = "Fire"
    HEALTH = "Health"
    ENV = "Env"
    TRANSPORT = "Transport"
    INFRA = "Infra"
    CBRNE = "CBRNE"
    OTHER = "Other"


class ResponseType(StrEnum):
    SHELTER = "Shelter"
    EVACUATE = "Evacuate"
    PREPARE = "Prepare"
    EXECUTE = "Execute"
    AVOID = "Avoid"
    MONITOR = "Monitor"
    ASSESS = "Assess"
    ALL_CLEAR = "AllClear"
    NONE = "None"


class Urgency(StrEnum):
    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class Severity(StrEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Certainty(StrEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    POSSIBLE = "Possible"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


Position = tuple[float, float]  # (longitude, latitude), as GeoJSON


@dataclass(frozen=True)
class NamedValue:
    """CAP's valueName/value pair (eventCode, parameter, geocode)."""

    name: str
    value: str


@dataclass(frozen=True)
class Circle:
    centre: Position
    radius_km: float


@dataclass(frozen=True)
class Area:
    description: str
    polygons: tuple[tuple[Position, ...], ...] = ()  # closed rings, first position == last
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[NamedValue, ...] = ()


@dataclass(frozen=True)
class Info:
    """One ``<info>`` block: the alert told in one language."""

    language: str
    categories: tuple[Category, ...]
    event: str
    urgency: Urgency
    severity: Severity
    certainty: Certainty
    response_types: tuple[ResponseType, ...] = ()
    event_codes: tuple[NamedValue, ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    parameters: tuple[NamedValue, ...] = ()
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True)
class Reference:
    """An earlier alert this one updates or cancels."""

    sender: str
    identifier: str
    sent: datetime


@dataclass(frozen=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime
    status: Status
    msg_type: MsgType
    scope: Scope
    restriction: str = ""
    references: tuple[Reference, ...] = ()
    infos: tuple[Info, ...] = ()


class CapTooLarge(TansiqError):
    code = "cap.too_large"
    message = NP_(
        "A CAP document may have at most {count} byte; nothing was imported.",
        "A CAP document may have at most {count} bytes; nothing was imported.",
    )
    category = ErrorCategory.TOO_LARGE


class CapDeclarationsForbidden(TansiqError):
    code = "cap.declarations_forbidden"
    message = N_(
        "A CAP document may not declare a DTD, entities or external references; "
        "nothing was imported."
    )


class CapMalformed(TansiqError):
    code = "cap.malformed"
    message = N_(
        "The document is not well-formed XML (line {line}, column {column}); nothing was imported."
    )


class CapEncodingUnsupported(TansiqError):
    code = "cap.encoding_unsupported"
    message = N_(
        "The document declares a character encoding that cannot be read; send it as UTF-8. "
        "Nothing was imported."
    )


class CapNotVersion12(TansiqError):
    code = "cap.not_cap_1_2"
    message = N_('The document is not a CAP 1.2 alert: its root element is "{found}".')


class CapFieldMissing(TansiqError):
    code = "cap.field_missing"
    message = N_('The CAP element "{field}" is missing; nothing was imported.')


class CapFieldRepeated(TansiqError):
    code = "cap.field_repeated"
    message = N_('The CAP element "{field}" may appear only once; nothing was imported.')


class CapFieldUnknown(TansiqError):
    code = "cap.field_unknown"
    message = N_('The element "{field}" is not part of CAP 1.2; nothing was imported.')


class CapFieldInvalid(TansiqError):
    code = "cap.field_invalid"
    message = N_('The CAP element "{field}" has a value CAP 1.2 does not allow: "{value}".')


class CapTimeInvalid(TansiqError):
    code = "cap.time_invalid"
    message = N_(
        'The CAP element "{field}" must be a time with its offset from UTC, '
        'e.g. 2026-12-01T08:00:00+03:00; found "{value}".'
    )


class CapTooManyPoints(TansiqError):
    code = "cap.too_many_points"
    message = NP_(
        'The CAP polygon "{field}" may have at most {count} point.',
        'The CAP polygon "{field}" may have at most {count} points.',
    )


def shown(value: str) -> str:
    """A refused value as it may be repeated back: cut short, and printable."""
    return clean_unicode(value[:_SHOWN])
