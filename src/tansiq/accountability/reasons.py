"""Which reasons or outcomes each figure is broken down by, and their words."""

from __future__ import annotations

from tansiq.accountability.domain import OPEN_APPEAL, Figure
from tansiq.checkpoints.domain import CHECKPOINT_REASON_LABELS, OVERRIDE_REASON_LABELS
from tansiq.clearances.reasons import REASON_LABELS
from tansiq.core.i18n import N_
from tansiq.deconfliction.domain import CONCERN_LABELS
from tansiq.tallies.domain import RECEIVED_PLAIN

APPEAL_OUTCOMES: dict[str, str] = {
    OPEN_APPEAL: N_("Not decided yet"),
    "upheld": N_("Refusal upheld"),
    "overturned": N_("Refusal overturned"),
    "superseded": N_("Superseded by an amendment"),
    "closed": N_("Closed: the application ended"),
}
UNKNOWN_REASON = N_("No reason recorded")

_REVIEW = {code.value: label for code, label in REASON_LABELS.items()}
_CHECKPOINT = {code.value: label for code, label in CHECKPOINT_REASON_LABELS.items()}
_OVERRIDE = {code.value: label for code, label in OVERRIDE_REASON_LABELS.items()}

# The reasons (or outcomes) each broken-down figure may name, with their words.
REASONS: dict[Figure, dict[str, str]] = {
    Figure.REFUSED: _REVIEW,
    Figure.REVOKED: _REVIEW,
    Figure.REFUSALS: {**_REVIEW, **_CHECKPOINT},
    Figure.OVERRIDES: _OVERRIDE,
    Figure.APPEALED: APPEAL_OUTCOMES,
    Figure.ACKNOWLEDGED: {
        RECEIVED_PLAIN: N_("Received"),
        **{code.value: label for code, label in CONCERN_LABELS.items()},
    },
}


def reason_label(figure: Figure, reason: str) -> str:
    """The words for ``reason`` of ``figure`` (untranslated), or "no reason recorded"."""
    return REASONS.get(figure, {}).get(reason, UNKNOWN_REASON)
