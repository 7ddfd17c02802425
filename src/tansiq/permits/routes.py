"""HTTP API for what every checkpoint needs offline: the signed trust list, the signed
revocation deltas and the hub's governance keys; and authorities' key management."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from tansiq.core.errors import NotFound
from tansiq.parties.deps import CurrentPrincipal
from tansiq.parties.repository import PartyRepository
from tansiq.permits import service, snapshots
from tansiq.permits.keys import ALG_EDDSA, ALG_ES256, decode_key, encode_key
from tansiq.permits.models import SigningKeyRecord
from tansiq.permits.repository import PermitRepository
from tansiq.permits.trust import revocations_file
from tansiq.web.deps import DbSession, Hub
from tansiq.web.openapi import error_responses

router = APIRouter(prefix="/api/v1", tags=["trust"])
CBOR = "application/cbor"


class KeyOut(BaseModel):
    kid: str
    authority: str
    alg: int
    public_key: str = Field(description="Raw public key, base64.")
    status: str
    held_by_hub: bool
    valid_from: str
    valid_to: str | None

    @classmethod
    def of(cls, record: SigningKeyRecord, authority: str) -> KeyOut:
        return cls(
            kid=record.kid,
            authority=authority,
            alg=record.alg,
            public_key=encode_key(record.public_key),
            status=record.status,
            held_by_hub=record.private_key_sealed is not None,
            valid_from=record.valid_from.isoformat(),
            valid_to=None if record.valid_to is None else record.valid_to.isoformat(),
        )


class ExternalKeyIn(BaseModel):
    alg: int = Field(description=f"{ALG_EDDSA} (EdDSA, Ed25519) or {ALG_ES256} (ES256).")
    public_key: str = Field(
        max_length=200, description="Raw public key, base64 (hex is accepted too)."
    )


@router.get(
    "/trust-list",
    response_class=Response,
    responses={200: {"content": {CBOR: {}}}, **error_responses(404)},
)
def trust_list(session: DbSession) -> Response:
    """The latest trust list (COSE-signed CBOR). Public: it holds only public keys."""
    record = PermitRepository(session).latest_trust_list()
    if record is None:
        raise service.NoTrustList
    return Response(record.body, media_type=CBOR, headers={"Tansiq-Trust-Seq": str(record.seq)})


@router.get("/revocations", response_class=Response, responses={200: {"content": {CBOR: {}}}})
def revocations(
    session: DbSession, since: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0
) -> Response:
    """Signed revocation deltas after sequence ``since``, oldest first (CBOR array)."""
    repo = PermitRepository(session)
    deltas = repo.deltas_since(since)
    return Response(
        revocations_file([d.body for d in deltas]),
        media_type=CBOR,
        headers={"Tansiq-Revocation-Seq": str(repo.last_revocation_seq())},
    )


@router.get("/governance-keys")
def governance_keys(session: DbSession) -> list[str]:
    """The hub's governance public keys (raw Ed25519, base64): what verifies the lists."""
    return [encode_key(key) for key in service.governance_public_keys(session)]


class RolloverOut(BaseModel):
    retired: KeyOut = Field(description="The old key: it signed the announcement, then retired.")
    active: KeyOut = Field(description="The new governance key, announced by the old one.")


@router.post("/governance-keys/rollover", status_code=status.HTTP_201_CREATED)
def rollover_governance(session: DbSession, hub: Hub, me: CurrentPrincipal) -> RolloverOut:
    """Replace the hub's governance key (the hub's administrators): the old key announces the
    new one in a signed trust list, then retires; devices follow on their next sync. The
    same as ``tansiq trust rollover-governance``."""
    old, new = snapshots.roll_over_by(session, me, secret=hub.settings.secret_key, clock=hub.clock)
    hub_code = PartyRepository(session).party(new.party_id)
    code = "" if hub_code is None else hub_code.code
    return RolloverOut(retired=KeyOut.of(old, code), active=KeyOut.of(new, code))


@router.get("/authorities/{code}/keys")
def list_keys(code: str, session: DbSession, me: CurrentPrincipal) -> list[KeyOut]:
    party = PartyRepository(session).party_by_code(code)
    if party is None:
        raise NotFound
    return [
        KeyOut.of(k, code) for k in PermitRepository(session).keys(service.PERMIT_KEYS, party.id)
    ]


@router.post("/authorities/{code}/keys/rotation", status_code=status.HTTP_201_CREATED)
def rotate_key(code: str, session: DbSession, hub: Hub, me: CurrentPrincipal) -> KeyOut:
    """A new hub-held signing key; the old one's signatures stay valid."""
    record = service.rotate_key(
        session, me, authority=code, secret=hub.settings.secret_key, clock=hub.clock
    )
    return KeyOut.of(record, code)


class RetireIn(BaseModel):
    compromised: bool = Field(
        default=False,
        description="True if the private key may be known to others: everything it ever "
        "signed stops verifying. False retires it from now on.",
    )


@router.post("/authorities/{code}/keys/{kid}/retirement")
def retire_key(
    code: str, kid: str, body: RetireIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> KeyOut:
    record = service.retire_key(
        session,
        me,
        authority=code,
        kid=kid,
        compromised=body.compromised,
        secret=hub.settings.secret_key,
        clock=hub.clock,
    )
    return KeyOut.of(record, code)


@router.post("/authorities/{code}/keys", status_code=status.HTTP_201_CREATED)
def register_external_key(
    code: str, body: ExternalKeyIn, session: DbSession, hub: Hub, me: CurrentPrincipal
) -> KeyOut:
    """Sign outside the hub: register the public key; the hub keeps no private part."""
    try:
        raw = decode_key(body.public_key)
    except ValueError:
        raw = b""
    record = service.register_external_key(
        session,
        me,
        authority=code,
        alg=body.alg,
        public_key=raw,
        secret=hub.settings.secret_key,
        clock=hub.clock,
    )
    return KeyOut.of(record, code)
