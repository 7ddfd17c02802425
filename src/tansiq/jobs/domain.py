"""Jobs: their statuses and the retry schedule, as pure rules."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class JobStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    """How long to wait before the next try after ``attempts`` failed ones: ``base`` doubling
    each time (``base``, 2 ``base``, 4 ``base``, …), never more than ``cap``."""
    if attempts < 1:
        return timedelta(0)
    # Past 2**20 the doubling has long passed any sensible cap; stop before it overflows.
    wait: timedelta = base * (2 ** min(attempts - 1, 20))
    return min(wait, cap)
