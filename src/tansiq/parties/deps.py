"""The API's caller: the holder of the bearer token, as a request dependency that every
feature's routes share. It lives with parties, which own users and tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from tansiq.core.errors import Unauthenticated
from tansiq.parties.domain import Principal
from tansiq.parties.service import principal_for_token
from tansiq.web.deps import DbSession, Hub


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
