"""Group commit for scan events: one thread per hub process stores the pushes waiting at that
moment in one transaction.

A scan from an online checkpoint is one event; stored alone, its transaction (the device
check, the insert, the ledger entry, the tallies, the commit) costs far more than the event.
Requests hand their checked events to the intake and wait; the intake's thread takes the
pushes waiting (up to ``MAX_EVENTS`` events), stores them with
:func:`tansiq.checkpoints.ingest.ingest_pushes` in one unit of work, and answers each push on
its own. Small pushes (scans as they are made) and batches take turns, so a scan waits for one
group of batches at most. The write lock is taken once per group,
and only for statements (the events were checked before, in the request). When the database
is busy or out of reach, every push of the group is told so at once (a coded 503 the devices
retry); when a group fails otherwise, each of its pushes is tried again alone, so one push's
failure is its own. The thread ends when nothing has come for a while and starts again with
the next push.

On PostgreSQL each group is looked at for clones again once it is committed
(:class:`tansiq.checkpoints.ingest.LookAgain`): a transaction of its own, which was a third of
the intake's time per group of scans. Its pushes are answered first; the looks of up to
``LOOKS_AT_ONCE`` groups wait and are then made as one, or sooner once no push has come for
``LOOK_AFTER_S`` (made whenever no push happened to be waiting, between two groups of a busy
hub's scans, they cost a look of some 25 ms every other group). Sessions that all share one
connection, as in the tests, cannot serve the intake and an answered request at once: there
each group's looks are made before its pushes are answered, as any unit of work makes its
bookkeeping.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tansiq.checkpoints.ingest import (
    IngestResult,
    LookAgain,
    Push,
    ingest_pushes,
    look_again_at_once,
)
from tansiq.core.clock import Clock
from tansiq.db.unit_of_work import (
    Bookkeeping,
    run_bookkeeping,
    take_bookkeeping,
    unit_of_work,
)

logger = logging.getLogger(__name__)

# Events in one transaction (a push larger than this is a group of its own): enough to share a
# transaction's cost among many pushes, few enough that a scan never waits long behind the
# batches of devices syncing a week's queue.
MAX_EVENTS = 2_000
SMALL_PUSH = 16  # events: a push this small never waits behind batches
IDLE_S = 5.0  # the thread ends after this long without a push
LOOKS_AT_ONCE = 8  # groups whose looks again (on PostgreSQL) wait to be made as one, at most
LOOK_AFTER_S = 0.02  # the looks waiting are made once no push has come for this long


@dataclass
class _Waiting:
    push: Push
    answer: Future[IngestResult | None]


class Intake:
    """One hub process's queue of pushes waiting to be stored."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self._waiting: deque[_Waiting] = deque()
        lock = threading.RLock()
        self._ready = threading.Condition(lock)  # a push came (the intake's thread waits)
        self._idle = threading.Condition(lock)  # nothing left to do (settle() waits)
        self._working = False  # a group or looks taken and not done yet
        self._running = False
        self._small_last = False  # whether the last group was of scans
        self._looks: list[LookAgain] = []  # of groups stored and answered
        self._one_connection = isinstance(sessions.kw.get("bind"), Connection)

    def submit(self, push: Push) -> Future[IngestResult | None]:
        """Queue ``push``; its answer (None: the device is unknown or revoked) comes when the
        group it joins is stored."""
        waiting = _Waiting(push, Future())
        with self._ready:
            self._waiting.append(waiting)
            self._ready.notify()
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="tansiq-intake", daemon=True).start()
        return waiting.answer

    def settle(self, timeout: float) -> bool:
        """Wait until nothing is left to do (no push waiting, no group being stored, no look
        waiting or being made), as whoever is about to dispose of the database engine must;
        whether it came to that within ``timeout`` seconds."""
        with self._idle:
            return self._idle.wait_for(
                lambda: not self._waiting and not self._looks and not self._working, timeout
            )

    def _next_group(self, *, looks_waiting: bool = False) -> list[_Waiting]:
        """The next group; none when no push came for ``IDLE_S`` (the thread then ends) or,
        with ``looks_waiting``, for ``LOOK_AFTER_S``."""
        with self._ready:
            if not self._waiting:
                self._ready.wait(LOOK_AFTER_S if looks_waiting else IDLE_S)
            if not self._waiting:
                if not looks_waiting:
                    self._running = False
                return []
            # Scans as they are made (small pushes) and devices' batches take turns: a group
            # of every scan waiting, then a group of batches (in order, while they fit), so a
            # scan waits for one batch group at most, and batches are never starved by scans.
            small = [w for w in self._waiting if len(w.push.events) <= SMALL_PUSH]
            batches = [w for w in self._waiting if len(w.push.events) > SMALL_PUSH]
            group: list[_Waiting] = []
            left: deque[_Waiting] = deque()
            if small and (not batches or not self._small_last):
                group, left = small, deque(batches)
            else:
                events = 0
                for waiting in batches:
                    size = len(waiting.push.events)
                    if not group or (not left and events + size <= MAX_EVENTS):
                        group.append(waiting)
                        events += size
                    else:
                        left.append(waiting)
                left.extend(small)
            self._small_last = bool(small) and group is small
            self._waiting = left
            self._working = True
            return group

    def _run(self) -> None:
        while True:
            pending = bool(self._looks)
            group = self._next_group(looks_waiting=pending)
            if not group and not pending:
                return  # no push for IDLE_S: this thread's turn has ended (_running is False)
            if group:
                self._store(group)
            if self._looks and (not group or len(self._looks) >= LOOKS_AT_ONCE):
                with self._ready:
                    looks, self._looks, self._working = self._looks, [], True
                self._after([look_again_at_once(looks)])
            with self._ready:
                self._working = False
                self._idle.notify_all()

    def _store(self, group: Sequence[_Waiting]) -> None:
        try:
            with unit_of_work(self.sessions) as session:
                answers = ingest_pushes(session, [w.push for w in group], self.clock)
                later = take_bookkeeping(session)  # done below, once the group is answered
        except OperationalError as error:
            # The database busy or out of reach: the same for every push of the group, each
            # answered so at once (a coded 503 that the devices retry), not tried again.
            for waiting in group:
                waiting.answer.set_exception(error)
            return
        except Exception as error:
            if len(group) > 1:
                logger.info(
                    "a group of %d pushes failed (%r); each is tried alone", len(group), error
                )
                for waiting in group:
                    self._store([waiting])
                return
            group[0].answer.set_exception(error)
            return
        if self._one_connection:
            self._after(later)
            later = []
        for waiting, answer in zip(group, answers, strict=True):
            waiting.answer.set_result(answer)
        self._looks += [action for action in later if isinstance(action, LookAgain)]
        self._after([action for action in later if not isinstance(action, LookAgain)])

    def _after(self, actions: list[Bookkeeping]) -> None:
        """Bookkeeping after a commit, as the unit of work would have run it."""
        for action in actions:
            try:
                run_bookkeeping(self.sessions, action)
            except Exception:
                # Best effort (db.unit_of_work.record_after), and this thread must go on.
                logger.exception("bookkeeping after a group's commit failed")
