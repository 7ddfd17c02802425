"""Sign-in throttling against password guessing, as pure rules.

Two counters hold back a guesser: one per username (someone trying passwords on one account)
and one per client address (someone trying one password on many accounts). Each failure past
a counter's allowance locks that counter for a time that doubles with every further
failure, up to a ceiling; a success clears the username's counter. While a counter is locked,
sign-in is refused *before* the password is hashed, so guessing cannot be used to load the
hub either (argon2 is slow on purpose).

A lock on a username also stops its owner for a while: the locks are short at first for that
reason, and the owner can still use an API token they already hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final


class ThrottleKind(StrEnum):
    USERNAME = "username"
    ADDRESS = "address"


@dataclass(frozen=True)
class ThrottleRule:
    # The failure (counted from 1) that first locks the counter.
    locks_at: int
    first_lock: timedelta
    longest_lock: timedelta
    # Failures further apart than this start the count again.
    memory: timedelta

    def lock_for(self, failures: int) -> timedelta | None:
        """How long ``failures`` failures in a row lock the counter (None: not locked)."""
        excess = failures - self.locks_at
        if excess < 0:
            return None
        # Past 2**12 the ceiling applies anyway; the cap keeps the multiplication small.
        doubled: timedelta = self.first_lock * (1 << min(excess, 12))
        return min(doubled, self.longest_lock)


RULES: Final = {
    ThrottleKind.USERNAME: ThrottleRule(
        locks_at=5,
        first_lock=timedelta(seconds=30),
        longest_lock=timedelta(minutes=15),
        memory=timedelta(hours=1),
    ),
    ThrottleKind.ADDRESS: ThrottleRule(
        locks_at=20,
        first_lock=timedelta(minutes=1),
        longest_lock=timedelta(hours=1),
        memory=timedelta(hours=1),
    ),
}


@dataclass(frozen=True)
class Counter:
    """One counter's state as stored."""

    failures: int
    last_failure_at: datetime
    locked_until: datetime | None


def locked_for(counter: Counter | None, now: datetime) -> timedelta | None:
    """How much longer ``counter`` refuses sign-in (None: sign-in may be tried)."""
    if counter is None or counter.locked_until is None or counter.locked_until <= now:
        return None
    return counter.locked_until - now


def after_failure(counter: Counter | None, rule: ThrottleRule, now: datetime) -> Counter:
    """The counter once another sign-in has failed at ``now``."""
    fresh = counter is None or now - counter.last_failure_at > rule.memory
    failures = 1 if fresh or counter is None else counter.failures + 1
    lock = rule.lock_for(failures)
    return Counter(
        failures=failures,
        last_failure_at=now,
        locked_until=None if lock is None else now + lock,
    )
