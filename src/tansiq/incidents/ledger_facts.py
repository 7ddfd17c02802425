"""What the ledger records about incidents, advisories and watches, derived from their rows by
one function each: used when the change is recorded (``incidents.ledger``) and by ``tansiq
ledger verify`` to re-derive it from the live rows.

Everything is checked against rows: an incident as reported, every verdict on it (corroborated
or refuted, with the verification state it led to) and its closing; every co-signature of an
advisory; every change of an advisory (issue, each move of its window's end, its end, a CAP
import or withdrawal, each publication), against its history row (``advisory_changes``), and
the advisory's row as it stands against the latest of them (the end of its window, its
ending, whether it is public); a watch made and ended.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.incidents.domain import (
    AdvisoryChange,
    AdvisoryStatus,
    IncidentStatus,
    Verdict,
    verification_state,
)
from tansiq.incidents.ledger import (
    ENDINGS,
    PUBLICATIONS,
    WINDOWS,
    Change,
    change_facts,
    incident_facts,
)
from tansiq.incidents.models import (
    AdvisoryChangeRecord,
    AdvisoryRecord,
    CosignRecord,
    IncidentRecord,
    VerdictRecord,
    WatchRecord,
)
from tansiq.ledger.audit import ExpectedEntry, LedgerSource

REPORTED = "incidents.reported"
CORROBORATED, REFUTED = "incidents.corroborated", "incidents.refuted"
COSIGNED = "incidents.cosigned"
CLOSED = "incidents.closed"
WATCH_CREATED, WATCH_ENDED = "incidents.watch_created", "incidents.watch_ended"
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


def _closings(session: Session) -> Found:
    return {
        f"incident:{row.id}": [
            ExpectedEntry(
                CLOSED, row.closed_at or row.updated_at, {"incident": row.id, "at": row.closed_at}
            )
        ]
        for row in session.execute(
            select(IncidentRecord.id, IncidentRecord.closed_at, IncidentRecord.updated_at).where(
                IncidentRecord.status == IncidentStatus.CLOSED
            )
        )
    }


def _watches(session: Session) -> Found:
    found: dict[str, list[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            WatchRecord.id,
            WatchRecord.party_id,
            WatchRecord.created_at,
            WatchRecord.active,
            WatchRecord.ended_at,
            WatchRecord.ended_by,
        )
    ):
        made = {"watch": row.id, "party": row.party_id}
        found[f"watch:{row.id}"] = [ExpectedEntry(WATCH_CREATED, row.created_at, made)]
        if not row.active:
            ended = {"watch": row.id, "by": row.ended_by}
            found[f"watch:{row.id}"].append(
                ExpectedEntry(WATCH_ENDED, row.ended_at or row.created_at, ended)
            )
    return found


# --- advisories: each change against its history row, the row as it stands against the latest


_ADVISORY_COLUMNS = (
    AdvisoryRecord.id,
    AdvisoryRecord.issuer_party_id,
    AdvisoryRecord.issued_by,
    AdvisoryRecord.kind,
    AdvisoryRecord.checkpoint_id,
    AdvisoryRecord.incident_id,
    AdvisoryRecord.geometry,
    AdvisoryRecord.valid_from,
    AdvisoryRecord.valid_until,
    AdvisoryRecord.severity,
    AdvisoryRecord.description,
    AdvisoryRecord.status,
    AdvisoryRecord.cap_identifier,
    AdvisoryRecord.public,
    AdvisoryRecord.created_at,
    AdvisoryRecord.ended_at,
    AdvisoryRecord.ended_by,
    AdvisoryRecord.end_note,
)


def _advisories(session: Session) -> list[tuple[Any, list[Change]]]:
    """Every advisory's row with its changes, oldest first."""
    changes: dict[int, list[Change]] = {}
    for row in session.execute(
        select(
            AdvisoryChangeRecord.advisory_id,
            AdvisoryChangeRecord.change,
            AdvisoryChangeRecord.at,
            AdvisoryChangeRecord.by,
            AdvisoryChangeRecord.valid_until,
            AdvisoryChangeRecord.was_until,
            AdvisoryChangeRecord.note,
            AdvisoryChangeRecord.reason,
            AdvisoryChangeRecord.cap,
            AdvisoryChangeRecord.msg_type,
            AdvisoryChangeRecord.entry_digest,
        ).order_by(AdvisoryChangeRecord.advisory_id, AdvisoryChangeRecord.id)
    ):
        fields = row._asdict()
        changes.setdefault(fields.pop("advisory_id"), []).append(Change(**fields))
    rows = session.execute(select(*_ADVISORY_COLUMNS).order_by(AdvisoryRecord.id))
    return [(row, changes.get(row.id, [])) for row in rows]


