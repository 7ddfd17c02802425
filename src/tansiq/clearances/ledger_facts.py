"""What the ledger records about applications' versions and reviews' decisions, derived from
their rows by one function each: used when the change is recorded, by ``tansiq ledger
verify`` to re-derive it from the live row, and by the back-fill. The sources select only the
columns they read.

An application's status changes (``application.<status>``) are re-derived from its
transitions, each of which keeps the version the application stood at when it moved
(migration 0021 filled that in for older rows from the entries' digests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.clearances.domain import ApplicationStatus
from tansiq.clearances.models import (
    ApplicationVersionRecord,
    DecisionRecord,
    ReviewRecord,
    TransitionRecord,
)
from tansiq.ledger.audit import ExpectedEntry, LedgerSource

VERSION = "application.version"
DECISION_KINDS = ("review.approved", "review.rejected")
TRANSITION_KINDS = tuple(f"application.{status.value}" for status in ApplicationStatus)
TRANSITIONS = "application transitions"


def transition_kind(target: ApplicationStatus) -> str:
    return f"application.{target.value}"


def transition_content(transition: Any) -> dict[str, Any]:
    """A change of an application's status, as its transition row keeps it."""
    return {
        "from": transition.from_status,
        "to": transition.to_status,
        "version": transition.application_version,
        "actor": transition.actor_user_id,
        "reason": transition.reason,
        "params": transition.reason_params,
    }


def version_content(version: Any) -> dict[str, Any]:
    """One version of an application as submitted (need-to-know: digest only; the driver's
    ID number only as its salted hash)."""
    return {
        "version": version.number,
        "content": version.content,
        "route": version.route_geojson,
        "corridor_m": version.corridor_m,
        "driver_id_hash": version.driver_id_hash,
        "changed": version.changed,
        "by": version.created_by,
    }


def decision_content(review: Any, decision: Any) -> dict[str, Any]:
    """A review's decision: ``review`` gives where it belongs, ``decision`` what was decided
    on which version of the application."""
    return {
        "application": review.application_id,
        "version": decision.application_version,
        "authority": review.authority_id,
        "round": decision.round,
        "decision": decision.decision,
        "reason_code": decision.reason_code,
        "note": decision.note,
        "conditions": decision.conditions,
        "by": decision.decided_by,
    }


def decision_kind(decision: str) -> str:
    return "review.rejected" if decision == "reject" else "review.approved"


def _versions(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    found: dict[str, list[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            ApplicationVersionRecord.application_id,
            ApplicationVersionRecord.number,
            ApplicationVersionRecord.content,
            ApplicationVersionRecord.route_geojson,
            ApplicationVersionRecord.corridor_m,
            ApplicationVersionRecord.driver_id_hash,
            ApplicationVersionRecord.changed,
            ApplicationVersionRecord.created_at,
            ApplicationVersionRecord.created_by,
        ).order_by(ApplicationVersionRecord.application_id, ApplicationVersionRecord.number)
    ):
        found.setdefault(f"application:{row.application_id}", []).append(
            ExpectedEntry(VERSION, row.created_at, version_content(row))
        )
    return found


def _decisions(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    """Every decision of every review, in order; the last one must also be what the review
    row now states, so editing either the review or its decision history shows."""
    reviews = {
        row.id: row
        for row in session.execute(
            select(
                ReviewRecord.id,
                ReviewRecord.application_id,
                ReviewRecord.authority_id,
                ReviewRecord.round,
                ReviewRecord.decision,
                ReviewRecord.reason_code,
                ReviewRecord.note,
                ReviewRecord.conditions,
                ReviewRecord.decided_by,
                ReviewRecord.decided_at,
            )
        )
    }
    found: dict[str, list[ExpectedEntry]] = {}
    history: dict[int, list[Any]] = {}
    for row in session.execute(
        select(
            DecisionRecord.review_id,
            DecisionRecord.round,
            DecisionRecord.application_version,
            DecisionRecord.decision,
            DecisionRecord.reason_code,
            DecisionRecord.note,
            DecisionRecord.conditions,
            DecisionRecord.decided_by,
            DecisionRecord.decided_at,
        ).order_by(DecisionRecord.review_id, DecisionRecord.id)
    ):
        history.setdefault(row.review_id, []).append(row)
    for review_id, decisions in history.items():
        review = reviews.get(review_id)
        if review is None:
            continue
        entries = [
            ExpectedEntry(decision_kind(d.decision), d.decided_at, decision_content(review, d))
            for d in decisions
        ]
        if review.decision is not None:
            # The review row holds the standing decision: it must be the last one recorded,
            # else neither can be trusted and the last entry cannot match.
            standing = decision_content(
                review, _Standing(review, decisions[-1].application_version)
            )
            if standing != entries[-1].content:
                entries[-1] = ExpectedEntry(
                    entries[-1].kind,
                    entries[-1].at,
                    {"review": standing, "history": entries[-1].content},
                )
        found[f"review:{review_id}"] = entries
    return found


class _Standing:
    """A review row read as the decision it states."""

    def __init__(self, review: Any, application_version: int) -> None:
        self.application_version = application_version
        self.round = review.round
        self.decision = review.decision
        self.reason_code = review.reason_code
        self.note = review.note
        self.conditions = review.conditions
        self.decided_by = review.decided_by


def _transitions(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    """Every change of status of every application, in order; its creation (no status
    before) is recorded as its first version instead."""
    found: dict[str, list[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            TransitionRecord.application_id,
            TransitionRecord.from_status,
            TransitionRecord.to_status,
            TransitionRecord.application_version,
            TransitionRecord.actor_user_id,
            TransitionRecord.at,
            TransitionRecord.reason,
            TransitionRecord.reason_params,
        )
        .where(TransitionRecord.from_status.is_not(None))
        .order_by(TransitionRecord.application_id, TransitionRecord.id)
    ):
        found.setdefault(f"application:{row.application_id}", []).append(
            ExpectedEntry(transition_kind(row.to_status), row.at, transition_content(row))
        )
    return found


SOURCES = (
    LedgerSource("application versions", (VERSION,), _versions),
    LedgerSource("review decisions", DECISION_KINDS, _decisions),
    LedgerSource(TRANSITIONS, TRANSITION_KINDS, _transitions),
)
