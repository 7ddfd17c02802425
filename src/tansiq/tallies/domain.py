"""What is tallied: the events the accountability figures count, and the buckets a time to
decision falls in. Pure."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from enum import StrEnum


class Tally(StrEnum):
    """An event counted by day, by the feature that records it, in the same transaction."""

    RECEIVED = "received"  # a review first opened for an authority, on its application's day
    DECIDED = "decided"  # a decision (reason: its reason code when a refusal)
    APPROVED = "approved"
    REFUSED = "refused"
    DECISION_TIME = "decision_time"  # bucket: see DECISION_TIME_EDGES
    OVERDUE = "overdue"
    APPEALED = "appealed"  # reason: the outcome, "open" until decided, on the appeal's day
    REVOKED = "revoked"
    PASSAGES = "passages"  # checkpoint figures: party 0, the checkpoint's id
    REFUSALS = "refusals"
    OVERRIDES = "overrides"
    CONTRADICTIONS = "contradictions"
    CLONES = "clones"
    # deconfliction, per party reached (party: that party)
    NOTIFIED = "notified"  # a version of a notification delivered to it, on the delivery day
    ACKNOWLEDGED = "acknowledged"  # reason: "received" or the concern's code, on the answer day
    ACK_TIME = "ack_time"  # bucket (see DECISION_TIME_EDGES) of delivery to answer
    UNACKNOWLEDGED = "unacknowledged"  # still unanswered at its deadline, on the deadline day


OPEN_APPEAL = "open"
RECEIVED_PLAIN = "received"  # an acknowledgement without a concern, among its reasons

# Upper edges, in minutes, of the buckets a time to decision is counted in: every minute up
# to 6, then steps of at most a quarter of the edge; 30 days and more share the last bucket.
# A percentile is read as the upper edge of its bucket ("half were decided within 2 hours"):
# never less than the true value, and at most a quarter more.
DECISION_TIME_EDGES: tuple[int, ...] = (
    1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 45, 50, 60, 75, 90, 105, 120, 150, 180,
    210, 240, 270, 300, 360, 420, 480, 540, 600, 720, 840, 960, 1080, 1200, 1320, 1440, 1800,
    2160, 2520, 2880, 3600, 4320, 5040, 5760, 7200, 8640, 10080, 12960, 15840, 20160, 25920,
    30240, 36000, 43200,
)  # fmt: skip
LAST_BUCKET = len(DECISION_TIME_EDGES)  # beyond the last edge


def decision_bucket(seconds: float) -> int:
    """The bucket of a time to decision: the first whose upper edge it does not pass."""
    return bisect_left(DECISION_TIME_EDGES, max(0.0, seconds) / 60)


def bucket_seconds(bucket: int) -> float | None:
    """The upper edge of ``bucket`` in seconds; None beyond the last edge (unbounded)."""
    if bucket >= LAST_BUCKET:
        return None
    return DECISION_TIME_EDGES[bucket] * 60.0


def percentile_bucket(counts: Mapping[int, int], percent: int) -> int | None:
    """The bucket holding the nearest-rank ``percent`` percentile of the counted times."""
    total = sum(counts.values())
    if total <= 0:
        return None
    rank = max(1, (total * percent + 99) // 100)
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return bucket
    return None  # unreachable: the ranks end at the total
