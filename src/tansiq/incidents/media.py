"""Content negotiation on ``Accept`` (RFC 9110 §12.5.1), for the advisory that answers as JSON
or as its CAP 1.2 alert. Pure."""

from __future__ import annotations

from collections.abc import Sequence


def preferred(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer ``accept`` rates highest (its most specific matching range decides; ties go
    to the earlier offer); the first offer when there is no ``Accept``; None when every
    offer is refused (no range matches it, or the range that does says ``q=0``)."""
    if accept is None or not accept.strip():
        return offers[0] if offers else None
    ranges = [found for part in accept.split(",") if (found := _media_range(part)) is not None]
    best: tuple[float, str] | None = None
    for offer in offers:
        quality = _quality(offer.lower(), ranges)
        if quality > 0 and (best is None or quality > best[0]):
            best = (quality, offer)
    return None if best is None else best[1]


def _media_range(part: str) -> tuple[str, str, float] | None:
    """``type/subtype;q=0.5`` as (type, subtype, q); None for what is not a media range."""
    media, *parameters = (piece.strip() for piece in part.split(";"))
    kind, slash, subtype = media.lower().partition("/")
    if not slash or not kind or not subtype:
        return None
    quality = 1.0
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = min(max(float(value.strip()), 0.0), 1.0)
            except ValueError:
                return None
    return kind, subtype, quality


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> float:
    kind, _, subtype = offer.partition("/")
    specificity, quality = -1, 0.0
    for range_kind, range_subtype, range_quality in ranges:
        if (range_kind, range_subtype) == (kind, subtype):
            rank = 2
        elif (range_kind, range_subtype) == (kind, "*"):
            rank = 1
        elif (range_kind, range_subtype) == ("*", "*"):
            rank = 0
        else:
            continue
        if rank > specificity:
            specificity, quality = rank, range_quality
    return quality
