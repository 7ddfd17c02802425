"""What ``tansiq checkpoint sync`` and ``scan`` say of the incidents and advisories the device
holds (the signed bundle of its last pull): the list near this checkpoint, and a warning line
in a verdict for a permit whose route one of them affects."""

from __future__ import annotations

from datetime import UTC, datetime

from babel.dates import format_datetime
from babel.units import format_unit

from tansiq.checkpoints.advisory_bundle import AdvisoryBundle, AdvisoryItem
from tansiq.core.i18n import NP_, Locale, translate
from tansiq.incidents.domain import (
    ADVISORY_KIND_LABELS,
    EVENT_TYPE_LABELS,
    AdvisoryKind,
    EventType,
    Severity,
)
from tansiq.incidents.page_words import LABELS, SEVERITY

HELD = NP_(
    "{count} incident or advisory near this checkpoint (as of {time}):",
    "{count} incidents or advisories near this checkpoint (as of {time}):",
)


def _when(value: datetime, locale: Locale) -> str:
    return format_datetime(value, "medium", tzinfo=UTC, locale=locale.value) + " UTC"


def _what(item: AdvisoryItem, locale: Locale) -> str:
    if item.type in {t.value for t in EventType}:
        return translate(EVENT_TYPE_LABELS[EventType(item.type)], locale)
    if item.type in {k.value for k in AdvisoryKind}:
        return translate(ADVISORY_KIND_LABELS[AdvisoryKind(item.type)], locale)
    return item.type


def item_line(item: AdvisoryItem, locale: Locale, checkpoint: str | None = None) -> str:
    """One item on one line: what, its reference, severity, when, how far, by whom, what was
    said."""
    severity = (
        translate(SEVERITY[Severity(item.severity)], locale)
        if item.severity in {s.value for s in Severity}
        else item.severity
    )
    start = _when(item.start, locale)
    when = (
        translate(LABELS["cp_adv_since"], locale, time=start)
        if item.kind == "incident" or item.end is None
        else translate(LABELS["cp_adv_window"], locale, start=start, end=_when(item.end, locale))
    )
    if checkpoint is not None and checkpoint in item.checkpoints:
        where = translate(LABELS["cp_adv_closes_here"], locale)
    else:
        distance = format_unit(item.distance_m, "length-meter", length="short", locale=locale.value)
        where = translate(LABELS["cp_adv_distance"], locale, distance=distance)
    party = (
        item.party[0] or item.party[1] if locale is Locale.AR else item.party[1] or item.party[0]
    )
    parts = [f"{_what(item, locale)} {item.reference}", severity, when, where]
    if party:
        parts.append(translate(LABELS["cp_adv_by"], locale, party=party))
    if item.description:
        parts.append(item.description)
    return " · ".join(parts)


def held_lines(
    bundle: AdvisoryBundle | None, at: datetime, locale: Locale, checkpoint: str | None = None
) -> list[str]:
    """The list after a sync: every item still current at ``at``, or that there is none."""
    if bundle is None:
        return []
    items = bundle.current(at)
    if not items:
        return [translate(LABELS["cp_adv_none"], locale)]
    head = translate(HELD, locale, count=len(items), time=_when(bundle.issued_at, locale))
    return [head, *(f"  - {item_line(item, locale, checkpoint)}" for item in items)]


def route_warning_lines(
    bundle: AdvisoryBundle | None,
    cti: str | None,
    checkpoints: list[str],
    at: datetime,
    locale: Locale,
) -> list[str]:
    """The warning in a verdict: each current item affecting this permit's route."""
    if bundle is None or cti is None:
        return []
    found = bundle.affecting(cti, checkpoints, at)
    if not found:
        return []
    head = translate(LABELS["cp_adv_route_affected"], locale)
    return [f"! {head}", *(f"!   {item_line(item, locale)}" for item in found)]
