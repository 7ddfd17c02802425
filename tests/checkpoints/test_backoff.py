"""How long the device waits before asking a busy hub again, and when it stops asking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tansiq.checkpoints.client import Backoff, parse_retry_after


@pytest.mark.parametrize(
    ("retry", "jitter", "retry_after", "wait"),
    [
        (1, 0.0, None, 0.5),  # the upper half of the first wait
        (1, 1.0, None, 1.0),
        (3, 0.5, None, 3.0),  # 4 s ceiling: 2 + 0.5 * 2
        (5, 1.0, None, 16.0),
        (2, 0.0, 7.0, 7.0),  # the hub asked for longer: honoured
        (2, 1.0, 0.0, 2.0),  # the hub asked for less: the backoff still spaces the tries
        (2, 0.0, 61.0, None),  # longer than the longest wait: stop, the queue waits
        (6, 0.0, None, None),  # out of attempts
    ],
)
def test_backoff_doubles_with_jitter_and_honours_retry_after(
    retry: int, jitter: float, retry_after: float | None, wait: float | None
) -> None:
    backoff = Backoff(attempts=6, first_s=1.0, longest_s=60.0, jitter=lambda: jitter)
    assert backoff.wait(retry, retry_after) == wait


def test_the_wait_never_passes_the_longest() -> None:
    backoff = Backoff(attempts=40, first_s=1.0, longest_s=60.0, jitter=lambda: 1.0)
    assert backoff.wait(30, None) == 60.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, None),
        ("0", 0.0),
        (" 120 ", 120.0),
        ("Wed, 02 Dec 2026 10:00:30 GMT", 30.0),
        ("Wed, 02 Dec 2026 09:59:00 GMT", 0.0),  # a date already past: no wait
        ("soon", None),
        ("-5", None),
    ],
)
def test_retry_after_is_seconds_or_an_http_date(header: str | None, seconds: float | None) -> None:
    now = datetime(2026, 12, 2, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after(header, now) == seconds
