"""Incidents and advisories: the fixed bilingual list of what happened, how precisely it is
known, how its verification by other parties goes, what an advisory says and how long it
counts, and the coded errors for every bad input. Pure: no storage, no web.

This is for the safety of movement only. No type, field or filter describes a person; a
free-text field that looks as if it names or identifies one (a phone number, an ID number,
an e-mail address) is refused, not cleaned, so the reporter rewrites it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_, NP_


class EventType(StrEnum):
    """Modelled on ACLED's event types, cut to what matters to a road's safety."""

    ARMED_CLASH = "armed_clash"
    EXPLOSION = "explosion"  # explosions and remote violence
    ATTACK_ON_CIVILIANS = "attack_on_civilians"
    ROAD_CLOSURE = "road_closure"
    CHECKPOINT_CLOSURE = "checkpoint_closure"
    UNEXPLODED_ORDNANCE = "unexploded_ordnance"
    PROTEST = "protest"
    ACCIDENT = "accident"
    OTHER = "other"


class SubType(StrEnum):
    EXCHANGE_OF_FIRE = "exchange_of_fire"
    SNIPER_FIRE = "sniper_fire"
    SHELLING = "shelling"  # shelling, artillery, missile
    AIR_OR_DRONE_STRIKE = "air_or_drone_strike"
    REMOTE_EXPLOSIVE = "remote_explosive"  # landmine, IED
    ATTACK = "attack"
    ROAD_BLOCKED = "road_blocked"
    ROAD_DAMAGED = "road_damaged"
    BRIDGE_DOWN = "bridge_down"
    CHECKPOINT_CLOSED = "checkpoint_closed"
    CHECKPOINT_RESTRICTED = "checkpoint_restricted"
    ORDNANCE_SIGHTED = "ordnance_sighted"
    MINED_AREA = "mined_area"
    PEACEFUL_PROTEST = "peaceful_protest"
    VIOLENT_DEMONSTRATION = "violent_demonstration"
    TRAFFIC_ACCIDENT = "traffic_accident"
    FIRE = "fire"
    OTHER = "other"


# The one list: each type with the sub-types it allows, in the order forms show them.
SUB_TYPES: dict[EventType, tuple[SubType, ...]] = {
    EventType.ARMED_CLASH: (SubType.EXCHANGE_OF_FIRE, SubType.SNIPER_FIRE),
    EventType.EXPLOSION: (
        SubType.SHELLING,
        SubType.AIR_OR_DRONE_STRIKE,
        SubType.REMOTE_EXPLOSIVE,
    ),
    EventType.ATTACK_ON_CIVILIANS: (SubType.ATTACK,),
    EventType.ROAD_CLOSURE: (SubType.ROAD_BLOCKED, SubType.ROAD_DAMAGED, SubType.BRIDGE_DOWN),
    EventType.CHECKPOINT_CLOSURE: (SubType.CHECKPOINT_CLOSED, SubType.CHECKPOINT_RESTRICTED),
    EventType.UNEXPLODED_ORDNANCE: (SubType.ORDNANCE_SIGHTED, SubType.MINED_AREA),
    EventType.PROTEST: (SubType.PEACEFUL_PROTEST, SubType.VIOLENT_DEMONSTRATION),
    EventType.ACCIDENT: (SubType.TRAFFIC_ACCIDENT, SubType.FIRE),
    EventType.OTHER: (SubType.OTHER,),
}

EVENT_TYPE_LABELS: dict[EventType, str] = {
    EventType.ARMED_CLASH: N_("Armed clash"),
    EventType.EXPLOSION: N_("Explosion / remote violence"),
    EventType.ATTACK_ON_CIVILIANS: N_("Attack on civilians"),
    EventType.ROAD_CLOSURE: N_("Road closure"),
    EventType.CHECKPOINT_CLOSURE: N_("Checkpoint closure"),
    EventType.UNEXPLODED_ORDNANCE: N_("Unexploded ordnance"),
    EventType.PROTEST: N_("Protest"),
    EventType.ACCIDENT: N_("Accident"),
    EventType.OTHER: N_("Other"),
}

SUB_TYPE_LABELS: dict[SubType, str] = {
    SubType.EXCHANGE_OF_FIRE: N_("Exchange of fire"),
    SubType.SNIPER_FIRE: N_("Sniper fire"),
    SubType.SHELLING: N_("Shelling, artillery or missile"),
    SubType.AIR_OR_DRONE_STRIKE: N_("Air or drone strike"),
    SubType.REMOTE_EXPLOSIVE: N_("Landmine or improvised explosive"),
    SubType.ATTACK: N_("Attack"),
    SubType.ROAD_BLOCKED: N_("Road blocked"),
    SubType.ROAD_DAMAGED: N_("Road damaged"),
    SubType.BRIDGE_DOWN: N_("Bridge down"),
    SubType.CHECKPOINT_CLOSED: N_("Checkpoint closed"),
    SubType.CHECKPOINT_RESTRICTED: N_("Checkpoint restricted"),
    SubType.ORDNANCE_SIGHTED: N_("Ordnance sighted"),
    SubType.MINED_AREA: N_("Mined area"),
    SubType.PEACEFUL_PROTEST: N_("Peaceful protest"),
    SubType.VIOLENT_DEMONSTRATION: N_("Violent demonstration"),
    SubType.TRAFFIC_ACCIDENT: N_("Traffic accident"),
    SubType.FIRE: N_("Fire"),
    SubType.OTHER: N_("Other"),
}


class TimePrecision(StrEnum):
    """How precisely the time is known (ACLED's time precision, finer)."""

    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"


class LocationPrecision(StrEnum):
    """How precisely the place is known (ACLED's geo-precision codes 1-3, with a fourth)."""

    EXACT = "exact"  # 1: the very place
    NEAR = "near"  # 2: within a few kilometres, a named locality
    DISTRICT = "district"  # 3: only the district or region
    APPROXIMATE = "approximate"  # unknown beyond "somewhere here"


class Confidence(StrEnum):
    CONFIRMED = "confirmed"  # seen by the reporting party itself
    PROBABLE = "probable"
    POSSIBLE = "possible"
    DOUBTFUL = "doubtful"


class Severity(StrEnum):
    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"
    EXTREME = "extreme"


class Verification(StrEnum):
    UNVERIFIED = "unverified"
    CORROBORATED = "corroborated"
    REFUTED = "refuted"
    DISPUTED = "disputed"  # corroborated by one party, refuted by another


class Verdict(StrEnum):
    CORROBORATE = "corroborate"
    REFUTE = "refute"


class AdvisoryKind(StrEnum):
    ROAD_CLOSED = "road_closed"  # a stretch of road, a LineString
    CHECKPOINT_CLOSED = "checkpoint_closed"  # tied to the checkpoint's own status
    AREA_UNSAFE = "area_unsafe"  # a Polygon


ADVISORY_KIND_LABELS: dict[AdvisoryKind, str] = {
    AdvisoryKind.ROAD_CLOSED: N_("Road closed"),
    AdvisoryKind.CHECKPOINT_CLOSED: N_("Checkpoint closed"),
    AdvisoryKind.AREA_UNSAFE: N_("Area unsafe"),
}

# The geometry each kind of advisory is given as.
ADVISORY_GEOMETRY: dict[AdvisoryKind, tuple[str, ...]] = {
    AdvisoryKind.ROAD_CLOSED: ("LineString",),
    AdvisoryKind.CHECKPOINT_CLOSED: ("Point",),
    AdvisoryKind.AREA_UNSAFE: ("Polygon", "MultiPolygon"),
}

INCIDENT_GEOMETRY = ("Point", "LineString", "Polygon")


class AdvisoryStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


class AdvisoryChange(StrEnum):
    """What happened to an advisory, as its history keeps it (each is an entry ``incidents.<value>``
    on the ledger)."""

    ISSUED = "issued"
    CHANGED = "changed"  # the end of its window moved
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CAP_IMPORTED = "cap_imported"
    CAP_WITHDRAWN = "cap_withdrawn"  # a CAP Update or Cancel ended it
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"


class IncidentStatus(StrEnum):
    ACTIVE = "active"  # still relevant to movement
    CLOSED = "closed"  # its relevance window passed


ADVISORY_TRANSITIONS: dict[AdvisoryStatus, frozenset[AdvisoryStatus]] = {
    AdvisoryStatus.ACTIVE: frozenset({AdvisoryStatus.WITHDRAWN, AdvisoryStatus.EXPIRED}),
    AdvisoryStatus.WITHDRAWN: frozenset(),
    AdvisoryStatus.EXPIRED: frozenset(),
}


SEVERITY_LABELS: dict[Severity, str] = {
    Severity.MINOR: N_("minor"),
    Severity.MODERATE: N_("moderate"),
    Severity.SEVERE: N_("severe"),
    Severity.EXTREME: N_("extreme"),
}

VERIFICATION_LABELS: dict[Verification, str] = {
    Verification.UNVERIFIED: N_("not verified by another party"),
    Verification.CORROBORATED: N_("corroborated by another party"),
    Verification.REFUTED: N_("refuted by another party"),
    Verification.DISPUTED: N_("disputed between parties"),
}

VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.CORROBORATE: N_("corroborates"),
    Verdict.REFUTE: N_("refutes"),
}

