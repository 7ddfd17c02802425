"""Clearance rules: statuses and their transitions, decisions, conditions, what an amendment
reopens. Pure: no storage, no web."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_
from tansiq.permits.domain import Condition, ConditionKind


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


FINAL = frozenset({ApplicationStatus.WITHDRAWN, ApplicationStatus.EXPIRED})

TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.DRAFT: frozenset({ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN}),
    ApplicationStatus.SUBMITTED: frozenset(
        {ApplicationStatus.IN_REVIEW, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.IN_REVIEW: frozenset(
        {
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
            ApplicationStatus.EXPIRED,
        }
    ),
    # A rejection is not the end: the applicant may amend or appeal, which reopens review.
    ApplicationStatus.REJECTED: frozenset(
        {
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.APPROVED,
            ApplicationStatus.WITHDRAWN,
            ApplicationStatus.EXPIRED,
        }
    ),
    # An amendment after approval reopens review; the permit's window ending expires it.
    ApplicationStatus.APPROVED: frozenset(
        {
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
            ApplicationStatus.EXPIRED,
        }
    ),
    ApplicationStatus.WITHDRAWN: frozenset(),
    ApplicationStatus.EXPIRED: frozenset(),
}


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    DROPPED = "dropped"  # the authority is no longer required (amended route)


class Decision(StrEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REJECT = "reject"


class ChangedPart(StrEnum):
    ROUTE = "route"
    CARGO = "cargo"
    VEHICLE = "vehicle"
    DRIVER = "driver"
    WINDOW = "window"
    DETAILS = "details"  # origin, destination, seals: descriptive only


class IllegalTransition(TansiqError):
    code = "application.illegal_transition"
    message = N_('An application that is "{current}" cannot become "{target}".')
    category = ErrorCategory.CONFLICT


class ReasonRequired(TansiqError):
    code = "review.reason_required"
    message = N_("A rejection needs a reason code from the shared list.")


class ReasonNotAllowed(TansiqError):
    code = "review.reason_not_allowed"
    message = N_("Only a rejection carries a reason code.")


class ConditionsNotAllowed(TansiqError):
    code = "review.conditions_not_allowed"
    message = N_('Only "approve_with_conditions" carries conditions.')


class ConditionRequired(TansiqError):
    code = "review.condition_required"
    message = N_("An approval with conditions needs at least one condition.")


class ConditionIncomplete(TansiqError):
    code = "review.condition_incomplete"
    message = N_(
        'The condition "{condition}" is incomplete: name the checkpoints or write its text.'
    )


class NoteRequired(TansiqError):
    code = "review.note_required"
    message = N_('A rejection for "{reason}" must explain itself in a note.')


def check_transition(current: ApplicationStatus, target: ApplicationStatus) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current=current.value, target=target.value)


def check_decision(
    decision: Decision,
    conditions: Iterable[Condition],
    reason: str | None,
    note: str,
    note_required: frozenset[str],
) -> None:
    """The shape of a decision: reasons only on rejections, conditions only on conditional
    approvals, and a note where the reason code demands one."""
    conditions = list(conditions)
    if decision is Decision.REJECT:
        if reason is None:
            raise ReasonRequired
        if reason in note_required and not note.strip():
            raise NoteRequired(reason=reason)
    elif reason is not None:
        raise ReasonNotAllowed
    if conditions and decision is not Decision.APPROVE_WITH_CONDITIONS:
        raise ConditionsNotAllowed
    if decision is Decision.APPROVE_WITH_CONDITIONS and not conditions:
        raise ConditionRequired
    for condition in conditions:
        if condition.kind is ConditionKind.VIA_CHECKPOINTS and not condition.checkpoints:
            raise ConditionIncomplete(condition=condition.kind.value)
        if condition.kind is ConditionKind.FREE_TEXT and not condition.text.strip():
            raise ConditionIncomplete(condition=condition.kind.value)


def status_after_reviews(statuses: Iterable[ReviewStatus]) -> ApplicationStatus:
    """Any rejection rejects; all approved approves; otherwise still in review."""
    live = [status for status in statuses if status is not ReviewStatus.DROPPED]
    if any(status is ReviewStatus.REJECTED for status in live):
        return ApplicationStatus.REJECTED
    if live and all(status is ReviewStatus.APPROVED for status in live):
        return ApplicationStatus.APPROVED
    return ApplicationStatus.IN_REVIEW


def is_contradiction(statuses: Iterable[ReviewStatus]) -> bool:
    """One authority approves what another refuses: shown plainly, never hidden."""
    seen = set(statuses)
    return ReviewStatus.APPROVED in seen and ReviewStatus.REJECTED in seen


@dataclass(frozen=True)
class AmendmentPlan:
    """What an amendment does to the reviews: which to keep, reopen, drop and open."""

    keep: frozenset[int] = field(default_factory=frozenset)
    reopen: frozenset[int] = field(default_factory=frozenset)
    drop: frozenset[int] = field(default_factory=frozenset)
    open: frozenset[int] = field(default_factory=frozenset)


def plan_reviews(
    current: Mapping[int, ReviewStatus],
    required: frozenset[int],
    changed: frozenset[ChangedPart],
    via_checkpoints: Mapping[int, frozenset[str]],
    checkpoints_on_route: frozenset[str],
    suspending: frozenset[int] = frozenset(),
) -> AmendmentPlan:
    """Reviews after an amendment, by authority id.

    A route change drops authorities the route no longer needs, opens reviews for new ones
    and keeps the others' decisions — unless an authority approved "only via" checkpoints
    the new route misses. Any change to cargo, vehicle, driver or window reopens every
    review; a change to descriptive details alone reopens nothing. An authority that
    suspended the permit (``suspending``) decides again: amending does not lift a suspension.
    """
    live = {
        authority for authority, status in current.items() if status is not ReviewStatus.DROPPED
    }
    drop = frozenset(live - required)
    opened = frozenset(required - live)
    staying = live & required
    if changed - {ChangedPart.ROUTE, ChangedPart.DETAILS}:
        return AmendmentPlan(reopen=frozenset(staying), drop=drop, open=opened)
    reopen = frozenset(
        authority
        for authority in staying
        if authority in suspending
        or (
            ChangedPart.ROUTE in changed
            and not via_checkpoints.get(authority, frozenset()) <= checkpoints_on_route
        )
    )
    return AmendmentPlan(keep=frozenset(staying - reopen), reopen=reopen, drop=drop, open=opened)
