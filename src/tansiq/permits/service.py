"""Keys, trust list, revocations and permit tokens: the stored side of signed permits.

Each authority signs permits with an Ed25519 key the hub holds, sealed with the hub's secret
(``TANSIQ_SECRET_KEY``), or with a key it holds itself: then the hub hands out the exact bytes
to sign and checks the signature it gets back. Rotation retires the old key from now on; its
signatures made before stay trusted (the trust list says from when to when each key counts).
The hub's governance key signs the trust list (sequence-numbered: a device refuses an older
one) and each revocation delta. It rolls over by announcement (see :mod:`.snapshots`): the
trust list that names the new key is signed by the old one, so a device can follow.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.errors import ErrorCategory, NotFound, TansiqError
from tansiq.core.i18n import N_
from tansiq.core.sealing import seal, unseal
from tansiq.jobs.service import JobHandler
from tansiq.ledger.service import record_entry
from tansiq.parties import access
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import AUTHORITY_CREATED
from tansiq.permits.domain import KeyPurpose
from tansiq.permits.keys import (
    ALG_EDDSA,
    Ed25519Signer,
    key_id,
    load_public_key,
    raw_public_key,
)
from tansiq.permits.ledger_facts import record_key
from tansiq.permits.models import (
    RevocationDeltaRecord,
    SigningKeyRecord,
    TrustListRecord,
)
from tansiq.permits.repository import PermitRepository
from tansiq.permits.token_errors import PublicKeyInvalid
from tansiq.permits.trust import (
    ROLE_GOVERNANCE,
    ROLE_PERMITS,
    KeyStatus,
    RevocationDelta,
    RevocationEntry,
    RevocationStatus,
    TrustEntry,
    TrustList,
    sign_revocation_delta,
    sign_trust_list,
)

# Short names the key pages and routes use for the two purposes.
PERMIT_KEYS = KeyPurpose.PERMIT
GOVERNANCE_KEYS = KeyPurpose.GOVERNANCE
_SEAL_PURPOSE = b"tansiq signing key v1"


class NoHub(TansiqError):
    code = "keys.no_hub"
    message = N_("The hub party does not exist yet, so there is no governance key.")
    category = ErrorCategory.CONFLICT


class NoTrustList(NotFound):
    code = "trust.none_yet"
    message = N_("No trust list has been published yet.")


class KeyNotFound(NotFound):
    code = "keys.not_found"
    message = N_("No signing key {kid} for this authority.")


class TokenNotFound(NotFound):
    code = "permit.token_not_found"
    message = N_("Permit {permit} has no signed token.")


class NothingToSign(TansiqError):
    code = "permit.nothing_to_sign"
    message = N_("Your authority has no signature outstanding on permit {permit}.")
    category = ErrorCategory.CONFLICT


class BadSignature(TansiqError):
    code = "permit.bad_signature"
    message = N_("The signature does not verify with your authority's registered key.")


def new_signing_key(
    session: Session, party_id: int, purpose: KeyPurpose, secret: str | None, clock: Clock
) -> SigningKeyRecord:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    record = SigningKeyRecord(
        party_id=party_id,
        purpose=purpose,
        kid=key_id(public).hex(),
        alg=ALG_EDDSA,
        public_key=public,
        private_key_sealed=seal(secret, raw, purpose=_SEAL_PURPOSE),
        status=KeyStatus.ACTIVE,
        valid_from=clock.now(),
        valid_to=None,
        created_at=clock.now(),
    )
    repo = PermitRepository(session)
    repo.add(record)
    repo.flush()
    record_key(session, record)
    return record


def signer_of(record: SigningKeyRecord, secret: str | None) -> Ed25519Signer | None:
    """The hub-held signer of ``record``; ``None`` for a key its authority holds itself."""
    if record.private_key_sealed is None:
        return None
    raw = unseal(secret, record.private_key_sealed, purpose=_SEAL_PURPOSE)
    return Ed25519Signer(Ed25519PrivateKey.from_private_bytes(raw))


def ensure_permit_key(
    session: Session, authority_id: int, secret: str | None, clock: Clock
) -> SigningKeyRecord:
    """The authority's active signing key, made (and published) on first need."""
    repo = PermitRepository(session)
    record = repo.active_key(PERMIT_KEYS, authority_id)
    if record is None:
        record = new_signing_key(session, authority_id, PERMIT_KEYS, secret, clock)
        publish_trust_list(session, secret, clock)
    return record


