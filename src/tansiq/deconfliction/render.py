"""API shapes of notifications, as the routes and the CLI show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.schemas import Name
from tansiq.deconfliction import queries, service
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    NotificationRecord,
    NotificationVersionRecord,
)
from tansiq.deconfliction.planning import Plan, reference
from tansiq.deconfliction.schemas import (
    AcknowledgementOut,
    ConflictOut,
    NotificationOut,
    NotificationSummaryOut,
    PreviewOut,
    PreviewPartyOut,
    ReasonOut,
    ShiftOut,
)
from tansiq.parties.directory import parties_by_ids
from tansiq.parties.domain import Principal


def notification_out(
    session: Session, me: Principal, notification_id: int, clock: Clock, via: str = "api"
) -> NotificationOut:
    """As ``me`` may see it; reading a site's location through ``via`` is recorded."""
    detail = queries.detail(session, me, notification_id, clock, via=via)
    n, v = detail.notification, detail.version
    notifier = detail.parties[n.notifier_party_id]
    return NotificationOut(
        id=n.id,
        reference=reference(n.kind, n.id),
        kind=n.kind,
        notifier=notifier.code,
        notifier_name=Name.pair(notifier.name_ar, notifier.name_en),
        status=n.status,
        version=n.current_version,
        emergency=n.emergency,
        geometry=v.geometry,
        width_m=v.width_m,
        start=v.window_start,
        end=v.window_end,
        occurrences=[[start, end] for start, end in detail.occurrences],
        content=v.content,
        active_until=n.active_until,
        confirmed_at=n.confirmed_at,
        created_at=n.created_at,
        updated_at=n.updated_at,
        ended_at=n.ended_at,
        end_note=n.end_note,
        conflicts=[
            ConflictOut(
                other=other.id,
                other_reference=reference(other.kind, other.id),
                other_kind=other.kind,
                place=found.place,
                overlaps=[
                    [datetime.fromisoformat(a), datetime.fromisoformat(b)]
                    for a, b in found.overlaps
                ],
            )
            for found, other in detail.conflicts
        ],
        shift=_shift(v) if detail.sees_every_party else None,
        acknowledgements=[acknowledgement_out(a, detail, clock) for a in detail.acknowledgements],
    )


def acknowledgement_out(
    ack: AcknowledgementRecord, detail: queries.Detail, clock: Clock
) -> AcknowledgementOut:
    party = detail.parties[ack.party_id]
    return AcknowledgementOut(
        party=party.code,
        party_name=Name.pair(party.name_ar, party.name_en),
        version=detail.version.number,
        reasons=[ReasonOut(**_reason(why)) for why in detail.reasons.get(ack.party_id, [])],
        state=ack.state,
        deadline=ack.deadline,
        overdue=service.is_overdue(ack, clock.now()),
        delivered_at=ack.delivered_at,
        first_read_at=ack.first_read_at,
        answered_at=ack.answered_at,
        answered_by=None if ack.answered_by is None else detail.users.get(ack.answered_by),
        concern=ack.concern,
        note=ack.note,
        reminded_at=ack.reminded_at,
        escalated_at=ack.escalated_at,
    )


def summaries_out(
    session: Session, found: list[NotificationRecord]
) -> list[NotificationSummaryOut]:
    versions = queries.current_versions(session, found)
    codes = {
        p.id: p.code for p in parties_by_ids(session, {n.notifier_party_id for n in found}).values()
    }
    return [
        NotificationSummaryOut(
            id=n.id,
            reference=reference(n.kind, n.id),
            kind=n.kind,
            notifier=codes.get(n.notifier_party_id, ""),
            status=n.status,
            version=n.current_version,
            emergency=n.emergency,
            start=versions[n.id].window_start if n.id in versions else None,
            end=versions[n.id].window_end if n.id in versions else None,
            active_until=n.active_until,
            updated_at=n.updated_at,
        )
        for n in found
    ]


def preview_out(session: Session, plan: Plan) -> PreviewOut:
    public = {
        party_id: [why for why in reasons if why["reason"] != "conflict"]
        for party_id, reasons in plan.reasons.items()
    }
    parties = parties_by_ids(session, {pid for pid, why in public.items() if why})
    return PreviewOut(
        parties=[
            PreviewPartyOut(
                party=parties[pid].code,
                party_name=Name.pair(parties[pid].name_ar, parties[pid].name_en),
                reasons=[ReasonOut(**_reason(why)) for why in reasons],
            )
            for pid, reasons in sorted(public.items())
            if pid in parties
        ],
        conflicts=plan.clashes,
        shift=None
        if not plan.clashes
        else ShiftOut(
            exists=plan.shift is not None,
            minutes=None if plan.shift is None else plan.shift.total_seconds() / 60,
        ),
    )


def _reason(why: dict[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {"reason": why["reason"]}
    if "name_en" in why:
        shown["name"] = Name.pair(str(why.get("name_ar", "")), str(why.get("name_en", "")))
    for key in ("zone_id", "checkpoint", "notification", "reference"):
        if key in why:
            shown[key] = why[key]
    return shown


def _shift(version: NotificationVersionRecord) -> ShiftOut | None:
    if version.shift_s is None and not version.shift_exists:
        return None
    return ShiftOut(
        exists=version.shift_exists,
        minutes=None if version.shift_s is None else version.shift_s / 60,
    )
