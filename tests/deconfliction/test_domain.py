"""Deconfliction's pure rules: notification statuses, acknowledgements and concerns."""

from __future__ import annotations

import pytest

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import Locale, translate
from tansiq.deconfliction.domain import (
    CONCERN_LABELS,
    STATUS_TRANSITIONS,
    AcknowledgementState,
    AlreadyAcknowledged,
    ConcernCode,
    ConcernNotAllowed,
    ConcernNoteRequired,
    ConcernRequired,
    IllegalNotificationTransition,
    NotAnAcknowledgement,
    NotificationStatus,
    check_acknowledgement,
    check_status_transition,
)

Status = NotificationStatus
Ack = AcknowledgementState


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_only_an_active_notification_is_withdrawn_or_lapses(
    current: Status, target: Status
) -> None:
    allowed = current is Status.ACTIVE and target is not Status.ACTIVE
    assert (target in STATUS_TRANSITIONS[current]) is allowed
    if allowed:
        check_status_transition(current, target)
    else:
        with pytest.raises(IllegalNotificationTransition) as raised:
            check_status_transition(current, target)
        assert raised.value.params == {"current": current.value, "target": target.value}


@pytest.mark.parametrize(
    ("current", "answer", "concern", "note", "error"),
    [
        (Ack.PENDING, Ack.RECEIVED, None, "", None),
        (Ack.PENDING, Ack.RECEIVED, None, "noted", None),
        (Ack.PENDING, Ack.RECEIVED_WITH_CONCERN, ConcernCode.TIMING, "", None),
        (Ack.PENDING, Ack.RECEIVED_WITH_CONCERN, ConcernCode.OTHER, "a wedding on the road", None),
        (Ack.PENDING, Ack.RECEIVED_WITH_CONCERN, ConcernCode.OTHER, "  ", ConcernNoteRequired),
        (Ack.PENDING, Ack.RECEIVED_WITH_CONCERN, None, "why", ConcernRequired),
        (Ack.PENDING, Ack.RECEIVED, ConcernCode.ROUTE, "", ConcernNotAllowed),
        (Ack.PENDING, Ack.PENDING, None, "", NotAnAcknowledgement),
        (Ack.RECEIVED, Ack.RECEIVED, None, "", AlreadyAcknowledged),
        (Ack.RECEIVED_WITH_CONCERN, Ack.RECEIVED, None, "", AlreadyAcknowledged),
    ],
)
def test_acknowledgement_shapes(
    current: Ack,
    answer: Ack,
    concern: ConcernCode | None,
    note: str,
    error: type[TansiqError] | None,
) -> None:
    if error is None:
        check_acknowledgement(current, answer, concern, note)
    else:
        with pytest.raises(error):
            check_acknowledgement(current, answer, concern, note)


def test_every_concern_has_a_label_in_both_languages() -> None:
    assert set(CONCERN_LABELS) == set(ConcernCode)
    for label in CONCERN_LABELS.values():
        assert translate(label, Locale.AR) != label
        assert translate(label, Locale.EN) == label


def test_errors_have_stable_distinct_codes() -> None:
    from tansiq.deconfliction import domain

    codes = [
        value.code
        for value in vars(domain).values()
        if isinstance(value, type) and issubclass(value, TansiqError) and value is not TansiqError
    ]
    assert len(codes) == len(set(codes)) > 20
