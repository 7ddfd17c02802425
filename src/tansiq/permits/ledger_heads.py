"""Tree heads of the ledger, signed with the hub's governance key by a recurring job.

The governance key lives here, in ``permits``, beside the trust lists it also signs; the
ledger itself knows no keys (it sits below every feature, which all record into it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.jobs.service import JobHandler, enqueue
from tansiq.ledger.models import LedgerHeadRecord
from tansiq.ledger.repository import LedgerRepository
from tansiq.ledger.service import sequence_entries, sign_tree_head
from tansiq.permits.service import governance_signer

JOB_SIGN_HEAD = "ledger.sign_head"


def sign_ledger_head(session: Session, secret: str | None, clock: Clock) -> LedgerHeadRecord:
    """Number what waits and sign the head of the whole ledger now."""
    return sign_tree_head(session, governance_signer(session, secret, clock), clock)


def schedule_heads(session: Session, every: timedelta, clock: Clock) -> None:
    """Make sure the next recurring head job exists (one per time slot, whoever asks)."""
    enqueue(
        session,
        kind=JOB_SIGN_HEAD,
        payload={},
        run_at=_next_slot(clock.now(), every),
        dedupe_key=f"{JOB_SIGN_HEAD}:{_next_slot(clock.now(), every).isoformat()}",
        clock=clock,
    )


def job_handlers(secret: str | None, every: timedelta) -> dict[str, JobHandler]:
    def sign_head(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        # Only when something new was recorded: a quiet hub does not pile up equal heads.
        sequence_entries(session)
        latest = LedgerRepository(session).latest_head()
        if latest is None or LedgerRepository(session).sequenced_count() > latest.size:
            sign_ledger_head(session, secret, clock)
        schedule_heads(session, every, clock)

    return {JOB_SIGN_HEAD: sign_head}


def _next_slot(now: datetime, every: timedelta) -> datetime:
    """The next multiple of ``every`` since the epoch after ``now``."""
    epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
    slots = (now - epoch) // every + 1
    return epoch + slots * every
