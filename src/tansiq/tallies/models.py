"""Tallies: counts of events by UTC day, added to in the transaction of each event."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tansiq.db.base import Base


class TallyRecord(Base):
    """How many ``figure`` events happened on ``day`` (``span`` "day"), or in the month that
    starts on ``day`` (``span`` "month"), for one party (an authority; 0 for none), one
    checkpoint (0 for none), one reason or outcome ('' for none) and one time-to-decision
    bucket (0 for none). Each event is added to both its day and its month, so a long period
    reads whole months and only its ragged ends by day."""

    __tablename__ = "figure_tallies"

    span: Mapped[str] = mapped_column(String(5), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    figure: Mapped[str] = mapped_column(String(20), primary_key=True)
    party_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(40), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
