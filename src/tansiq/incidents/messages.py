"""What incidents and advisories tell the parties, as (kind, title, body) for the outbox.

Titles and bodies are English message ids rendered per reader at display time (the inbox in the
reader's language, e-mail in both, webhooks with both). A value that differs by language (the
type of an incident, the kind of an advisory) is passed twice, as ``what_ar`` and ``what_en``,
and fills ``{what}`` in the reader's language; every other value reads the same in both
(references, times, party names as given). The kinds are the webhook event kinds documented
in docs/incidents.md.
"""

from __future__ import annotations

from typing import NamedTuple

from tansiq.core.i18n import N_, NP_


class Notice(NamedTuple):
    kind: str
    title: str
    body: str


# In place of an incident's verification, for an advisory.
ISSUED = N_("an advisory of that party")

HAZARD_NEAR = Notice(
    "incidents.impact",
    N_("{what} reported near {target}"),
    NP_(
        "{hazard} ({what}, {severity_word}) lies {count} metre from the corridor of {target}, "
        "from {start} to {end}. Reported by {party}; {verification_word}.",
        "{hazard} ({what}, {severity_word}) lies {count} metres from the corridor of {target}, "
        "from {start} to {end}. Reported by {party}; {verification_word}.",
    ),
)
ROUTE_AFFECTED = Notice(
    "incidents.route_affected",
    N_("Route affected: {what} on the route of {target}"),
    N_(
        "{hazard} ({what}) crosses the route of {target} from {start} to {end}. Issued by "
        "{party}. Plan another route; a permit's route is changed by amending its application."
    ),
)
REACKNOWLEDGE = Notice(
    "incidents.reacknowledge",
    N_("Acknowledge {target} again: {what} on its route"),
    N_(
        "{hazard} ({what}) touches the movement {target} in its window. Its notifier and every "
        "party it reached are asked to acknowledge it again."
    ),
)
HAZARD_ENDED = Notice(
    "incidents.ended",
    N_("{hazard} no longer holds for {target}"),
    N_("{hazard} ({what}) {end_word} at {at}."),
)
VERDICT = Notice(
    "incidents.verdict",
    N_("{party}: {verdict_word} {hazard}"),
    N_("The incident is now {verification_word}. Note: {note}"),
)
COSIGNED = Notice(
    "incidents.cosigned",
    N_("{party} co-signed {hazard}"),
    N_("The advisory ({what}) is now issued by you and co-signed by {party}."),
)
