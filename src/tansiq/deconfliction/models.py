"""Notifications of movements and sites, their versions and occurrences, the parties each
version reached (and why), their acknowledgements against a clock, escalations, conflicts found
on filing, and every read of a site's location by another party.

Nothing here is ever deleted: an update is a new version, a withdrawal or a lapse is a status
with its time and user, and the old versions' acknowledgements stay as they were answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base
from tansiq.db.types import StrEnumType
from tansiq.deconfliction.domain import (
    AcknowledgementState,
    ConcernCode,
    NotificationKind,
    NotificationStatus,
)


class NotificationRecord(Base):
    """A movement or a site, as its notifier's party filed it; the content is in its versions.

    ``active_from``/``active_until`` span the current version (every occurrence of a movement;
    a site from its last confirmation until it lapses), so the active ones are one range query.
    """

    __tablename__ = "deconfliction_notifications"
    # The conflict check reads the active sites (or movements) over a span: one range.
    __table_args__ = (
        Index("ix_deconfliction_notifications_active", "kind", "status", "active_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notifier_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = mapped_column(StrEnumType(NotificationKind, 10))
    status: Mapped[NotificationStatus] = mapped_column(
        StrEnumType(NotificationStatus, 10), index=True
    )
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    active_from: Mapped[datetime]
    active_until: Mapped[datetime] = mapped_column(index=True)
    # A site's re-confirmation: active from ``confirmed_at`` for ``reconfirm_days``.
    confirmed_at: Mapped[datetime | None]
    reconfirm_days: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Withdrawn or lapsed: when, by whom (None for a lapse), and the notifier's note.
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_note: Mapped[str] = mapped_column(Text, default="")


class NotificationVersionRecord(Base):
    """What was notified, as one version: the geometry (GeoJSON, longitude/latitude), the
    width (a movement's corridor, a point site's radius; 0 for a polygon site), the window and
    the rest of the content; and the shift the hub proposed against the conflicts it found."""

    __tablename__ = "deconfliction_versions"
    __table_args__ = (UniqueConstraint("notification_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The same geometry as WKB (longitude/latitude), which the conflict check reads in bulk.
    shape_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    # Its box in degrees, grown by its reach (half the corridor, or the radius): a conflict
    # check first keeps only the versions whose box meets the new one's.
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    # The shape in the deployment's metric CRS (``shape_epsg``), as WKB: what the conflict
    # check reads, so it projects nothing. None for versions filed before migration 0024
    # (projected when read, as is a shape stored in another CRS than the check's).
    shape_m_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)
    shape_epsg: Mapped[int | None] = mapped_column(Integer)
    width_m: Mapped[float] = mapped_column(Float)
    window_start: Mapped[datetime | None]
    window_end: Mapped[datetime | None]
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Seconds to shift every occurrence by to clear every conflict; None when there was no
    # conflict or no shift within the horizon clears them (``shift_exists`` tells which).
    shift_s: Mapped[float | None] = mapped_column(Float)
    shift_exists: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


# Every occurrence of the current version of an active movement (no other: a superseded or
# withdrawn version's are deleted in the same transaction), with its version's grown box and
# its time, exact in microseconds: the conflict check's prefilter. Outside the mapped metadata
# (migration 0024): on SQLite an R*Tree, on PostgreSQL a table with a GiST index over a 3-D
# cube (longitude, latitude, time).
OCCURRENCE_BOXES = "deconfliction_occurrence_boxes"


class OccurrenceRecord(Base):
    """One occurrence of a movement's version; each counts for conflicts."""

    __tablename__ = "deconfliction_occurrences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("deconfliction_versions.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]