END_LABELS: dict[str, str] = {
    AdvisoryStatus.EXPIRED: N_("expired"),
    AdvisoryStatus.WITHDRAWN: N_("was withdrawn"),
    IncidentStatus.CLOSED: N_("is no longer current"),
}

# How far from a hazard a corridor counts as touched, in metres, unless the settings say
# otherwise (``TANSIQ_INCIDENT_IMPACT_DISTANCES``): added to the corridor's own reach.
DEFAULT_DISTANCES: dict[str, float] = {
    EventType.ARMED_CLASH: 3000.0,
    EventType.EXPLOSION: 3000.0,
    EventType.ATTACK_ON_CIVILIANS: 2000.0,
    EventType.ROAD_CLOSURE: 50.0,
    EventType.CHECKPOINT_CLOSURE: 150.0,
    EventType.UNEXPLODED_ORDNANCE: 500.0,
    EventType.PROTEST: 500.0,
    EventType.ACCIDENT: 200.0,
    EventType.OTHER: 1000.0,
    AdvisoryKind.ROAD_CLOSED: 50.0,
    AdvisoryKind.CHECKPOINT_CLOSED: 150.0,
    AdvisoryKind.AREA_UNSAFE: 0.0,
}

# Incidents of these types close the road they lie on: a permit's route through them is
# flagged "route affected", as it is through every advisory.
CLOSING_TYPES = frozenset({EventType.ROAD_CLOSURE, EventType.CHECKPOINT_CLOSURE})


