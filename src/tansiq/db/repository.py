"""What every feature's repository shares: the session, adding records, flushing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

RecordT = TypeVar("RecordT")


class Repository(Generic[RecordT]):
    """Base of each feature's repository; ``RecordT`` is the union of the records it adds."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: RecordT) -> None:
        self.session.add(record)

    def add_all(self, records: Sequence[RecordT]) -> None:
        self.session.add_all(records)

    def flush(self) -> None:
        self.session.flush()
