"""What a running hub holds (settings, database, clock, per-feature caches), built once by the
entry point (web app or CLI command); the web hands it to routes through ``tansiq.web.deps``.
It imports no feature: features keep their caches in ``caches``, keyed by their own types."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tansiq.core.caches import ProcessCaches
from tansiq.core.clock import Clock, SystemClock
from tansiq.db.engine import make_engine, make_session_factory
from tansiq.settings import Settings


@dataclass
class HubContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    caches: ProcessCaches = field(default_factory=ProcessCaches)

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Clock | None = None, engine: Engine | None = None
    ) -> HubContext:
        engine = engine or make_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
        )
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            clock=clock or SystemClock(),
        )