class AffectedPartyRecord(Base):
    """A party one version reached, and every reason it was included (zone owner, checkpoint
    operator, notifier of a conflicting notification), as ``[{"reason": ..., ...}]``."""

    __tablename__ = "deconfliction_affected_parties"
    __table_args__ = (UniqueConstraint("version_id", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("deconfliction_versions.id"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class AcknowledgementRecord(Base):
    """One party's receipt of one version, against its deadline. A receipt, never a
    permission: the movement does not wait for it."""

    __tablename__ = "deconfliction_acknowledgements"
    __table_args__ = (UniqueConstraint("version_id", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("deconfliction_versions.id"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    state: Mapped[AcknowledgementState] = mapped_column(StrEnumType(AcknowledgementState, 30))
    deadline: Mapped[datetime] = mapped_column(index=True)
    reminder_at: Mapped[datetime]
    # The inbox event that delivered it (webhooks and e-mail hang off that event).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("notify_events.id"))
    delivered_at: Mapped[datetime]
    first_read_at: Mapped[datetime | None]
    first_read_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    concern: Mapped[ConcernCode | None] = mapped_column(StrEnumType(ConcernCode, 30))
    note: Mapped[str] = mapped_column(Text, default="")
    reminded_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]


class EscalationRecord(Base):
    """An acknowledgement left unanswered at its deadline: who was told."""

    __tablename__ = "deconfliction_escalations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    acknowledgement_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_acknowledgements.id"), unique=True
    )
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    escalated_at: Mapped[datetime]
    # The unacknowledging party's liaison users, and the parties flagged (notifier, hub).
    liaison_user_ids: Mapped[list[int]] = mapped_column(JSON)
    flagged_party_ids: Mapped[list[int]] = mapped_column(JSON)


class ConflictRecord(Base):
    """A conflict a version was found to have on filing: the other notification, the place
    (GeoJSON) and every overlapping span of time (``[[start, end], ...]``, ISO 8601)."""

    __tablename__ = "deconfliction_conflicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("deconfliction_versions.id"), index=True)
    other_notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    place: Mapped[dict[str, Any]] = mapped_column(JSON)
    overlaps: Mapped[list[list[str]]] = mapped_column(JSON)
    found_at: Mapped[datetime]


class ReconfirmationRecord(Base):
    """A site re-confirmed: it counts for another period, from ``at`` until ``until``. The
    site's row keeps only its last confirmation (an update confirms it too); this keeps each
    re-confirmation, so ``tansiq ledger verify`` checks its entry against a row."""

    __tablename__ = "deconfliction_reconfirmations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    at: Mapped[datetime]
    until: Mapped[datetime]


class SiteReadRecord(Base):
    """A user of another party read a site's location: its notifier can see who, and when."""

    __tablename__ = "deconfliction_site_reads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    read_at: Mapped[datetime]
    via: Mapped[str] = mapped_column(String(20))


class ThreadRecord(Base):
    """A liaison thread: parties writing to each other through the hub, about a notification
    (``notification_id``) or free standing. Its members are parties; nobody else reads it."""

    __tablename__ = "deconfliction_threads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("deconfliction_notifications.id"), index=True
    )
    topic: Mapped[str] = mapped_column(String(200))
    started_by_party: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    started_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    last_message_at: Mapped[datetime] = mapped_column(index=True)


class ThreadMemberRecord(Base):
    __tablename__ = "deconfliction_thread_members"
    __table_args__ = (UniqueConstraint("thread_id", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("deconfliction_threads.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    added_at: Mapped[datetime]


class ThreadMessageRecord(Base):
    """One message: a template's id and parameters (rendered for each reader), or free text
    shown as written."""

    __tablename__ = "deconfliction_thread_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("deconfliction_threads.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    template: Mapped[str | None] = mapped_column(String(40))
    params: Mapped[dict[str, str]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class ThreadReceiptRecord(Base):
    """One message as one member party received it: delivered (to its inbox, ``event_id``),
    and first read, when and by whom."""

    __tablename__ = "deconfliction_thread_receipts"
    __table_args__ = (UniqueConstraint("message_id", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("deconfliction_thread_messages.id"), index=True
    )
    thread_id: Mapped[int] = mapped_column(ForeignKey("deconfliction_threads.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("notify_events.id"))
    delivered_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    read_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