def governance_signer(session: Session, secret: str | None, clock: Clock) -> Ed25519Signer:
    hubs = PartyRepository(session).parties(PartyKind.HUB.value)
    if not hubs:
        raise NoHub
    repo = PermitRepository(session)
    record = repo.active_key(GOVERNANCE_KEYS, hubs[0].id) or new_signing_key(
        session, hubs[0].id, GOVERNANCE_KEYS, secret, clock
    )
    signer = signer_of(record, secret)
    assert signer is not None  # noqa: S101 - the hub always holds its governance key
    return signer


def governance_public_keys(session: Session) -> list[bytes]:
    return [
        k.public_key
        for k in PermitRepository(session).keys(GOVERNANCE_KEYS)
        if k.status != KeyStatus.COMPROMISED
    ]


def retire_signing_key(record: SigningKeyRecord, clock: Clock) -> None:
    record.status = KeyStatus.RETIRED
    record.valid_to = clock.now()


def _require_key_admin(session: Session, principal: Principal, authority: str) -> int:
    party = PartyRepository(session).party_by_code(authority)
    if party is None or party.kind != PartyKind.AUTHORITY:
        raise NotFound
    # Not even the hub's admins: whoever controls an authority's key signs in its name.
    access.require(access.is_admin_of(principal, party.id))
    return party.id


def rotate_key(
    session: Session, principal: Principal, *, authority: str, secret: str | None, clock: Clock
) -> SigningKeyRecord:
    """A new hub-held key for ``authority``; the old one signs no more, but what it signed
    stays valid until it expires."""
    party_id = _require_key_admin(session, principal, authority)
    repo = PermitRepository(session)
    old = repo.active_key(PERMIT_KEYS, party_id)
    record = new_signing_key(session, party_id, PERMIT_KEYS, secret, clock)
    if old is not None:
        retire_signing_key(old, clock)
        record_key(session, old)
    publish_trust_list(session, secret, clock)
    return record


def retire_key(
    session: Session,
    principal: Principal,
    *,
    authority: str,
    kid: str,
    compromised: bool,
    secret: str | None,
    clock: Clock,
) -> SigningKeyRecord:
    """Stop a key signing. A compromised key is distrusted for everything it ever signed;
    a merely retired one keeps its past signatures valid."""
    party_id = _require_key_admin(session, principal, authority)
    repo = PermitRepository(session)
    record = repo.key_by_kid(kid)
    if record is None or record.party_id != party_id or record.purpose != PERMIT_KEYS:
        raise KeyNotFound(kid=kid[:16])
    before = (record.status, record.valid_to)
    if compromised:
        record.status = KeyStatus.COMPROMISED
        record.valid_to = record.valid_to or clock.now()
    elif record.status == KeyStatus.ACTIVE:
        retire_signing_key(record, clock)
    if (record.status, record.valid_to) != before:
        record_key(session, record)
    repo.flush()
    publish_trust_list(session, secret, clock)
    return record


def register_external_key(
    session: Session,
    principal: Principal,
    *,
    authority: str,
    alg: int,
    public_key: bytes,
    secret: str | None,
    clock: Clock,
) -> SigningKeyRecord:
    """An authority that signs outside the hub registers its public key (the hub keeps no
    private part); it replaces the authority's current key."""
    party_id = _require_key_admin(session, principal, authority)
    # Re-encoded in its one canonical form (an ES256 point uncompressed), so one key cannot be
    # registered twice under two kids — for two authorities — by spelling it differently.
    public_key = raw_public_key(load_public_key(alg, public_key))
    repo = PermitRepository(session)
    kid = key_id(public_key).hex()
    if repo.key_by_kid(kid) is not None:
        raise PublicKeyInvalid
    old = repo.active_key(PERMIT_KEYS, party_id)
    record = SigningKeyRecord(
        party_id=party_id,
        purpose=PERMIT_KEYS,
        kid=kid,
        alg=alg,
        public_key=public_key,
        private_key_sealed=None,
        status=KeyStatus.ACTIVE,
        valid_from=clock.now(),
        valid_to=None,
        created_at=clock.now(),
    )
    repo.add(record)
    if old is not None:
        retire_signing_key(old, clock)
        record_key(session, old)
    repo.flush()
    record_key(session, record)
    publish_trust_list(session, secret, clock)
    return record