def _expected(advisory: Any, change: Change) -> ExpectedEntry:
    digest = None if change.entry_digest is None else bytes(change.entry_digest)
    return ExpectedEntry(change.kind, change.at, change_facts(advisory, change), digest=digest)


def _changes(session: Session) -> Found:
    return {
        f"advisory:{advisory.id}": [_expected(advisory, change) for change in changes]
        for advisory, changes in _advisories(session)
        if changes
    }


def _window_now(advisory: Any, latest: Change | None) -> Change | None:
    """The latest issue or move of the window, ending where the advisory's row says."""
    return None if latest is None else replace(latest, valid_until=advisory.valid_until)


def _ending_now(advisory: Any, latest: Change | None) -> Change | None:
    """The advisory's ending as its row states it (the reason is kept by the change only)."""
    if advisory.status == AdvisoryStatus.ACTIVE:
        return None
    return Change(
        AdvisoryChange(advisory.status.value),
        advisory.ended_at or advisory.created_at,
        by=advisory.ended_by,
        note=advisory.end_note,
        reason=None if latest is None else latest.reason,
    )


def _publication_now(advisory: Any, latest: Change | None) -> Change | None:
    """Published or taken off, as the row's flag says, by whoever did it last."""
    if latest is None and not advisory.public:
        return None
    change = AdvisoryChange.PUBLISHED if advisory.public else AdvisoryChange.UNPUBLISHED
    at = advisory.created_at if latest is None else latest.at
    return Change(change, at, by=None if latest is None else latest.by)


def _standing(
    kinds: frozenset[AdvisoryChange], now: Callable[[Any, Change | None], Change | None]
) -> Callable[[Session], Found]:
    """The advisory's row as it stands, as the latest of its changes of ``kinds`` must be."""

    def expected(session: Session) -> Found:
        found: dict[str, list[ExpectedEntry]] = {}
        for advisory, changes in _advisories(session):
            of_kind = [change for change in changes if change.change in kinds]
            change = now(advisory, of_kind[-1] if of_kind else None)
            if change is not None:
                found[f"advisory:{advisory.id}"] = [_expected(advisory, change)]
        return found

    return expected


def _kinds(changes: frozenset[AdvisoryChange]) -> tuple[str, ...]:
    return tuple(sorted(f"incidents.{change.value}" for change in changes))


SOURCES = (
    LedgerSource("incidents reported", (REPORTED,), _reported),
    LedgerSource("incident verdicts", (CORROBORATED, REFUTED), _verdicts),
    LedgerSource("incident closings", (CLOSED,), _closings),
    LedgerSource("advisory co-signatures", (COSIGNED,), _cosigns),
    LedgerSource("advisory changes", _kinds(frozenset(AdvisoryChange)), _changes),
    # States: the advisory's row keeps where it stands now; an edit of it (its window's end,
    # its status or ending, its public flag) disagrees with the subject's latest entry.
    LedgerSource(
        "advisory windows", _kinds(WINDOWS), _standing(WINDOWS, _window_now), latest_only=True
    ),
    LedgerSource(
        "advisory endings", _kinds(ENDINGS), _standing(ENDINGS, _ending_now), latest_only=True
    ),
    LedgerSource(
        "advisory publication",
        _kinds(PUBLICATIONS),
        _standing(PUBLICATIONS, _publication_now),
        latest_only=True,
    ),
    LedgerSource("watches", (WATCH_CREATED, WATCH_ENDED), _watches),
)
