"""Deconfliction rules: what a notification is, its statuses, acknowledgements and concerns, and
the coded errors for every bad input. Pure: no storage, no web.

A notification is a receipt, never a permission: an acknowledgement records that a party knows,
and a concern informs the notifier without vetoing anything.
"""

from __future__ import annotations

from enum import StrEnum

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_, NP_


class NotificationKind(StrEnum):
    MOVEMENT = "movement"
    SITE = "site"


class Purpose(StrEnum):
    PATROL = "patrol"
    CONVOY = "convoy"
    HUMANITARIAN = "humanitarian"
    MEDICAL_EVACUATION = "medical_evacuation"
    ENGINEERING = "engineering"
    OTHER = "other"


class VehicleKind(StrEnum):
    CAR = "car"
    TRUCK = "truck"
    ARMOURED = "armoured"
    AMBULANCE = "ambulance"
    BUS = "bus"
    ON_FOOT = "on_foot"
    OTHER = "other"


class SiteType(StrEnum):
    CLINIC = "clinic"
    SCHOOL = "school"
    WAREHOUSE = "warehouse"
    CAMP = "camp"
    OFFICE = "office"
    WATER_POINT = "water_point"
    OTHER = "other"


class NotificationStatus(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"  # recorded, never deleted
    LAPSED = "lapsed"  # a site its notifier did not re-confirm in time


# Withdrawn and lapsed are final: a site that lapsed is notified again, as a new notification.
STATUS_TRANSITIONS: dict[NotificationStatus, frozenset[NotificationStatus]] = {
    NotificationStatus.ACTIVE: frozenset({NotificationStatus.WITHDRAWN, NotificationStatus.LAPSED}),
    NotificationStatus.WITHDRAWN: frozenset(),
    NotificationStatus.LAPSED: frozenset(),
}


class AcknowledgementState(StrEnum):
    PENDING = "pending"
    RECEIVED = "received"
    RECEIVED_WITH_CONCERN = "received_with_concern"


class ConcernCode(StrEnum):
    """The shared list a party picks from when it acknowledges with a concern."""

    TIMING = "timing"
    ROUTE = "route"
    NEAR_SITE = "near_site"
    ACTIVE_OPERATIONS = "active_operations"
    CHECKPOINT_CLOSED = "checkpoint_closed"
    OTHER = "other"


CONCERN_LABELS: dict[ConcernCode, str] = {
    ConcernCode.TIMING: N_("The timing clashes with our own activity"),
    ConcernCode.ROUTE: N_("The route passes through a sensitive area"),
    ConcernCode.NEAR_SITE: N_("The movement passes near a protected site"),
    ConcernCode.ACTIVE_OPERATIONS: N_("Operations are under way in the area"),
    ConcernCode.CHECKPOINT_CLOSED: N_("A checkpoint on the route is closed"),
    ConcernCode.OTHER: N_("Other (see the note)"),
}

# Concerns that mean nothing without words.
NOTE_REQUIRED = frozenset({ConcernCode.OTHER})


class IllegalNotificationTransition(TansiqError):
    code = "notification.illegal_transition"
    message = N_('A notification that is "{current}" cannot become "{target}".')
    category = ErrorCategory.CONFLICT


class AlreadyAcknowledged(TansiqError):
    code = "acknowledgement.already_given"
    message = N_("This party has already acknowledged this version of the notification.")
    category = ErrorCategory.CONFLICT


class ConcernRequired(TansiqError):
    code = "acknowledgement.concern_required"
    message = N_('"Received with concern" needs a concern from the shared list.')


class ConcernNotAllowed(TansiqError):
    code = "acknowledgement.concern_not_allowed"
    message = N_('Only "received with concern" carries a concern.')


class ConcernNoteRequired(TansiqError):
    code = "acknowledgement.note_required"
    message = N_('The concern "{concern}" must explain itself in a note.')


class NotAnAcknowledgement(TansiqError):
    code = "acknowledgement.not_an_answer"
    message = N_('"Pending" is not an answer; acknowledge as received or with a concern.')


class WindowReversed(TansiqError):
    code = "window.reversed"
    message = N_("The end of a time window must come after its start.")


class WindowInPast(TansiqError):
    code = "window.in_past"
    message = N_("The time window has already ended; notify a window that is still to come.")


class RepetitionNoDays(TansiqError):
    code = "repetition.no_days"
    message = N_("A weekly repetition needs at least one day of the week.")


class BadWeekday(TansiqError):
    code = "repetition.bad_weekday"
    message = N_("Days of the week are numbered 0 (Monday) to 6 (Sunday).")


class RepetitionEndsEarly(TansiqError):
    code = "repetition.ends_early"
    message = N_("A repetition must end on or after the day of the first occurrence.")


class RepetitionTooLong(TansiqError):
    code = "repetition.too_long"
    message = NP_(
        "A repetition may span at most {count} day.", "A repetition may span at most {count} days."
    )


class OccurrencesOverlap(TansiqError):
    code = "repetition.overlapping"
    message = N_("The occurrences of this repetition would overlap; shorten the window.")


class BadReconfirmationPeriod(TansiqError):
    code = "site.bad_reconfirmation_period"
    message = NP_(
        "A site must be re-confirmed every {minimum} to {count} day.",
        "A site must be re-confirmed every {minimum} to {count} days.",
    )


class BadSiteRadius(TansiqError):
    code = "site.bad_radius"
    message = NP_(
        "A site's radius must be between {minimum} and {count} metre.",
        "A site's radius must be between {minimum} and {count} metres.",
    )


class NoDeploymentArea(TansiqError):
    code = "location.no_area"
    message = N_("The deployment's area is not known yet: import zones or set the area.")


class OutsideArea(TansiqError):
    code = "location.outside_area"
    message = N_("The location lies outside the deployment's area; nothing was shared.")


class SwappedCoordinates(TansiqError):
    code = "location.swapped"
    message = N_(
        "The location looks like latitude, longitude: GeoJSON puts longitude first. "
        "Nothing was shared."
    )


class UnknownPlace(TansiqError):
    code = "location.unknown_place"
    message = N_('The place "{place}" is not in the gazetteer.')


class PlaceMismatch(TansiqError):
    code = "location.place_mismatch"
    message = NP_(
        'The location is {count} metre from "{place}", beyond the tolerance of {tolerance} m.',
        'The location is {count} metres from "{place}", beyond the tolerance of {tolerance} m.',
    )


class CrossesNoZone(TansiqError):
    code = "location.crosses_no_zone"
    message = N_("The corridor crosses no zone at all; check the route before it is shared.")


class RouteSelfIntersecting(TansiqError):
    code = "route.self_intersecting"
    message = N_("The route crosses itself; notify each leg as its own movement.")


class RouteTooLong(TansiqError):
    code = "route.too_many_points"
    message = NP_(
        "A route may have at most {count} point.", "A route may have at most {count} points."
    )


def check_status_transition(current: NotificationStatus, target: NotificationStatus) -> None:
    if target not in STATUS_TRANSITIONS[current]:
        raise IllegalNotificationTransition(current=current.value, target=target.value)


def check_acknowledgement(
    current: AcknowledgementState,
    answer: AcknowledgementState,
    concern: ConcernCode | None,
    note: str,
) -> None:
    """The shape of an acknowledgement: one per party and version, a concern exactly when the
    answer is "received with concern", and a note where the concern demands one."""
    if current is not AcknowledgementState.PENDING:
        raise AlreadyAcknowledged
    if answer is AcknowledgementState.PENDING:
        raise NotAnAcknowledgement
    if answer is AcknowledgementState.RECEIVED:
        if concern is not None:
            raise ConcernNotAllowed
        return
    if concern is None:
        raise ConcernRequired
    if concern in NOTE_REQUIRED and not note.strip():
        raise ConcernNoteRequired(concern=concern.value)
