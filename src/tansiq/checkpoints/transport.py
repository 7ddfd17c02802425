"""How a checkpoint device talks to the hub: one request at a time over an injectable
transport (HTTP by default, standard library only), retried while the hub is busy (503, 429)
or unreachable with bounded exponential backoff and jitter, honouring ``Retry-After``."""

from __future__ import annotations

import email.utils
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from tansiq.checkpoints.device_errors import BadHubAnswer, HubUnreachable
from tansiq.core.clock import SystemClock

# What a hub says when it is only busy for now: ask again later. Any other refusal is final.
RETRYABLE = frozenset({429, 503})


class Reply(NamedTuple):
    """One answer of the hub: its status, its JSON body (None if it had none or was not
    JSON), and the seconds its ``Retry-After`` asked for, if it gave one."""

    status: int
    body: Any
    retry_after: float | None = None


# (method, path, headers, JSON body or None) -> Reply; raises HubUnreachable when no answer came
Transport = Callable[[str, str, dict[str, str], Any], Reply]


def http_transport(base_url: str, timeout: float = 30.0) -> Transport:
    """A transport over HTTP(S) to ``base_url`` (standard library only)."""
    base = base_url.rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise HubUnreachable(problem="the hub URL must start with http:// or https://")

    def send(method: str, path: str, headers: dict[str, str], body: Any) -> Reply:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            base + path,
            data=data,
            method=method,
            headers={**headers, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked above
                raw = response.read()
                status = response.status
                retry_after = response.headers.get("Retry-After")
        except urllib.error.HTTPError as error:
            # A refusal may come from a proxy in front of the hub, in HTML: its status counts.
            raw, status, retry_after = error.read(), error.code, error.headers.get("Retry-After")
        except (OSError, ValueError) as error:
            raise HubUnreachable(problem=str(error)[:200]) from None
        try:
            answer = json.loads(raw or b"null")
        except ValueError:
            if status == 200:
                raise BadHubAnswer(problem="not JSON") from None
            answer = None
        return Reply(status, answer, parse_retry_after(retry_after))

    return send


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP date
    (RFC 9110, 10.2.3); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP date is GMT by definition
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or SystemClock().now())).total_seconds())


@dataclass(frozen=True)
class Backoff:
    """How a busy or unreachable hub is retried: at most ``attempts`` tries of one request,
    waiting between them a random time in the upper half of ``first_s`` doubled each time
    (capped at ``longest_s``), or longer if the hub's ``Retry-After`` says so. A hub asking
    for more than ``longest_s`` is not waited for: the sync stops and the queue waits."""

    attempts: int = 6
    first_s: float = 1.0
    longest_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def wait(self, retry: int, retry_after: float | None) -> float | None:
        """Seconds to wait before retry number ``retry`` (1, 2, …); None to give up."""
        if retry >= self.attempts:
            return None
        ceiling = min(self.longest_s, self.first_s * 2 ** (retry - 1))
        wait = ceiling / 2 + self.jitter() * ceiling / 2
        if retry_after is not None:
            wait = max(wait, retry_after)
        return None if wait > self.longest_s else wait


@dataclass(frozen=True)
class Retrying:
    """What a retry is about to do, for the person watching."""

    attempt: int  # the attempt about to be made, 2 or more
    attempts: int
    wait_s: float
    problem: str


@dataclass
class Progress:
    """Callbacks a front end gives to hear how a sync is going (each optional)."""

    sent: Callable[[int, int], None] = field(default=lambda sent, total: None)
    retrying: Callable[[Retrying], None] = field(default=lambda retrying: None)
