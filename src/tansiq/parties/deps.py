"""Who is asking, as request dependencies every feature shares: the API's caller (the holder of
the bearer token) and a page's reader (the holder of the session cookie's token, or nobody).
They live with parties, which own users and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tansiq.core.errors import TansiqError, Unauthenticated
from tansiq.parties.domain import Principal
from tansiq.parties.service import principal_for_token
from tansiq.web.deps import DbSession, Hub, RequestLocale
from tansiq.web.screen import Page, Screen

# Published in the OpenAPI as the API's security scheme; a missing or malformed header is our
# own coded 401 (auto_error=False leaves the refusal to current_principal).
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer <token>`, from `POST /api/v1/auth/tokens`.",
)


def current_principal(
    session: DbSession,
    context: Hub,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
) -> Principal:
    """The holder of the bearer token in ``Authorization``."""
    if credentials is None or not credentials.credentials.strip():
        raise Unauthenticated
    return principal_for_token(session, credentials.credentials.strip(), context.clock)


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
