"""The ledger as stored: entries in the order the tree takes them, and signed tree heads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base


class LedgerEntryRecord(Base):
    """One state change of the hub, appended in the transaction that made it.

    ``seq`` is the entry's place in the tree, given by the sequencer once the entry is
    committed (on PostgreSQL ids are not handed out in commit order, and the tree must never
    have a gap). ``content`` is kept when every reader of the ledger may see it; otherwise
    only its ``digest``.
    """

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120), index=True)
    recorded_at: Mapped[datetime]
    content: Mapped[Any | None] = mapped_column(JSON)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    leaf: Mapped[bytes] = mapped_column(LargeBinary(32))


class LedgerHeadRecord(Base):
    """A tree head signed with the hub's governance key."""

    __tablename__ = "ledger_heads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    size: Mapped[int] = mapped_column(Integer, index=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_at: Mapped[datetime]
    kid: Mapped[str] = mapped_column(String(16))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
