"""What the ledger records about notifications, derived from their rows by one function each:
used when the change is recorded and by ``tansiq ledger verify`` to re-derive it from the
live rows. The sources select only the columns they read.

Checked against rows: each version filed or updated (its geometry, width, window, occurrences,
content, the parties it reached and the notifications it conflicted with), each party's first
read of a version (whether by opening it or by answering it), each acknowledgement, reminder
and escalation, each re-confirmation of a site (kept as a row of its own: the site's row keeps
only its last confirmation), and a withdrawal or lapse.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.core.clock import ensure_utc
from tansiq.deconfliction.domain import AcknowledgementState, NotificationStatus
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    AffectedPartyRecord,
    ConflictRecord,
    EscalationRecord,
    NotificationRecord,
    NotificationVersionRecord,
    OccurrenceRecord,
    ReconfirmationRecord,
)
from tansiq.ledger.audit import ExpectedEntry, LedgerSource

FILED, UPDATED = "deconfliction.filed", "deconfliction.updated"
ACKNOWLEDGED = "deconfliction.acknowledged"
READ = "deconfliction.read"
RECONFIRMED = "deconfliction.reconfirmed"
FIRST_READS = "first reads"  # the source, back-filled by migration 0022
REMINDED, ESCALATED = "deconfliction.reminded", "deconfliction.escalated"
WITHDRAWN, LAPSED = "deconfliction.withdrawn", "deconfliction.lapsed"
Found = Mapping[str, Sequence[ExpectedEntry]]


def subject_of(notification_id: int) -> str:
    return f"notification:{notification_id}"


def _moment(at: datetime | None) -> str | None:
    return None if at is None else ensure_utc(at).isoformat()


def version_facts(
    version: Any,
    occurrences: Sequence[tuple[datetime, datetime]],
    parties: Sequence[int],
    conflicts: Sequence[int],
) -> dict[str, Any]:
    """One version as filed: what was notified, the occurrences it counts for (a movement's),
    the parties it reached (the notifier's own aside) and the notifications it conflicted
    with, in the order found."""
    return {
        "notification": version.notification_id,
        "version": version.number,
        "by": version.created_by,
        "geometry": version.geometry,
        "width_m": version.width_m,
        "window": [_moment(version.window_start), _moment(version.window_end)],
        "occurrences": [[_moment(start), _moment(end)] for start, end in occurrences],
        "content": version.content,
        "parties": sorted(parties),
        "conflicts": list(conflicts),
    }


def acknowledgement_facts(ack: Any, version_number: int) -> dict[str, Any]:
    return {
        "notification": ack.notification_id,
        "version": version_number,
        "party": ack.party_id,
        "by": ack.answered_by,
        "answer": ack.state,
        "concern": ack.concern,
        "note": ack.note,
    }


def read_facts(ack: Any, version_number: int) -> dict[str, Any]:
    """A party first read a version it was asked to acknowledge."""
    return {"notification": ack.notification_id, "version": version_number, "party": ack.party_id}


def reconfirmation_facts(notification_id: int, until: datetime) -> dict[str, Any]:
    """A site re-confirmed: until when it now counts."""
    return {"notification": notification_id, "until": until}


def reminder_facts(ack: Any) -> dict[str, Any]:
    return {"notification": ack.notification_id, "party": ack.party_id, "version": ack.version_id}


def escalation_facts(escalation: Any, version_id: int) -> dict[str, Any]:
    return {
        "notification": escalation.notification_id,
        "party": escalation.party_id,
        "version": version_id,
        "liaisons": escalation.liaison_user_ids,
        "flagged": escalation.flagged_party_ids,
    }


def ending_facts(notification: Any) -> dict[str, Any]:
    """A withdrawal (by whom, the note) or a lapse (when the site's confirmation ran out)."""
    if notification.status == NotificationStatus.WITHDRAWN:
        return {
            "notification": notification.id,
            "by": notification.ended_by,
            "note": notification.end_note,
        }
    return {"notification": notification.id, "at": _moment(notification.active_until)}


def _versions(session: Session) -> Found:
    occurrences: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for version_id, start, end in session.execute(
        select(
            OccurrenceRecord.version_id, OccurrenceRecord.starts_at, OccurrenceRecord.ends_at
        ).order_by(OccurrenceRecord.version_id, OccurrenceRecord.id)
    ):
        occurrences[version_id].append((start, end))
    reached: dict[int, list[int]] = defaultdict(list)
    for version_id, party_id in session.execute(
        select(AffectedPartyRecord.version_id, AffectedPartyRecord.party_id)
    ):
        reached[version_id].append(party_id)
    conflicts: dict[int, list[int]] = defaultdict(list)
    for version_id, other in session.execute(
        select(ConflictRecord.version_id, ConflictRecord.other_notification_id).order_by(
            ConflictRecord.version_id, ConflictRecord.id
        )
    ):
        conflicts[version_id].append(other)
    found: dict[str, list[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            NotificationVersionRecord.id,
            NotificationVersionRecord.notification_id,
            NotificationVersionRecord.number,
            NotificationVersionRecord.created_by,
            NotificationVersionRecord.created_at,
            NotificationVersionRecord.geometry,
            NotificationVersionRecord.width_m,
            NotificationVersionRecord.window_start,
            NotificationVersionRecord.window_end,
            NotificationVersionRecord.content,
        ).order_by(NotificationVersionRecord.notification_id, NotificationVersionRecord.number)
    ):
        facts = version_facts(row, occurrences[row.id], reached[row.id], conflicts[row.id])
        kind = FILED if row.number == 1 else UPDATED
        found.setdefault(subject_of(row.notification_id), []).append(
            ExpectedEntry(kind, row.created_at, facts)
        )
    return found


def _by_notification(rows: Iterable[Any], entry: Callable[[Any], ExpectedEntry]) -> Found:
    """Each row's entry, listed under its notification in the rows' order."""
    found: dict[str, list[ExpectedEntry]] = {}
    for row in rows:
        found.setdefault(subject_of(row.notification_id), []).append(entry(row))
    return found


def _acknowledgements(session: Session) -> Found:
    rows = session.execute(
        select(
            AcknowledgementRecord.notification_id,
            AcknowledgementRecord.party_id,
            AcknowledgementRecord.state,
            AcknowledgementRecord.concern,
            AcknowledgementRecord.note,
            AcknowledgementRecord.answered_by,
            AcknowledgementRecord.answered_at,
            NotificationVersionRecord.number,
        )
        .join(
            NotificationVersionRecord,
            NotificationVersionRecord.id == AcknowledgementRecord.version_id,
        )
        .where(AcknowledgementRecord.state != AcknowledgementState.PENDING)
        .order_by(AcknowledgementRecord.answered_at, AcknowledgementRecord.id)
    )
    return _by_notification(
        rows,
        lambda row: ExpectedEntry(
            ACKNOWLEDGED, row.answered_at, acknowledgement_facts(row, row.number)
        ),
    )


def _reads(session: Session) -> Found:
    rows = session.execute(
        select(
            AcknowledgementRecord.notification_id,
            AcknowledgementRecord.party_id,
            AcknowledgementRecord.first_read_at,
            NotificationVersionRecord.number,
        )
        .join(
            NotificationVersionRecord,
            NotificationVersionRecord.id == AcknowledgementRecord.version_id,
        )
        .where(AcknowledgementRecord.first_read_at.is_not(None))
        .order_by(AcknowledgementRecord.first_read_at, AcknowledgementRecord.id)
    )
    return _by_notification(
        rows, lambda row: ExpectedEntry(READ, row.first_read_at, read_facts(row, row.number))
    )


def _reconfirmations(session: Session) -> Found:
    rows = session.execute(
        select(
            ReconfirmationRecord.notification_id,
            ReconfirmationRecord.at,
            ReconfirmationRecord.until,
        ).order_by(ReconfirmationRecord.at, ReconfirmationRecord.id)
    )
    return _by_notification(
        rows,
        lambda row: ExpectedEntry(
            RECONFIRMED, row.at, reconfirmation_facts(row.notification_id, row.until)
        ),
    )


def _confirmation_now(session: Session) -> Found:
    """A site's row as it stands: while its last confirmation is its last re-confirmation
    (no update confirmed it since), it counts until that re-confirmation's end."""
    latest: dict[int, Any] = {}
    for row in session.execute(
        select(
            ReconfirmationRecord.notification_id,
            ReconfirmationRecord.at,
            ReconfirmationRecord.until,
        ).order_by(ReconfirmationRecord.id)
    ):
        latest[row.notification_id] = row
    found: dict[str, list[ExpectedEntry]] = {}
    for site, confirmed_at, active_until in session.execute(
        select(
            NotificationRecord.id, NotificationRecord.confirmed_at, NotificationRecord.active_until
        ).where(NotificationRecord.id.in_(latest))
    ):
        last = latest[site]
        standing = confirmed_at is not None and ensure_utc(confirmed_at) == ensure_utc(last.at)
        until = active_until if standing else last.until
        found[subject_of(site)] = [
            ExpectedEntry(RECONFIRMED, last.at, reconfirmation_facts(site, until))
        ]
    return found


def _reminders(session: Session) -> Found:
    rows = session.execute(
        select(
            AcknowledgementRecord.notification_id,
            AcknowledgementRecord.party_id,
            AcknowledgementRecord.version_id,
            AcknowledgementRecord.reminded_at,
        )
        .where(AcknowledgementRecord.reminded_at.is_not(None))
        .order_by(AcknowledgementRecord.reminded_at, AcknowledgementRecord.id)
    )
    return _by_notification(
        rows, lambda row: ExpectedEntry(REMINDED, row.reminded_at, reminder_facts(row))
    )


def _escalations(session: Session) -> Found:
    rows = session.execute(
        select(
            EscalationRecord.notification_id,
            EscalationRecord.party_id,
            EscalationRecord.escalated_at,
            EscalationRecord.liaison_user_ids,
            EscalationRecord.flagged_party_ids,
            AcknowledgementRecord.version_id,
        )
        .join(
            AcknowledgementRecord, AcknowledgementRecord.id == EscalationRecord.acknowledgement_id
        )
        .order_by(EscalationRecord.escalated_at, EscalationRecord.id)
    )
    return _by_notification(
        rows,
        lambda row: ExpectedEntry(
            ESCALATED, row.escalated_at, escalation_facts(row, row.version_id)
        ),
    )


def _endings(session: Session) -> Found:
    found: dict[str, list[ExpectedEntry]] = {}
    for row in session.execute(
        select(
            NotificationRecord.id,
            NotificationRecord.status,
            NotificationRecord.ended_at,
            NotificationRecord.ended_by,
            NotificationRecord.end_note,
            NotificationRecord.active_until,
        ).where(
            NotificationRecord.status.in_([NotificationStatus.WITHDRAWN, NotificationStatus.LAPSED])
        )
    ):
        kind = WITHDRAWN if row.status == NotificationStatus.WITHDRAWN else LAPSED
        found[subject_of(row.id)] = [ExpectedEntry(kind, row.ended_at, ending_facts(row))]
    return found


SOURCES = (
    LedgerSource("notification versions", (FILED, UPDATED), _versions),
    LedgerSource(FIRST_READS, (READ,), _reads),
    LedgerSource("acknowledgements", (ACKNOWLEDGED,), _acknowledgements),
    LedgerSource("reminders", (REMINDED,), _reminders),
    LedgerSource("site re-confirmations", (RECONFIRMED,), _reconfirmations),
    LedgerSource("sites' confirmations", (RECONFIRMED,), _confirmation_now, latest_only=True),
    LedgerSource("escalations", (ESCALATED,), _escalations),
    LedgerSource("withdrawals and lapses", (WITHDRAWN, LAPSED), _endings),
)
