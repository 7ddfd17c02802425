"""Recording every state change of an incident, an advisory or a watch on the ledger, in the
transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.incidents.models import AdvisoryRecord, IncidentRecord
from tansiq.ledger.service import record_entry


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


def advisory_facts(advisory: AdvisoryRecord) -> dict[str, object]:
    return {
        "party": advisory.issuer_party_id,
        "by": advisory.issued_by,
        "kind": advisory.kind.value,
        "checkpoint": advisory.checkpoint_id,
        "incident": advisory.incident_id,
        "geometry": advisory.geometry,
        "valid_from": advisory.valid_from,
        "valid_until": advisory.valid_until,
        "severity": advisory.severity.value,
        "description": advisory.description,
    }
