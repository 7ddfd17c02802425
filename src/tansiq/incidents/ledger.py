"""Recording every state change of an incident, an advisory or a watch on the ledger, in the
transaction of the change.

An advisory's changes are also kept as rows of their own (:class:`AdvisoryChangeRecord`, its
history), written with their entry by :func:`record_change`; :func:`change_facts` derives the
entry from that row and the advisory's, here and when ``tansiq ledger verify`` checks it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.incidents.domain import AdvisoryChange
from tansiq.incidents.models import AdvisoryChangeRecord, AdvisoryRecord, IncidentRecord
from tansiq.incidents.repository import IncidentsRepository
from tansiq.ledger.service import record_entry

ENDINGS = frozenset({AdvisoryChange.WITHDRAWN, AdvisoryChange.EXPIRED})
WINDOWS = frozenset({AdvisoryChange.ISSUED, AdvisoryChange.CHANGED})
PUBLICATIONS = frozenset({AdvisoryChange.PUBLISHED, AdvisoryChange.UNPUBLISHED})


def record(
    session: Session, kind: str, what: str, record_id: int, content: dict[str, Any], at: datetime
) -> None:
    """``incidents.<kind>`` about ``<what>:<id>`` (what: incident, advisory or watch)."""
    record_entry(
        session,
        kind=f"incidents.{kind}",
        subject=f"{what}:{record_id}",
        content={what: record_id, **content},
        at=at,
    )


def incident_facts(incident: IncidentRecord) -> dict[str, object]:
    return {
        "party": incident.reporter_party_id,
        "by": incident.reported_by,
        "event_type": incident.event_type.value,
        "sub_type": incident.sub_type.value,
        "occurred_at": incident.occurred_at,
        "time_precision": incident.time_precision.value,
        "relevant_until": incident.relevant_until,
        "location": incident.geometry,
        "location_precision": incident.location_precision.value,
        "description": incident.description,
        "confidence": incident.confidence.value,
        "severity": incident.severity.value,
    }


def advisory_facts(advisory: Any, valid_until: datetime | None = None) -> dict[str, object]:
    """The advisory as issued: its row, with the end of its window as it was then."""
    return {
        "party": advisory.issuer_party_id,
        "by": advisory.issued_by,
        "kind": advisory.kind.value,
        "checkpoint": advisory.checkpoint_id,
        "incident": advisory.incident_id,
        "geometry": advisory.geometry,
        "valid_from": advisory.valid_from,
        "valid_until": advisory.valid_until if valid_until is None else valid_until,
        "severity": advisory.severity.value,
        "description": advisory.description,
    }


@dataclass(frozen=True)
class Change:
    """One change of an advisory, as its history row keeps it (or as the advisory's row says
    it must have been)."""

    change: AdvisoryChange
    at: datetime
    by: int | None = None
    valid_until: datetime | None = None
    was_until: datetime | None = None
    note: str = ""
    reason: str | None = None
    cap: str | None = None
    msg_type: str | None = None
    entry_digest: bytes | None = None

    @property
    def kind(self) -> str:
        return f"incidents.{self.change.value}"


def change_facts(advisory: Any, change: Any) -> dict[str, object]:
    """The ledger entry's content for ``change`` of ``advisory``: what the advisory's row keeps
    for good (the advisory as issued, its CAP identifier) is read from it, the rest from the
    change."""
    kind = AdvisoryChange(change.change)
    facts: dict[str, object]
    if kind is AdvisoryChange.ISSUED:
        facts = advisory_facts(advisory, change.valid_until)
    elif kind is AdvisoryChange.CHANGED:
        facts = {"by": change.by, "valid_until": change.valid_until, "was": change.was_until}
    elif kind in ENDINGS:
        reason = {} if change.reason is None else {"reason": change.reason}
        facts = {"by": change.by, "note": change.note, **reason}
    elif kind is AdvisoryChange.CAP_IMPORTED:
        facts = {"cap": advisory.cap_identifier, "msg_type": change.msg_type}
    elif kind is AdvisoryChange.CAP_WITHDRAWN:
        facts = {"cap": change.cap, "by": change.by}
    else:
        facts = {"by": change.by}
    return {"advisory": advisory.id, **facts}


def record_change(
    session: Session, advisory: AdvisoryRecord, change: AdvisoryChange, at: datetime, **fields: Any
) -> None:
    """Keep ``change`` of ``advisory`` in its history and record it on the ledger, in the
    transaction of the change (``fields``: those of :class:`Change`)."""
    made = Change(change, at, **fields)
    IncidentsRepository(session).add(AdvisoryChangeRecord(advisory_id=advisory.id, **asdict(made)))
    record_entry(
        session,
        kind=made.kind,
        subject=f"advisory:{advisory.id}",
        content=change_facts(advisory, made),
        at=at,
    )
