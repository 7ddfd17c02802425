"""What a running hub holds (settings, database, clock, spatial index), built once by the
entry point (web app or CLI command) and handed to the routes through FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tansiq.core.clock import Clock, SystemClock
from tansiq.core.errors import Unauthenticated
from tansiq.core.i18n import Locale, negotiate_locale
from tansiq.db.engine import make_engine, make_session_factory
from tansiq.db.unit_of_work import unit_of_work
from tansiq.geo.service import SpatialIndexCache
from tansiq.parties.domain import Principal
from tansiq.parties.service import principal_for_token, use_password_hash_cost
from tansiq.settings import Settings

LANG_COOKIE = "tansiq_lang"


@dataclass
class HubContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock
    spatial_index: SpatialIndexCache = field(default_factory=SpatialIndexCache)

    @classmethod
    def from_settings(
        cls, settings: Settings, clock: Clock | None = None, engine: Engine | None = None
    ) -> HubContext:
        engine = engine or make_engine(
            settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms
        )
        use_password_hash_cost(settings.password_hash_cost)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            clock=clock or SystemClock(),
            spatial_index=SpatialIndexCache(settings.metric_epsg),
        )


def hub(request: Request) -> HubContext:
    context: HubContext = request.app.state.hub
    return context


Hub = Annotated[HubContext, Depends(hub)]


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db_session(context: Hub, request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, else rolled back."""
    with unit_of_work(context.sessions, write=request.method not in READ_METHODS) as session:
        yield session


# scope="function": the commit happens when the handler returns, before the response is sent.
# With the default ("request") it ran after the response went out, so a fast client (a browser
# following a redirect, a script using a token it was just given) could ask before the commit
# and not find what it was just told exists; and a failed commit was never reported.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def request_locale(request: Request) -> Locale:
    """``?lang=`` first, then the remembered choice, then ``Accept-Language``."""
    for choice in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if choice in tuple(Locale):
            return Locale(choice)
    return negotiate_locale(request.headers.get("accept-language"))


RequestLocale = Annotated[Locale, Depends(request_locale)]


def current_principal(
    session: DbSession,
    context: Hub,
    authorization: Annotated[str | None, Header()] = None,
) -> Principal:
    """The holder of the bearer token in ``Authorization``."""
    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated
    return principal_for_token(session, secret.strip(), context.clock)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]

# Database ids in paths: a number every backend's INTEGER key can hold (PostgreSQL's is 32
# bits), or a coded 422 before any query.
MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
