"""Tally an event: the one function each feature calls, in the transaction of the event it
counts, so the accountability figures of a whole year are read from a few thousand rows
instead of counted from millions. Services flush; the edge commits."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from sqlalchemy.orm import Session

from tansiq.core.clock import ensure_utc
from tansiq.tallies.domain import OPEN_APPEAL, RECEIVED_PLAIN, Tally, decision_bucket
from tansiq.tallies.repository import Key, TallyRepository


def day_of(moment: datetime) -> date:
    return ensure_utc(moment).date()


def key(
    figure: Tally,
    at: datetime,
    *,
    party: int = 0,
    checkpoint: int = 0,
    reason: str | None = None,
    bucket: int = 0,
) -> Key:
    return (day_of(at), figure.value, party, checkpoint, reason or "", bucket)


def tally(session: Session, counts: Counter[Key]) -> None:
    """Add ``counts`` (by :func:`key`) to the tallies; a negative count moves a case out of a
    row (an appeal leaving "open" for its outcome)."""
    TallyRepository(session).add(counts.items())


def tally_one(
    session: Session,
    figure: Tally,
    at: datetime,
    *,
    party: int = 0,
    checkpoint: int = 0,
    reason: str | None = None,
    bucket: int = 0,
) -> None:
    counts: Counter[Key] = Counter()
    counts[key(figure, at, party=party, checkpoint=checkpoint, reason=reason, bucket=bucket)] += 1
    tally(session, counts)


def tally_decision(
    session: Session,
    authority: int,
    at: datetime,
    *,
    opened_at: datetime,
    approved: bool,
    reason: str | None,
) -> None:
    """A decision: decided, approved or refused (by reason), and the time since its review's
    round opened."""
    counts: Counter[Key] = Counter()
    counts[key(Tally.DECIDED, at, party=authority)] += 1
    if approved:
        counts[key(Tally.APPROVED, at, party=authority)] += 1
    else:
        counts[key(Tally.REFUSED, at, party=authority, reason=reason)] += 1
    waited = (ensure_utc(at) - ensure_utc(opened_at)).total_seconds()
    counts[key(Tally.DECISION_TIME, at, party=authority, bucket=decision_bucket(waited))] += 1
    tally(session, counts)


def tally_appeal_closed(
    session: Session, authority: int, opened_at: datetime, outcome: str
) -> None:
    """An appeal, counted on the day it was made, moves from "open" to its outcome."""
    counts: Counter[Key] = Counter()
    counts[key(Tally.APPEALED, opened_at, party=authority, reason=OPEN_APPEAL)] -= 1
    counts[key(Tally.APPEALED, opened_at, party=authority, reason=outcome)] += 1
    tally(session, counts)


def tally_acknowledgement(
    session: Session,
    party: int,
    at: datetime,
    *,
    delivered_at: datetime,
    concern: str | None,
) -> None:
    """A party answered a notification it was reached by: acknowledged (by its concern, or
    "received" without one), and the time from delivery to the answer."""
    counts: Counter[Key] = Counter()
    counts[key(Tally.ACKNOWLEDGED, at, party=party, reason=concern or RECEIVED_PLAIN)] += 1
    waited = (ensure_utc(at) - ensure_utc(delivered_at)).total_seconds()
    counts[key(Tally.ACK_TIME, at, party=party, bucket=decision_bucket(waited))] += 1
    tally(session, counts)
