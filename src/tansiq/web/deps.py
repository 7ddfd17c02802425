"""The request dependencies every feature's routes and pages share: the hub, one unit of work
per request, the reader's language and checked record ids. Nothing here knows a feature."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.i18n import Locale, negotiate_locale
from tansiq.db.unit_of_work import unit_of_work

LANG_COOKIE = "tansiq_lang"


async def hub(request: Request) -> HubContext:
    """The hub serving this request (``async``: FastAPI runs a plain function dependency in a
    worker thread, a hop that costs more than the lookup)."""
    context: HubContext = request.app.state.hub
    return context


Hub = Annotated[HubContext, Depends(hub)]


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READS_ONLY = "tansiq_reads_only"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def reads_only(endpoint: Endpoint) -> Endpoint:
    """Mark a POST endpoint that stores nothing (a route check): like a GET, its unit of work
    never takes SQLite's write lock, so its CPU work does not hold up the writers."""
    setattr(endpoint, _READS_ONLY, True)
    return endpoint


def writes(request: Request) -> bool:
    """Whether this request's unit of work may write: not a GET, nor a POST marked
    :func:`reads_only`."""
    endpoint = request.scope.get("endpoint")
    return request.method not in READ_METHODS and not getattr(endpoint, _READS_ONLY, False)


def db_session(context: Hub, request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, else rolled back."""
    with unit_of_work(context.sessions, write=writes(request)) as session:
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


async def _locale(request: Request) -> Locale:
    return request_locale(request)


RequestLocale = Annotated[Locale, Depends(_locale)]

# Database ids in paths: a number every backend's INTEGER key can hold (PostgreSQL's is 32
# bits), or a coded 422 before any query.
MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]
