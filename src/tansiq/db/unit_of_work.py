"""One unit of work per request, command or job: the only place that commits."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tansiq.db.engine import WRITE_OPTION

logger = logging.getLogger(__name__)
_BOOKKEEPING = "tansiq_bookkeeping"
_ALWAYS = "tansiq_bookkeeping_always"

Bookkeeping = Callable[[Session], None]


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back otherwise.

    ``write=False`` marks a unit that only reads, so SQLite never takes its write lock for it;
    a unit that writes takes it with its first statement, not when the block opens. After the
    commit, each bookkeeping write queued by :func:`record_after` runs in a short unit of its
    own.
    """
    session = factory()
    session.info[WRITE_OPTION] = write
    failed = False
    try:
        yield session
        session.commit()
    except BaseException:
        failed = True
        session.rollback()
        raise
    finally:
        later: list[Bookkeeping] = session.info.pop(_ALWAYS, [])
        if not failed:
            later += session.info.pop(_BOOKKEEPING, [])
        session.close()
        for action in later:
            _run_bookkeeping(factory, action, quietly=failed)


def begin_writing(session: Session) -> None:
    """End a reading unit's transaction and let the unit write from its next statement.

    For a request whose slow part only reads (checking a password with argon2): that part runs
    without SQLite's write lock, which is then held only for the few statements that write.
    What was loaded is read again, lazily, inside the writing transaction, so checks made on
    it before still hold when the unit writes (or fail then, as they would have). A unit that
    writes already (a command, a job, the demo loader) keeps its one transaction: nothing is
    committed early.
    """
    if session.info.get(WRITE_OPTION):
        return
    session.commit()
    session.expire_all()
    session.info[WRITE_OPTION] = True


def record_after(session: Session, action: Bookkeeping, *, even_if_failed: bool = False) -> None:
    """Queue ``action`` (a bookkeeping write, such as when a token was last used) to run in a
    short write unit of its own after this unit commits; nothing runs if this unit fails,
    unless ``even_if_failed`` (a failed sign-in must still be counted).

    A read stays a read (no write lock, nothing to wait for), and the bookkeeping is best
    effort: when the database stays busy for the whole busy timeout, or a concurrent request
    wrote the same thing first (a unique key), it is skipped and logged, never turned into an
    error for the request it notes. ``action`` should check that it is still due.
    """
    session.info.setdefault(_ALWAYS if even_if_failed else _BOOKKEEPING, []).append(action)


def take_bookkeeping(session: Session) -> list[Bookkeeping]:
    """The bookkeeping writes queued on this unit (by :func:`record_after`) so far, taken off
    it: the unit no longer runs them. For a caller that runs them itself once the unit has
    committed, with :func:`run_bookkeeping` (and never if it fails)."""
    taken: list[Bookkeeping] = session.info.pop(_BOOKKEEPING, [])
    return taken


def run_bookkeeping(factory: sessionmaker[Session], action: Bookkeeping) -> None:
    """Run one bookkeeping write taken with :func:`take_bookkeeping`, as the unit would have:
    in a short unit of its own, skipped and logged when the database cannot take it."""
    _run_bookkeeping(factory, action, quietly=True)


def _run_bookkeeping(factory: sessionmaker[Session], action: Bookkeeping, *, quietly: bool) -> None:
    try:
        with unit_of_work(factory) as session:
            action(session)
    except IntegrityError as error:
        # A concurrent request wrote the same bookkeeping first (a heartbeat's sequence number).
        logger.info("bookkeeping write skipped, done concurrently: %s", error.orig)
    except OperationalError as error:
        # While a failed unit's own error is on its way out, nothing may replace it.
        if not quietly and "locked" not in str(error.orig).lower():
            raise
        logger.warning("bookkeeping write skipped, the database could not take it: %s", error.orig)
