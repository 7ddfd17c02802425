"""Sign-in throttling rules: when a counter locks, for how long, and when it forgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tansiq.parties.throttle import RULES, Counter, ThrottleKind, after_failure, locked_for

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
USERNAME = RULES[ThrottleKind.USERNAME]


def fail(times: int, *, every: timedelta = timedelta(seconds=1)) -> Counter:
    counter: Counter | None = None
    moment = NOW
    for _ in range(times):
        counter = after_failure(counter, USERNAME, moment)
        moment += every
    assert counter is not None
    return counter


@pytest.mark.parametrize(
    ("failures", "lock"),
    [
        (1, None),
        (4, None),
        (5, timedelta(seconds=30)),
        (6, timedelta(seconds=60)),
        (7, timedelta(seconds=120)),
        (10, timedelta(minutes=15)),  # 16 minutes capped at the ceiling
        (10_000, timedelta(minutes=15)),
    ],
)
def test_locks_start_at_the_fifth_failure_and_double_to_the_ceiling(
    failures: int, lock: timedelta | None
) -> None:
    assert USERNAME.lock_for(failures) == lock


def test_a_locked_counter_refuses_until_its_time_then_lets_one_try() -> None:
    counter = fail(5)
    last = counter.last_failure_at

    assert locked_for(counter, last) == timedelta(seconds=30)
    assert locked_for(counter, last + timedelta(seconds=29)) == timedelta(seconds=1)
    assert locked_for(counter, last + timedelta(seconds=30)) is None
    assert locked_for(None, NOW) is None


def test_failures_far_apart_start_the_count_again() -> None:
    spread = fail(10, every=timedelta(hours=2))

    assert spread.failures == 1
    assert spread.locked_until is None


def test_the_address_counter_allows_more_than_one_account_does() -> None:
    address = RULES[ThrottleKind.ADDRESS]

    assert address.lock_for(19) is None
    assert address.lock_for(20) == timedelta(minutes=1)
