"""Parties, users, roles and API tokens as stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tansiq.db.base import Base
from tansiq.db.types import StrEnumType
from tansiq.parties.domain import PartyKind, Role
from tansiq.parties.throttle import ThrottleKind


class PartyRecord(Base):
    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[PartyKind] = mapped_column(StrEnumType(PartyKind, 20), index=True)
    name_ar: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class UserRecord(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]

    party: Mapped[PartyRecord] = relationship(lazy="raise")
    roles: Mapped[list[UserRoleRecord]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="UserRoleRecord.role"
    )


class UserRoleRecord(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 30), primary_key=True)


class ApiTokenRecord(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of a 256-bit random secret: enough at rest for a token nobody can guess;
    # argon2 is for the low-entropy secrets people choose.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class SignInCounterRecord(Base):
    """Failed sign-ins in a row for one username or one client address (parties.throttle)."""

    __tablename__ = "sign_in_counters"

    kind: Mapped[ThrottleKind] = mapped_column(StrEnumType(ThrottleKind, 10), primary_key=True)
    key: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]
