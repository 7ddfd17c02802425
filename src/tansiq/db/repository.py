"""What every feature's repository shares: the session, adding a record, flushing."""

from __future__ import annotations

from typing import Generic, TypeVar

from sqlalchemy.orm import Session

RecordT = TypeVar("RecordT")


class Repository(Generic[RecordT]):
    """Base of each feature's repository; ``RecordT`` is the union of the records it adds."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: RecordT) -> None:
        self.session.add(record)

    def flush(self) -> None:
        self.session.flush()
