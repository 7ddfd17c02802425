"""Permits and their versions, signing keys, signed permit tokens, trust lists and revocation
deltas as stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base
from tansiq.db.types import StrEnumType
from tansiq.permits.domain import KeyPurpose, PermitStatus, permit_cti, permit_number
from tansiq.permits.trust import KeyStatus


class PermitRecord(Base):
    """One version of a permit. ``reference`` is what it was issued for, opaque here (the
    column keeps its name, and its foreign key, from when clearances owned this table)."""

    __tablename__ = "permits"
    __table_args__ = (UniqueConstraint("application_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[int] = mapped_column(
        "application_id", ForeignKey("applications.id"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    reference_version: Mapped[int] = mapped_column("application_version", Integer)
    status: Mapped[PermitStatus] = mapped_column(StrEnumType(PermitStatus, 20), index=True)
    issued_at: Mapped[datetime]
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    authority_ids: Mapped[list[int]] = mapped_column(JSON)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status_changed_at: Mapped[datetime | None]
    status_changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status_reason_code: Mapped[str | None] = mapped_column(String(40))
    status_note: Mapped[str] = mapped_column(Text, default="")

    @property
    def cti(self) -> str:
        return permit_cti(self.reference)

    @property
    def number(self) -> str:
        return permit_number(self.reference, self.version)


class SigningKeyRecord(Base):
    """An authority's permit-signing key, or the hub's governance key. The private key is
    sealed with the hub's secret; an authority that signs outside the hub leaves it empty."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    purpose: Mapped[KeyPurpose] = mapped_column(StrEnumType(KeyPurpose, 20))
    kid: Mapped[str] = mapped_column(String(16), unique=True)
    alg: Mapped[int] = mapped_column(Integer)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_key_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[KeyStatus] = mapped_column(StrEnumType(KeyStatus, 20))
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]
    created_at: Mapped[datetime]


class PermitTokenRecord(Base):
    """The signed token of one permit version; complete once every required kid signed."""

    __tablename__ = "permit_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    permit_id: Mapped[int] = mapped_column(ForeignKey("permits.id"), unique=True)
    cti: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    required_kids: Mapped[list[str]] = mapped_column(JSON)
    signatures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    token: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class TrustListRecord(Base):
    """A signed trust list. ``announces`` marks one signed by the outgoing governance key that
    names its successor: the links of the chain a device follows from the key it was enrolled
    with."""

    __tablename__ = "trust_lists"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime]
    announces: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RevocationDeltaRecord(Base):
    __tablename__ = "revocation_deltas"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[datetime]


class RevocationSnapshotRecord(Base):
    """Every revocation delta up to ``seq`` folded into one signed list."""

    __tablename__ = "revocation_snapshots"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    as_of: Mapped[datetime]
    created_at: Mapped[datetime]
