"""Applications, their versions, reviews, decisions, transitions and appeals (their permits
are in ``permits.models``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.clearances.domain import ApplicationStatus, ReviewStatus
from tansiq.db.base import Base
from tansiq.db.types import StrEnumType


class ApplicationRecord(Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("applicant_party_id", "client_reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    applicant_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    applicant_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_reference: Mapped[str] = mapped_column(String(100))
    status: Mapped[ApplicationStatus] = mapped_column(
        StrEnumType(ApplicationStatus, 20), index=True
    )
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ApplicationVersionRecord(Base):
    __tablename__ = "application_versions"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    route_geojson: Mapped[dict[str, Any]] = mapped_column(JSON)
    corridor_m: Mapped[float] = mapped_column(Float)
    # The driver's ID number stays in the hub; only the salted hash ever leaves it.
    driver_id_number: Mapped[str] = mapped_column(String(64))
    driver_id_salt: Mapped[str] = mapped_column(String(32))
    driver_id_hash: Mapped[str] = mapped_column(String(64))
    changed: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class ReviewRecord(Base):
    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("application_id", "authority_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    status: Mapped[ReviewStatus] = mapped_column(StrEnumType(ReviewStatus, 20), index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[datetime]
    deadline: Mapped[datetime] = mapped_column(index=True)
    reminded_at: Mapped[datetime | None]
    overdue_at: Mapped[datetime | None]
    is_appeal: Mapped[bool] = mapped_column(Boolean, default=False)
    # What made this authority required: zone ids/names and checkpoint codes.
    required_by: Mapped[dict[str, Any]] = mapped_column(JSON)
    decision: Mapped[str | None] = mapped_column(String(30))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    # Optimistic locking: a decision taken on a stale view fails instead of overwriting.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}  # noqa: RUF012 - SQLAlchemy's API


class DecisionRecord(Base):
    """Every decision ever taken on a review, kept after the review reopens."""

    __tablename__ = "review_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    application_version: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(30))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime]


class TransitionRecord(Base):
    """Every change of an application's status: who, when and why."""

    __tablename__ = "application_transitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(
        StrEnumType(ApplicationStatus, 20)
    )
    to_status: Mapped[ApplicationStatus] = mapped_column(StrEnumType(ApplicationStatus, 20))
    # The version the application stood at when it moved (null only for its creation), so
    # the ledger's entry for the move can be re-derived from this row.
    application_version: Mapped[int | None] = mapped_column(Integer)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime]
    # A message id (see clearances.messages) and its parameters, rendered per reader.
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_params: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class AppealRecord(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id"))
    grounds: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
