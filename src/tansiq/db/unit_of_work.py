"""One unit of work per request, command or job: the only place that commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from tansiq.db.engine import WRITE_OPTION


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise.

    ``write=False`` marks a unit that only reads, so SQLite need not take its write lock.
    """
    session = factory()
    session.connection(execution_options={WRITE_OPTION: write})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
