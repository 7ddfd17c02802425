"""What the ledger records about incidents and advisories that their rows still hold, derived
by one function each: used when the change is recorded (``incidents.ledger``) and by ``tansiq
ledger verify`` to re-derive it from the live rows.

Checked against rows: an incident as reported, every verdict on it (corroborated or refuted,
with the verification state it led to), and every co-signature of an advisory. Proved by the
tree only: an advisory's issue, changes of its window and its end (the row keeps only the
current window), an incident's closing, and watches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.incidents.domain import Verdict, verification_state
from tansiq.incidents.ledger import incident_facts
from tansiq.incidents.models import CosignRecord, IncidentRecord, VerdictRecord
from tansiq.ledger.audit import ExpectedEntry, LedgerSource

REPORTED = "incidents.reported"
CORROBORATED, REFUTED = "incidents.corroborated", "incidents.refuted"
COSIGNED = "incidents.cosigned"
Found = Mapping[str, Sequence[ExpectedEntry]]


def verdict_kind(verdict: Verdict) -> str:
    return CORROBORATED if verdict is Verdict.CORROBORATE else REFUTED


def verdict_facts(verdict: Any, verification: str) -> dict[str, Any]:
    """A party's verdict on an incident, and the incident's verification state after it."""
    return {
        "incident": verdict.incident_id,
        "party": verdict.party_id,
        "by": verdict.user_id,
        "note": verdict.note,
        "verification": verification,
    }


def cosign_facts(cosign: Any) -> dict[str, Any]:
    return {"advisory": cosign.advisory_id, "party": cosign.party_id, "by": cosign.user_id}


def _reported(session: Session) -> Found:
    return {
        f"incident:{row.id}": [
            ExpectedEntry(REPORTED, row.created_at, {"incident": row.id, **incident_facts(row)})
        ]
        for row in session.scalars(select(IncidentRecord).order_by(IncidentRecord.id))
    }


def _verdicts(session: Session) -> Found:
    found: dict[str, list[ExpectedEntry]] = {}
    seen: dict[int, Counter[Verdict]] = {}
    for row in session.execute(
        select(
            VerdictRecord.incident_id,
            VerdictRecord.party_id,
            VerdictRecord.user_id,
            VerdictRecord.verdict,
            VerdictRecord.note,
            VerdictRecord.at,
        ).order_by(VerdictRecord.incident_id, VerdictRecord.id)
    ):
        counts = seen.setdefault(row.incident_id, Counter())
        counts[row.verdict] += 1
        state = verification_state(counts[Verdict.CORROBORATE], counts[Verdict.REFUTE])
        found.setdefault(f"incident:{row.incident_id}", []).append(
            ExpectedEntry(verdict_kind(row.verdict), row.at, verdict_facts(row, state.value))
        )
    return found


def _cosigns(session: Session) -> Found:
    found: dict[str, list[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            CosignRecord.advisory_id, CosignRecord.party_id, CosignRecord.user_id, CosignRecord.at
        ).order_by(CosignRecord.advisory_id, CosignRecord.id)
    ):
        found.setdefault(f"advisory:{row.advisory_id}", []).append(
            ExpectedEntry(COSIGNED, row.at, cosign_facts(row))
        )
    return found


SOURCES = (
    LedgerSource("incidents reported", (REPORTED,), _reported),
    LedgerSource("incident verdicts", (CORROBORATED, REFUTED), _verdicts),
    LedgerSource("advisory co-signatures", (COSIGNED,), _cosigns),
)