def publish_trust_list(
    session: Session,
    secret: str | None,
    clock: Clock,
    *,
    signer: Ed25519Signer | None = None,
    announces: bool = False,
) -> TrustListRecord:
    """A new trust list with every permit key (active, retired, compromised) and every
    governance key (with the ``governance`` role, which signs no permit), signed by the
    governance key (or ``signer``, the outgoing key of a rollover), one sequence number above
    the last."""
    repo = PermitRepository(session)
    signer = signer or governance_signer(session, secret, clock)
    codes = {p.id: p.code for p in PartyRepository(session).parties()}
    entries = [
        TrustEntry(
            authority=codes[k.party_id],
            alg=k.alg,
            public_key=k.public_key,
            valid_from=k.valid_from,
            valid_to=k.valid_to,
            status=k.status,
            roles=(ROLE_GOVERNANCE,) if k.purpose == GOVERNANCE_KEYS else (ROLE_PERMITS,),
        )
        for k in [*repo.keys(PERMIT_KEYS), *repo.keys(GOVERNANCE_KEYS)]
    ]
    latest = repo.latest_trust_list()
    seq = 1 if latest is None else latest.seq + 1
    now = clock.now()
    body = sign_trust_list(TrustList(seq, now, entries), signer)
    record = TrustListRecord(seq=seq, body=body, issued_at=now, announces=announces)
    repo.add(record)
    record_entry(
        session,
        kind="trust_list.published",
        subject=f"trust_list:{seq}",
        content={
            "seq": seq,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "keys": [
                {"authority": e.authority, "kid": key_id(e.public_key).hex(), "status": e.status}
                for e in entries
            ],
        },
        at=now,
        private=False,
    )
    if repo.last_revocation_seq() == 0:
        # An empty first delta: "nothing is revoked", signed, so a checkpoint can tell a
        # hub with no revocations from data it never received.
        signer = governance_signer(session, secret, clock)
        repo.add(
            RevocationDeltaRecord(
                seq=1,
                body=sign_revocation_delta(RevocationDelta(seq=1, issued_at=now), signer),
                issued_at=now,
            )
        )
    repo.flush()
    return record


def record_revocation(
    session: Session,
    *,
    cti: str,
    version: int | None,
    status: RevocationStatus,
    reason: str,
    secret: str | None,
    clock: Clock,
) -> RevocationDeltaRecord:
    """A signed revocation delta, one sequence number above the last."""
    repo = PermitRepository(session)
    seq = repo.last_revocation_seq() + 1
    now = clock.now()
    delta = RevocationDelta(
        seq=seq,
        issued_at=now,
        entries=(RevocationEntry(cti=cti, version=version, status=status, reason=reason, at=now),),
    )
    record = RevocationDeltaRecord(
        seq=seq,
        body=sign_revocation_delta(delta, governance_signer(session, secret, clock)),
        issued_at=now,
    )
    repo.add(record)
    record_entry(
        session,
        kind="revocation_delta.published",
        subject=f"revocation_delta:{seq}",
        content={"seq": seq, "cti": cti, "version": version, "status": status, "reason": reason},
        at=now,
    )
    repo.flush()
    return record


def record_heartbeat(
    session: Session, *, secret: str | None, clock: Clock
) -> RevocationDeltaRecord:
    """An empty signed delta: "nothing new is revoked, as of now"."""
    repo = PermitRepository(session)
    seq = repo.last_revocation_seq() + 1
    now = clock.now()
    record = RevocationDeltaRecord(
        seq=seq,
        body=sign_revocation_delta(
            RevocationDelta(seq=seq, issued_at=now), governance_signer(session, secret, clock)
        ),
        issued_at=now,
    )
    repo.add(record)
    repo.flush()
    return record


def job_handlers(secret: str | None) -> dict[str, JobHandler]:
    """What permits does when told of other features' changes: a new authority gets its
    signing key, published in a new trust list."""

    def authority_created(session: Session, payload: dict[str, Any], clock: Clock) -> None:
        if not secret:
            return  # a hub without its secret holds no keys; the key is made on first need
        ensure_permit_key(session, int(payload["party_id"]), secret, clock)

    return {AUTHORITY_CREATED: authority_created}
