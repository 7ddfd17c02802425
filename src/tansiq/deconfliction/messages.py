"""What deconfliction tells the parties, as (kind, title, body) for the notifications outbox.

Titles and bodies are English message ids rendered per reader (the inbox in the reader's
language, e-mail in both, webhooks with both); parameters carry only values that read the same
in both languages (references, codes, times, party names as given). The kinds are the webhook
event kinds documented in docs/deconfliction.md.
"""

from __future__ import annotations

from typing import NamedTuple

from tansiq.core.i18n import N_, NP_


class Notice(NamedTuple):
    kind: str
    title: str
    body: str


NOTIFIED = Notice(
    "deconfliction.notified",
    N_("{notifier} notifies {reference}: please acknowledge by {deadline}"),
    N_(
        "It counts from {start} to {end}. Why you receive it: zones {zones}; checkpoints "
        "{checkpoints}; conflicts with {conflicts}. This is a receipt, not a permission: "
        "nothing waits for your answer."
    ),
)
UPDATED = Notice(
    "deconfliction.updated",
    N_("{notifier} changed {reference} (version {version}): please acknowledge by {deadline}"),
    N_(
        "It counts from {start} to {end}. Why you receive it: zones {zones}; checkpoints "
        "{checkpoints}; conflicts with {conflicts}. This is a receipt, not a permission: "
        "nothing waits for your answer."
    ),
)
WITHDRAWN = Notice(
    "deconfliction.withdrawn",
    N_("{notifier} withdrew {reference}"),
    N_("It no longer counts. Note: {note}"),
)
LAPSED = Notice(
    "deconfliction.lapsed",
    N_("Site {reference} lapsed"),
    N_("Its notifier did not re-confirm it by {lapses_at}; it no longer counts."),
)
REMINDER = Notice(
    "deconfliction.reminder",
    N_("Reminder: acknowledge {reference} from {notifier}"),
    N_("Half the time to acknowledge has passed. Acknowledge by {deadline}."),
)
ESCALATED = Notice(
    "deconfliction.escalated",
    N_("Unacknowledged: {reference} from {notifier}"),
    N_(
        "Your party did not acknowledge it by {deadline}. Every liaison officer of your party "
        "is told, and the notifier and the hub operator see it flagged."
    ),
)
UNACKNOWLEDGED = Notice(
    "deconfliction.unacknowledged",
    N_("{party} did not acknowledge {reference}"),
    N_("The deadline was {deadline}. The notification stands; nothing waited for the answer."),
)
ACKNOWLEDGED = Notice(
    "deconfliction.acknowledged",
    N_("{party} acknowledged {reference}"),
    N_("Received at {at}."),
)
ACKNOWLEDGED_WITH_CONCERN = Notice(
    "deconfliction.concern",
    N_("{party} acknowledged {reference} with a concern"),
    N_("Concern: {concern}. Note: {note}. A concern informs you; it vetoes nothing."),
)
CONFLICT = Notice(
    "deconfliction.conflict",
    N_("Conflict: {reference} and {other} meet in space and time"),
    NP_(
        "They meet from {start} to {end} (the place is on the notification's map). Moving "
        "{reference} by {count} minute would clear every conflict.",
        "They meet from {start} to {end} (the place is on the notification's map). Moving "
        "{reference} by {count} minutes would clear every conflict.",
    ),
)
CONFLICT_NO_SHIFT = Notice(
    "deconfliction.conflict",
    N_("Conflict: {reference} and {other} meet in space and time"),
    N_(
        "They meet from {start} to {end} (the place is on the notification's map). No shift "
        "of {reference} within the horizon clears every conflict."
    ),
)
CONFLICT_AT_SITE = Notice(
    "deconfliction.conflict",
    N_("Conflict: {reference} and {other} meet in space and time"),
    N_("They meet from {start} to {end} (the place is on the notification's map)."),
)
SITE_REMINDER = Notice(
    "deconfliction.site_reminder",
    N_("Re-confirm site {reference} before {lapses_at}"),
    N_("Unless you re-confirm it, it lapses at {lapses_at} and no longer counts."),
)