class BadDistances(ValueError):
    """A distances setting that does not parse (a startup error, not a request's)."""


def parse_distances(text: str | None) -> dict[str, float]:
    """``type=metres,...`` over the defaults; an unknown name or a negative figure refused."""
    distances = dict(DEFAULT_DISTANCES)
    for item in (text or "").split(","):
        if not item.strip():
            continue
        name, _, value = item.partition("=")
        name = name.strip()
        if name not in DEFAULT_DISTANCES:
            raise BadDistances(f"unknown type {name!r}")
        try:
            metres = float(value)
        except ValueError:
            raise BadDistances(f"{name}: not a number") from None
        if not 0 <= metres <= 50_000:
            raise BadDistances(f"{name}: between 0 and 50000 metres")
        distances[name] = metres
    return distances


# --- errors ------------------------------------------------------------------------------------


class SubTypeMismatch(TansiqError):
    code = "incident.sub_type_mismatch"
    message = N_('The sub-type "{sub_type}" does not belong to the type "{event_type}".')


class LooksPersonal(TansiqError):
    """Text that looks as if it identifies a person; each kind says what it saw."""

    code = "text.looks_personal"
    message = N_(
        "The field {field} looks as if it identifies a person. Incidents describe what "
        "happened on the road, never who: remove it. Nothing was stored."
    )


class PhoneNumberInText(LooksPersonal):
    code = "text.phone_number"
    message = N_(
        "The field {field} holds what looks like a phone number. Incidents describe what "
        "happened on the road, never who: remove it. Nothing was stored."
    )


class IdNumberInText(LooksPersonal):
    code = "text.id_number"
    message = N_(
        "The field {field} holds a long run of digits, like an ID or phone number. Incidents "
        "describe what happened on the road, never who: remove it. Nothing was stored."
    )


class EmailInText(LooksPersonal):
    code = "text.email"
    message = N_(
        "The field {field} holds what looks like an e-mail address. Incidents describe what "
        "happened on the road, never who: remove it. Nothing was stored."
    )


class TextTooLong(TansiqError):
    code = "text.too_long"
    message = NP_(
        "The field {field} may have at most {count} character.",
        "The field {field} may have at most {count} characters.",
    )


class TextRequired(TansiqError):
    code = "text.required"
    message = N_("The field {field} is required.")


class WindowReversed(TansiqError):
    code = "window.reversed"
    message = N_("The end of a time window must come after its start.")


class WindowEnded(TansiqError):
    code = "window.ended"
    message = N_("The validity window has already ended; nothing was stored.")


class WindowTooLong(TansiqError):
    code = "window.too_long"
    message = NP_(
        "An advisory may count for at most {count} day; issue it again after.",
        "An advisory may count for at most {count} days; issue it again after.",
    )


class OccurredInFuture(TansiqError):
    code = "incident.in_future"
    message = N_("An incident cannot have happened in the future.")


class OwnVerdict(TansiqError):
    code = "incident.own_verdict"
    message = N_("The reporting party cannot corroborate or refute its own report.")
    category = ErrorCategory.FORBIDDEN


