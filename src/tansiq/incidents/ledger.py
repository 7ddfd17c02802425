"""Recording every state change of an incident, an advisory or a watch on the ledger, in the
transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

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
