"""What checkpoints tell the parties (kinds, titles, bodies for the notifications outbox)."""

from __future__ import annotations

from tansiq.clearances.messages import Notice
from tansiq.core.i18n import N_, NP_

CONTRADICTION = Notice(
    "checkpoint.contradiction",
    N_("Your checkpoint {checkpoint} refused permit {permit}, which your authority signed"),
    N_("Refused on {at}. Reason: {reason}. Note: {note}"),
)
# The same event told to the municipality, which mans no checkpoint and signed nothing.
CONTRADICTION_SEEN = Notice(
    "checkpoint.contradiction_seen",
    N_("A checkpoint of {authority} refused permit {permit}, which {authority} itself signed"),
    N_("Refused at checkpoint {checkpoint} on {at}. Reason: {reason}. Note: {note}"),
)
CLONE_SUSPECTED = Notice(
    "checkpoint.clone_suspected",
    N_("Permit {permit} was scanned at {first} and {second} too close in time"),
    NP_(
        "No vehicle covers {km} km in {count} minute: the permit may be copied.",
        "No vehicle covers {km} km in {count} minutes: the permit may be copied.",
    ),
)
WITNESS_ALARM = Notice(
    "ledger.witness_alarm",
    N_("Checkpoint {checkpoint} caught a ledger history that does not add up"),
    N_(
        "Device \u201c{device}\u201d held a signed ledger head of size {held}; the hub then "
        "showed it one of size {seen} that does not continue it. The ledger may have "
        "been rewritten: run \u201ctansiq ledger verify\u201d and compare with other witnesses."
    ),
)

# Message ids of notices stored before they were reworded: kept in the catalog, so those
# notices still read in the reader's language.
EARLIER = (N_("Refused at {at} with reason code {reason_code}. Note: {note}"),)