class AlreadyJudged(TansiqError):
    code = "incident.already_judged"
    message = N_("Your party has already corroborated or refuted this incident.")
    category = ErrorCategory.CONFLICT


class OwnAdvisory(TansiqError):
    code = "advisory.own_cosign"
    message = N_("The issuing party cannot co-sign its own advisory.")
    category = ErrorCategory.CONFLICT


class AlreadyCosigned(TansiqError):
    code = "advisory.already_cosigned"
    message = N_("Your party has already co-signed this advisory.")
    category = ErrorCategory.CONFLICT


class IllegalAdvisoryTransition(TansiqError):
    code = "advisory.illegal_transition"
    message = N_('An advisory that is "{current}" cannot become "{target}".')
    category = ErrorCategory.CONFLICT


class GeometryMismatch(TansiqError):
    code = "advisory.geometry_mismatch"
    message = N_('A "{kind}" advisory is given as {expected}.')


class CheckpointRequired(TansiqError):
    code = "advisory.checkpoint_required"
    message = N_("A checkpoint-closed advisory names its checkpoint by code.")


class CheckpointNotAllowed(TansiqError):
    code = "advisory.checkpoint_not_allowed"
    message = N_("Only a checkpoint-closed advisory names a checkpoint.")


# --- rules -------------------------------------------------------------------------------------


def check_sub_type(event_type: EventType, sub_type: SubType) -> None:
    if sub_type not in SUB_TYPES[event_type]:
        raise SubTypeMismatch(sub_type=sub_type.value, event_type=event_type.value)


def check_transition(current: AdvisoryStatus, target: AdvisoryStatus) -> None:
    if target not in ADVISORY_TRANSITIONS[current]:
        raise IllegalAdvisoryTransition(current=current.value, target=target.value)


def verification_state(corroborations: int, refutations: int) -> Verification:
    """An incident's state from the other parties' verdicts (the reporter's never count)."""
    if corroborations and refutations:
        return Verification.DISPUTED
    if corroborations:
        return Verification.CORROBORATED
    if refutations:
        return Verification.REFUTED
    return Verification.UNVERIFIED


def check_verdict(reporter_party_id: int, party_id: int, judged_by: frozenset[int]) -> None:
    """Another party, once."""
    if party_id == reporter_party_id:
        raise OwnVerdict
    if party_id in judged_by:
        raise AlreadyJudged


def check_cosign(issuer_party_id: int, party_id: int, cosigners: frozenset[int]) -> None:
    if party_id == issuer_party_id:
        raise OwnAdvisory
    if party_id in cosigners:
        raise AlreadyCosigned


@dataclass(frozen=True)
class Validity:
    """A window ``[start, end)`` something counts in, UTC-aware."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


def check_validity(start: datetime, end: datetime, now: datetime, max_days: int) -> Validity:
    if end <= start:
        raise WindowReversed
    if end <= now:
        raise WindowEnded
    if (end - start).total_seconds() > max_days * 86400:
        raise WindowTooLong(count=max_days)
    return Validity(start, end)


# --- free text that must not identify people ---------------------------------------------------

# Digits in any script count: Arabic-Indic and Eastern Arabic-Indic are mapped to ASCII first.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# What is a number but not a person: dates, clock times, decimals (coordinates, distances).
_HARMLESS = re.compile(
    r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b|\b\d{1,2}:\d{2}(?::\d{2})?\b"
    r"|(?<![\d.])\d{1,3}\.\d+(?![\d.])"
)
_PHONE = re.compile(r"(?:\+|00)\s?\d(?:[\s\-.()]?\d){6,}")
_DIGIT_RUN = re.compile(r"\d(?:[\s\-./]?\d){6,}")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def personal_pattern(text: str) -> type[LooksPersonal] | None:
    """The error for what in ``text`` looks as if it identifies a person (a phone number, a
    run of digits like an ID number, an e-mail address); None when nothing does. Dates, clock
    times and decimals (coordinates, distances) are not flagged."""
    plain = text.translate(_DIGITS)
    if _EMAIL.search(plain):
        return EmailInText
    if _PHONE.search(plain):
        return PhoneNumberInText
    if _DIGIT_RUN.search(_HARMLESS.sub(" ", plain)):
        return IdNumberInText
    return None


def check_free_text(field: str, text: str, *, limit: int, required: bool = False) -> str:
    """``text`` as stored, or a coded error: too long, missing, or looking personal."""
    if required and not text.strip():
        raise TextRequired(field=field)
    if len(text) > limit:
        raise TextTooLong(field=field, count=limit)
    found = personal_pattern(text)
    if found is not None:
        raise found(field=field)
    return text
