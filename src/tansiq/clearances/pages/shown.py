"""How clearance pages show the parts several of them share, in the reader's language."""

from __future__ import annotations

from typing import Any

from tansiq.clearances.schemas import ReviewOut
from tansiq.clearances.words import REVIEW_STATUS
from tansiq.web.screen import Screen, tr


def review_words(s: Screen[Any], review: ReviewOut) -> dict[str, Any]:
    """One authority's review as every page shows it: who, where it stands, and why."""
    return {
        "id": review.id,
        "authority": getattr(review.authority_name, s.locale.value) or review.authority,
        "status": tr(s, REVIEW_STATUS[review.status]),
        "status_code": review.status.value,
        "reason": None
        if review.reason_label is None
        else getattr(review.reason_label, s.locale.value),
        "reason_code": None if review.reason_code is None else review.reason_code.value,
        "note": review.note,
    }
