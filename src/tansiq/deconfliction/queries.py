"""What a principal may read about notifications, for the API, the CLI and the pages.

Reads never write in their own transaction: the first read of a version by a reached party,
and every read of a site's location by another party, are noted right after (bookkeeping
units of their own), so a read takes no write lock while it works.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.db.unit_of_work import record_after
from tansiq.deconfliction import access
from tansiq.deconfliction.domain import (
    AcknowledgementState,
    NotificationKind,
    NotificationStatus,
)
from tansiq.deconfliction.ledger_facts import read_facts
from tansiq.deconfliction.models import (
    AcknowledgementRecord,
    ConflictRecord,
    NotificationRecord,
    NotificationVersionRecord,
    SiteReadRecord,
)
from tansiq.deconfliction.notices import record
from tansiq.deconfliction.repository import DeconflictionRepository
from tansiq.deconfliction.service import NotificationNotFound, visible_notification
from tansiq.parties.access import is_hub_admin, require
from tansiq.parties.directory import parties_by_ids, usernames
from tansiq.parties.domain import Principal
from tansiq.parties.models import PartyRecord


@dataclass(frozen=True)
class Detail:
    """A notification as one principal may see it."""

    notification: NotificationRecord
    version: NotificationVersionRecord
    occurrences: list[tuple[datetime, datetime]]
    acknowledgements: list[AcknowledgementRecord]  # every party's, or only the reader's
    reasons: dict[int, list[dict[str, Any]]]  # party id → why it was included
    conflicts: list[tuple[ConflictRecord, NotificationRecord]]
    parties: dict[int, PartyRecord]
    users: dict[int, str]
    sees_every_party: bool


def detail(
    session: Session, principal: Principal, notification_id: int, clock: Clock, via: str
) -> Detail:
    repo = DeconflictionRepository(session)
    notification = visible_notification(session, principal, notification_id)
    version = repo.version(notification.id, notification.current_version)
    assert version is not None  # noqa: S101 - the current version exists
    everyone = access.sees_every_party(principal, notification.notifier_party_id)
    acks = [
        ack
        for ack in repo.acknowledgements(version.id)
        if everyone or ack.party_id == principal.party_id
    ]
    reasons = {
        affected.party_id: affected.reasons
        for affected in repo.affected(version.id)
        if everyone or affected.party_id == principal.party_id
    }
    # Where two notifications meet tells of both: shown to the hub and to their notifiers.
    conflicts = [
        (found, other)
        for found, other in _conflicts(repo, notification.id, version.id)
        if everyone or access.is_notifier(principal, other.notifier_party_id)
    ]
    occurrences = [(o.starts_at, o.ends_at) for o in repo.occurrences([version.id])[version.id]]
    party_ids = {notification.notifier_party_id, *(a.party_id for a in acks)}
    party_ids |= {other.notifier_party_id for _, other in conflicts}
    users = usernames(session, {a.answered_by for a in acks if a.answered_by is not None})
    _note_reads(session, principal, notification, version, acks, clock, via)
    return Detail(
        notification=notification,
        version=version,
        occurrences=occurrences,
        acknowledgements=acks,
        reasons=reasons,
        conflicts=conflicts,
        parties=parties_by_ids(session, party_ids),
        users=users,
        sees_every_party=everyone,
    )


def _conflicts(
    repo: DeconflictionRepository, notification_id: int, version_id: int
) -> list[tuple[ConflictRecord, NotificationRecord]]:
    """Every conflict of this version, once per other notification: those found when it was
    filed, and those that other active notifications' current versions found with it later
    (the same place and time, seen from this side). A pair both sides recorded (the other was
    updated and found this one again), or that an older version of the other found, is not
    listed twice."""
    found = []
    for conflict in repo.conflicts(version_id):
        other = repo.notification(conflict.other_notification_id)
        if other is not None and other.status is NotificationStatus.ACTIVE:
            found.append((conflict, other))
    listed = {other.id for _, other in found}
    for conflict in repo.conflicts_against(notification_id):
        other = repo.notification(conflict.notification_id)
        if other is None or other.id in listed or other.status is not NotificationStatus.ACTIVE:
            continue
        current = repo.version(other.id, other.current_version)
        if current is None or conflict.version_id != current.id:
            continue
        listed.add(other.id)
        found.append((conflict, other))
    return found


def _note_reads(
    session: Session,
    principal: Principal,
    notification: NotificationRecord,
    version: NotificationVersionRecord,
    acks: list[AcknowledgementRecord],
    clock: Clock,
    via: str,
) -> None:
    now = clock.now()
    own = [a.id for a in acks if a.party_id == principal.party_id and a.first_read_at is None]
    site_read = notification.kind is NotificationKind.SITE and not access.is_notifier(
        principal, notification.notifier_party_id
    )
    if not own and not site_read:
        return

    def note(later: Session) -> None:
        repo = DeconflictionRepository(later)
        for ack_id in own:
            # Locked: two openings at once record one first read.
            ack = repo.lock_acknowledgement(ack_id)
            if ack is not None and ack.first_read_at is None:
                ack.first_read_at, ack.first_read_by = now, principal.user_id
                record(later, "read", notification, read_facts(ack, version.number), now)
        if site_read:
            repo.add(
                SiteReadRecord(
                    notification_id=notification.id,
                    party_id=principal.party_id,
                    user_id=principal.user_id,
                    read_at=now,
                    via=via[:20],
                )
            )
        repo.flush()

    record_after(session, note)


def notifications(
    session: Session,
    principal: Principal,
    *,
    filed: bool | None,
    status: NotificationStatus | None,
    limit: int,
    offset: int,
) -> list[NotificationRecord]:
    """The notifications the principal may see, newest first (the hub's admins: every one)."""
    party = None if is_hub_admin(principal) else principal.party_id
    return list(
        DeconflictionRepository(session).visible(
            party, filed=filed, status=status, limit=limit, offset=offset
        )
    )


def on_the_map(
    session: Session, principal: Principal, clock: Clock, limit: int = 200
) -> list[tuple[NotificationRecord, NotificationVersionRecord]]:
    """The active notifications the principal may see, with their current versions, for a
    map; showing a site there is a read of its location, and recorded as one."""
    found = notifications(
        session, principal, filed=None, status=NotificationStatus.ACTIVE, limit=limit, offset=0
    )
    versions = current_versions(session, found)
    sites = [
        n
        for n in found
        if n.kind is NotificationKind.SITE
        and not access.is_notifier(principal, n.notifier_party_id)
    ]
    if sites:
        now = clock.now()

        def note(later: Session) -> None:
            repo = DeconflictionRepository(later)
            for site in sites:
                repo.add(
                    SiteReadRecord(
                        notification_id=site.id,
                        party_id=principal.party_id,
                        user_id=principal.user_id,
                        read_at=now,
                        via="map",
                    )
                )
            repo.flush()

        record_after(session, note)
    return [(n, versions[n.id]) for n in found if n.id in versions]


def current_versions(
    session: Session, found: list[NotificationRecord]
) -> dict[int, NotificationVersionRecord]:
    repo = DeconflictionRepository(session)
    versions: dict[int, NotificationVersionRecord] = {}
    for notification in found:
        version = repo.version(notification.id, notification.current_version)
        if version is not None:
            versions[notification.id] = version
    return versions


def incoming(
    session: Session, principal: Principal, limit: int
) -> list[tuple[AcknowledgementRecord, NotificationRecord]]:
    """What the principal's party must acknowledge: unanswered first, emergencies first among
    them, then by deadline."""
    return list(DeconflictionRepository(session).incoming(principal.party_id, limit))


def site_reads(
    session: Session, principal: Principal, notification_id: int
) -> list[tuple[SiteReadRecord, str, str]]:
    """Who read a site's location, and when: for its notifier and the hub only."""
    notification = visible_notification(session, principal, notification_id)
    require(access.sees_every_party(principal, notification.notifier_party_id))
    if notification.kind is not NotificationKind.SITE:
        raise NotificationNotFound(notification=notification_id)
    reads = DeconflictionRepository(session).site_reads(notification.id)
    codes = {p.id: p.code for p in parties_by_ids(session, {r.party_id for r in reads}).values()}
    names = usernames(session, {r.user_id for r in reads})
    return [(r, codes.get(r.party_id, ""), names.get(r.user_id, "")) for r in reads]


@dataclass(frozen=True)
class Summary:
    active_movements: int
    active_sites: int
    withdrawn: int
    lapsed: int
    acknowledgements_pending: int
    acknowledgements_answered: int
    escalations: int
    median_minutes_to_acknowledge: float | None


def summary(session: Session) -> Summary:
    """Counts and timings, without a name or a place: what everyone may see."""
    repo = DeconflictionRepository(session)
    counts = repo.counts()

    def count(kind: NotificationKind | None, status: NotificationStatus) -> int:
        return sum(n for (k, s), n in counts.items() if s is status and kind in (None, k))

    timings = repo.acknowledgement_timings()
    answered = [
        (answered_at - delivered_at).total_seconds() / 60
        for state, delivered_at, answered_at, _ in timings
        if state is not AcknowledgementState.PENDING and answered_at is not None
    ]
    return Summary(
        active_movements=count(NotificationKind.MOVEMENT, NotificationStatus.ACTIVE),
        active_sites=count(NotificationKind.SITE, NotificationStatus.ACTIVE),
        withdrawn=count(None, NotificationStatus.WITHDRAWN),
        lapsed=count(None, NotificationStatus.LAPSED),
        acknowledgements_pending=sum(
            1 for state, *_ in timings if state is AcknowledgementState.PENDING
        ),
        acknowledgements_answered=len(answered),
        escalations=sum(1 for *_, escalated in timings if escalated is not None),
        median_minutes_to_acknowledge=round(statistics.median(answered), 1) if answered else None,
    )
