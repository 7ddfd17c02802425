"""Permit tokens signed by every authority that must: at once with the keys the hub holds, and
completed by the authorities that sign outside the hub (a signing request, then the signature
checked against their registered public key)."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.errors import Forbidden
from tansiq.parties.domain import Principal, Role
from tansiq.permits.claims import PermitClaims, claims_to_cbor
from tansiq.permits.cose import protected_header, sig_structure
from tansiq.permits.keys import (
    load_public_key,
    verify_signature,
)
from tansiq.permits.models import (
    PermitTokenRecord,
    SigningKeyRecord,
)
from tansiq.permits.repository import PermitRepository

# Short names the key pages and routes use for the two purposes.
from tansiq.permits.service import (
    BadSignature,
    NothingToSign,
    TokenNotFound,
    ensure_permit_key,
    signer_of,
)
from tansiq.permits.token import assemble


def issue_token(
    session: Session,
    *,
    permit_id: int,
    claims: PermitClaims,
    authority_ids: list[int],
    secret: str | None,
    clock: Clock,
) -> PermitTokenRecord:
    """Sign ``claims`` by every authority in ``authority_ids``: at once with hub-held keys;
    authorities that sign outside the hub complete it later (:func:`add_signature`)."""
    keys = [ensure_permit_key(session, authority, secret, clock) for authority in authority_ids]
    claims = replace(claims, required_kids=tuple(bytes.fromhex(k.kid) for k in keys))
    payload = claims_to_cbor(claims)
    signatures: list[dict[str, Any]] = []
    for key in keys:
        signer = signer_of(key, secret)
        if signer is not None:
            data = sig_structure(b"", protected_header(key.alg), payload)
            signatures.append(_signature(key, signer.sign(data)))
    record = PermitTokenRecord(
        permit_id=permit_id,
        cti=claims.cti,
        version=claims.version,
        payload=payload,
        required_kids=[k.kid for k in keys],
        signatures=signatures,
        token=None,
        created_at=clock.now(),
        completed_at=None,
    )
    _complete(record, clock)
    repo = PermitRepository(session)
    repo.add(record)
    repo.flush()
    return record


def signing_request(
    session: Session, principal: Principal, permit_id: int
) -> tuple[PermitTokenRecord, SigningKeyRecord, bytes]:
    """What ``principal``'s authority must sign for ``permit_id``: the exact bytes."""
    record, key = _outstanding(session, principal, permit_id)
    return record, key, sig_structure(b"", protected_header(key.alg), record.payload)


def add_signature(
    session: Session, principal: Principal, permit_id: int, signature: bytes, clock: Clock
) -> PermitTokenRecord:
    """Accept an outside signature after checking it against the registered public key."""
    record, key = _outstanding(session, principal, permit_id)
    data = sig_structure(b"", protected_header(key.alg), record.payload)
    if not verify_signature(load_public_key(key.alg, key.public_key), key.alg, data, signature):
        raise BadSignature
    record.signatures = [*record.signatures, _signature(key, signature)]
    _complete(record, clock)
    PermitRepository(session).flush()
    return record


def _outstanding(
    session: Session, principal: Principal, permit_id: int
) -> tuple[PermitTokenRecord, SigningKeyRecord]:
    repo = PermitRepository(session)
    record = repo.token_of(permit_id)
    if record is None:
        raise TokenNotFound(permit=permit_id)
    if not {Role.REVIEWER, Role.ADMIN} & principal.roles:
        raise Forbidden
    signed = {s["kid"] for s in record.signatures}
    for kid in record.required_kids:
        key = repo.key_by_kid(kid)
        if key is not None and key.party_id == principal.party_id and kid not in signed:
            return record, key
    raise NothingToSign(permit=permit_id)


def _signature(key: SigningKeyRecord, signature: bytes) -> dict[str, Any]:
    return {"kid": key.kid, "alg": key.alg, "signature": base64.b64encode(signature).decode()}


def _complete(record: PermitTokenRecord, clock: Clock) -> None:
    by_kid = {s["kid"]: s for s in record.signatures}
    if record.token is not None or set(record.required_kids) - set(by_kid):
        return
    record.token = assemble(
        record.payload,
        [
            (
                int(by_kid[kid]["alg"]),
                bytes.fromhex(kid),
                base64.b64decode(by_kid[kid]["signature"]),
            )
            for kid in record.required_kids
        ],
    )
    record.completed_at = clock.now()
