"""Who is asking, as request dependencies every feature shares: the API's caller (the holder of
the bearer token) and a page's reader (the holder of the session cookie's token, or nobody).
They live with parties, which own users and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from tansiq.core.errors import TansiqError, Unauthenticated
from tansiq.parties.domain import Principal
from tansiq.parties.service import principal_for_token
from tansiq.web.deps import DbSession, Hub, RequestLocale
from tansiq.web.screen import Page, Screen


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


def page_screen(
    request: Request, hub: Hub, session: DbSession, page: Page, locale: RequestLocale
) -> Screen[Principal]:
    """The page machinery for whoever holds the session's token; a token no longer valid
    (expired, revoked) signs the reader out."""
    me = None
    if page.token:
        try:
            me = principal_for_token(session, page.token, hub.clock)
        except TansiqError:
            page.token, page.token_id, page.changed = None, None, True
    return Screen(request, hub, session, page, locale, me)


# A page's reader: the page machinery for a principal (or nobody, signed out).
Viewer = Screen[Principal]
Current = Annotated[Viewer, Depends(page_screen)]
