"""What clearances tell the parties, as (kind, title, body) for the notifications outbox.

Titles and bodies are English message ids rendered per reader; parameters are data in the
conventions of :mod:`tansiq.core.wording`: names in both scripts (``authority_ar`` and
``authority_en`` fill ``{authority}``), reasons as message ids (``reason_msg``), times as
ISO 8601, lists per language. A message id changed here stays in ``EARLIER`` so notices
stored before still read in Arabic.
"""

from __future__ import annotations

from typing import NamedTuple

from tansiq.core.i18n import N_, NP_


class Why(NamedTuple):
    """Why an application changed status: a message id and its parameters, rendered in the
    reader's language."""

    message: str
    params: dict[str, str] = {}  # noqa: RUF012 - a NamedTuple default, never mutated


CREATED = N_("Created")
SUBMITTED = N_("Submitted")
ROUTED = NP_("{count} authority must decide", "{count} authorities must decide")
DECIDED = N_("Decision by {party}")
AMENDED = N_("Amended ({changed}). {note}")
APPEALED = N_("Appealed")
WITHDRAWN = N_("Withdrawn by the applicant. {note}")
WINDOW_ENDED = N_("The validity window ended")


class Notice(NamedTuple):
    kind: str
    title: str
    body: str


REVIEW_OPENED = Notice(
    "review.opened",
    N_("Application {reference} needs your decision"),
    N_(
        "{applicant} asks to travel from {origin} to {destination} between {valid_from} and "
        "{valid_until}. Decide by {deadline}."
    ),
)
REVIEW_REOPENED = Notice(
    "review.reopened",
    N_("Application {reference} was changed and needs your decision again"),
    N_("The applicant changed {changed}. Decide by {deadline}."),
)
REVIEW_REMINDER = Notice(
    "review.reminder",
    N_("Reminder: application {reference} is waiting for your decision"),
    N_("Half the time to decide has passed; the deadline is {deadline}."),
)
REVIEW_OVERDUE = Notice(
    "review.overdue",
    N_("Your decision on application {reference} is overdue"),
    N_("The deadline {deadline} has passed; the applicant and the municipality were told."),
)
APPLICATION_OVERDUE = Notice(
    "application.overdue",
    N_("The decision of {authority} on application {reference} is overdue"),
    N_("{authority} did not decide by {deadline}."),
)
APPROVED = Notice(
    "application.approved_by",
    N_("{authority} approved application {reference}"),
    N_("No conditions attached."),
)
APPROVED_WITH_CONDITIONS = Notice(
    "application.approved_by",
    N_("{authority} approved application {reference} with conditions"),
    NP_("{count} condition attached: {conditions}.", "{count} conditions attached: {conditions}."),
)
REJECTED = Notice(
    "application.rejected_by",
    N_("{authority} rejected application {reference}"),
    N_("Reason: {reason}. Note: {note}"),
)
CONTRADICTION = Notice(
    "application.contradiction",
    N_("Authorities disagree on application {reference}"),
    N_("{approved} approved; {rejected} rejected. You may amend the application or appeal."),
)
PERMIT_ISSUED = Notice(
    "permit.issued",
    N_("Permit {permit} issued for application {reference}"),
    N_("Every required authority approved. Valid from {valid_from} to {valid_until}."),
)
PERMIT_REVOKED = Notice(
    "permit.revoked",
    N_("Permit {permit} was revoked by {authority}"),
    N_("Reason: {reason}. Note: {note}"),
)
PERMIT_SUSPENDED = Notice(
    "permit.suspended",
    N_("Permit {permit} was suspended by {authority}"),
    N_("Reason: {reason}. Note: {note}"),
)
PERMIT_REINSTATED = Notice(
    "permit.reinstated",
    N_("Permit {permit} was reinstated by {authority}"),
    N_("The suspension is lifted. Note: {note}"),
)
APPEAL_OPENED = Notice(
    "appeal.opened",
    N_("Appeal on application {reference}"),
    N_("{applicant} appeals the rejection by {authority}: {grounds}"),
)

# What an amendment changed, as the reader says it (ChangedPart values).
CHANGED_PARTS = {
    "route": N_("the route"),
    "cargo": N_("the cargo"),
    "vehicle": N_("the vehicle"),
    "driver": N_("the driver"),
    "window": N_("the validity window"),
    "details": N_("the details"),
}

# Message ids of notices stored before they were reworded: kept in the catalog, so those
# notices still read in the reader's language.
EARLIER = (
    N_("The applicant changed: {changed}. Decide by {deadline}."),
    NP_("{count} condition attached.", "{count} conditions attached."),
    N_("Reason code: {reason_code}. Note: {note}"),
)
