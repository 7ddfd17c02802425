"""Incidents and their verdicts, advisories and their co-signatures, standing watches, and the
impact rows: which permit, movement or watch each incident or advisory touched, and until when.

Nothing here is ever deleted: a withdrawal or an expiry is a status with its time and user; a
verdict is a row; an impact that no longer holds keeps its row with ``cleared_at`` set.
The user who reported or issued is kept for the hub's own audit, never shown to another party.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base
from tansiq.db.types import StrEnumType
from tansiq.incidents.domain import (
    AdvisoryChange,
    AdvisoryKind,
    AdvisoryStatus,
    Confidence,
    EventType,
    IncidentStatus,
    LocationPrecision,
    Severity,
    SubType,
    TimePrecision,
    Verdict,
    Verification,
)


class IncidentRecord(Base):
    """What happened, where and when, as a party reported it. ``geometry`` is GeoJSON
    (longitude/latitude), ``shape_wkb`` the same as WKB and the box its bounds in degrees.
    It counts for impact from ``occurred_at`` until ``relevant_until``."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    reported_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    event_type: Mapped[EventType] = mapped_column(StrEnumType(EventType, 30), index=True)
    sub_type: Mapped[SubType] = mapped_column(StrEnumType(SubType, 30))
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    time_precision: Mapped[TimePrecision] = mapped_column(StrEnumType(TimePrecision, 10))
    relevant_until: Mapped[datetime] = mapped_column(index=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    shape_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    location_precision: Mapped[LocationPrecision] = mapped_column(
        StrEnumType(LocationPrecision, 15)
    )
    description: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[Confidence] = mapped_column(StrEnumType(Confidence, 15))
    severity: Mapped[Severity] = mapped_column(StrEnumType(Severity, 10), index=True)
    verification: Mapped[Verification] = mapped_column(StrEnumType(Verification, 15), index=True)
    status: Mapped[IncidentStatus] = mapped_column(StrEnumType(IncidentStatus, 10), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # When its relevance window was found passed (``updated_at`` moves on with later verdicts).
    closed_at: Mapped[datetime | None]


class VerdictRecord(Base):
    """Another party corroborated or refuted an incident: which party, when, and its note."""

    __tablename__ = "incident_verdicts"
    __table_args__ = (UniqueConstraint("incident_id", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    verdict: Mapped[Verdict] = mapped_column(StrEnumType(Verdict, 15))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]


class AdvisoryRecord(Base):
    """A road closed, a checkpoint closed or an area unsafe, for ``[valid_from, valid_until)``,
    as its issuing party stated it. A checkpoint closure names the checkpoint it closes."""

    __tablename__ = "advisories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    issued_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[AdvisoryKind] = mapped_column(StrEnumType(AdvisoryKind, 20), index=True)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    shape_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime] = mapped_column(index=True)
    severity: Mapped[Severity] = mapped_column(StrEnumType(Severity, 10))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[AdvisoryStatus] = mapped_column(StrEnumType(AdvisoryStatus, 10), index=True)
    # An advisory that came in as CAP: the sender's identifier, so a second import is no copy.
    cap_identifier: Mapped[str | None] = mapped_column(String(300), unique=True)
    # In the public Atom feed and exported with CAP scope Public: the issuer's choice (cap/).
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    end_note: Mapped[str] = mapped_column(Text, default="")


class AdvisoryChangeRecord(Base):
    """One change of an advisory as it was made and recorded on the ledger: its issue, each move
    of its window's end (``was_until`` to ``valid_until``), its end (withdrawn or expired, by
    whom, the note and the reason), a CAP import or withdrawal, and each publication. The
    advisory's row keeps only where it stands now; this keeps how it got there, so ``tansiq
    ledger verify`` checks every entry against a row (``incidents.ledger_facts``)."""

    __tablename__ = "advisory_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    change: Mapped[AdvisoryChange] = mapped_column(StrEnumType(AdvisoryChange, 20))
    at: Mapped[datetime]
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    valid_until: Mapped[datetime | None]
    was_until: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(String(40))
    cap: Mapped[str | None] = mapped_column(String(300))
    msg_type: Mapped[str | None] = mapped_column(String(10))
    # A change recorded before this table, whose content the database can no longer show (a
    # CAP Cancel's identifier was kept nowhere): the digest its ledger entry holds.
    entry_digest: Mapped[bytes | None] = mapped_column(LargeBinary(32))


class CosignRecord(Base):
    """Another party stands behind an advisory."""

    __tablename__ = "advisory_cosigns"
    __table_args__ = (UniqueConstraint("advisory_id", "party_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    advisory_id: Mapped[int] = mapped_column(ForeignKey("advisories.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]


class WatchRecord(Base):
    """A party watches an area (a polygon) or a route (a line with a reach): every incident
    or advisory that touches it alerts the party, as it alerts a permit's holder."""

    __tablename__ = "incident_watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSON)
    shape_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    reach_m: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ImpactRecord(Base):
    """One incident or advisory (``hazard``) touching one permit, movement or watch
    (``target``): its distance, whether the route crosses a closure, the parties told, and
    when it stopped holding (expiry, withdrawal, the target's end)."""

    __tablename__ = "incident_impacts"
    __table_args__ = (UniqueConstraint("hazard_kind", "hazard_id", "target_kind", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hazard_kind: Mapped[str] = mapped_column(String(10))
    hazard_id: Mapped[int] = mapped_column(Integer)
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer, index=True)
    # What the target belongs to, for pages: a permit's application, a movement's notification.
    subject_id: Mapped[int] = mapped_column(Integer, index=True)
    distance_m: Mapped[float] = mapped_column(Float)
    route_affected: Mapped[bool] = mapped_column(Boolean, default=False)
    party_ids: Mapped[list[int]] = mapped_column(JSON)
    found_at: Mapped[datetime]
    cleared_at: Mapped[datetime | None] = mapped_column(index=True)


class CorridorRevisionRecord(Base):
    """One row: bumped in the transaction of every change to a permit or a movement, so a hub
    process's corridor cache (``incidents.corridor_cache``) knows with one read whether it is
    current. ``stamp`` is drawn afresh at each bump: a revision number reached again after a
    rolled-back change is not mistaken for the one the cache saw."""

    __tablename__ = "corridor_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)
    stamp: Mapped[int] = mapped_column(BigInteger)


class CorridorChangeRecord(Base):
    """A permit or movement changed at ``revision`` (the cache reloads just those). The bump
    holds the revision row's lock until commit, so revisions become visible in order."""

    __tablename__ = "corridor_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, index=True)
    stamp: Mapped[int] = mapped_column(BigInteger)
    target_kind: Mapped[str] = mapped_column(String(10))
    target_id: Mapped[int] = mapped_column(Integer)
