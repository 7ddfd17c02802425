"""HTTP API for parties, users and tokens: parse → service → render."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, status

from tansiq.core.text import BilingualText
from tansiq.parties import access, service
from tansiq.parties.deps import CurrentPrincipal
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository
from tansiq.parties.schemas import MeOut, PartyIn, PartyOut, TokenOut, TokenRequest, UserIn, UserOut
from tansiq.web.deps import DbSession, Hub, RecordId, reads_only
from tansiq.web.openapi import error_responses

router = APIRouter(prefix="/api/v1", tags=["parties"])


@router.post(
    "/auth/tokens", status_code=status.HTTP_201_CREATED, responses=error_responses(401, 429)
)
@reads_only  # until the password is checked: service.sign_in starts writing after
def sign_in(body: TokenRequest, request: Request, session: DbSession, hub: Hub) -> TokenOut:
    """Exchange a username and password for an API token (shown once)."""
    signed_in = service.sign_in(
        session,
        body.username,
        body.password,
        clock=hub.clock,
        address=request.client.host if request.client else None,
        label=body.name,
        ttl=timedelta(days=hub.settings.token_ttl_days),
    )
    issued = signed_in.token
    record = PartyRepository(session).token(issued.token_id)
    return TokenOut(
        id=issued.token_id,
        token=issued.secret,
        expires_at=None if record is None else record.expires_at,
    )


@router.delete("/auth/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(token_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal) -> None:
    service.revoke_token(session, me, token_id, hub.clock)


@router.get("/me")
def whoami(session: DbSession, me: CurrentPrincipal) -> MeOut:
    user = PartyRepository(session).user(me.user_id)
    assert user is not None  # noqa: S101 - the token lookup just loaded this user
    return MeOut(user=UserOut.of(user), party=PartyOut.of(user.party))


@router.get("/parties")
def list_parties(
    session: DbSession, me: CurrentPrincipal, kind: PartyKind | None = None
) -> list[PartyOut]:
    return [PartyOut.of(p) for p in PartyRepository(session).parties(kind)]


@router.post("/parties", status_code=status.HTTP_201_CREATED)
def create_party(body: PartyIn, session: DbSession, hub: Hub, me: CurrentPrincipal) -> PartyOut:
    access.require(access.can_create_party(me))
    record = service.create_party(
        session,
        code=body.code,
        kind=body.kind,
        name=BilingualText(body.name_ar, body.name_en),
        clock=hub.clock,
    )
    return PartyOut.of(record)


@router.get("/parties/{code}")
def get_party(code: str, session: DbSession, me: CurrentPrincipal) -> PartyOut:
    return PartyOut.of(service.get_party(session, code))


@router.get("/parties/{code}/users")
def list_users(code: str, session: DbSession, me: CurrentPrincipal) -> list[UserOut]:
    party = service.get_party(session, code)
    access.require(access.can_view_users(me, party.id))
    return [UserOut.of(u) for u in PartyRepository(session).users_of(party.id)]


@router.post("/parties/{code}/users", status_code=status.HTTP_201_CREATED)
def create_user(
    code: str, body: UserIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> UserOut:
    party = service.get_party(session, code)
    access.require(access.can_manage_users(me, party.id))
    record = service.create_user(
        session,
        party=party,
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        roles=frozenset(body.roles),
        clock=hub.clock,
        locale=body.locale.value,
    )
    stored = PartyRepository(session).user(record.id)
    assert stored is not None  # noqa: S101 - flushed just above
    return UserOut.of(stored)
