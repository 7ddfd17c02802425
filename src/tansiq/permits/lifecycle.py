"""A permit's life: issue (a new version, signed by every authority named in its terms), the
end of the versions before it, suspension, reinstatement and revocation. It takes plain values
(:class:`~tansiq.permits.terms.PermitTerms`) and knows nothing of what a permit is issued for;
who may act on a permit is decided by whoever asks. Services flush; the edge commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.text import normalise_text
from tansiq.ledger.service import record_entry
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository
from tansiq.permits.domain import LIVE, PermitAction, PermitStatus, status_after
from tansiq.permits.ledger_facts import permit_content
from tansiq.permits.models import PermitRecord, PermitTokenRecord
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import ensure_permit_key, record_revocation
from tansiq.permits.signing import issue_token
from tansiq.permits.terms import PermitTerms, permit_claims
from tansiq.permits.trust import RevocationStatus
from tansiq.tallies.domain import Tally
from tansiq.tallies.service import tally_one

REVOCATION_BY_ACTION = {
    PermitAction.SUSPEND: RevocationStatus.SUSPENDED,
    PermitAction.REVOKE: RevocationStatus.REVOKED,
    PermitAction.REINSTATE: RevocationStatus.REINSTATED,
}


def issue_permit(
    session: Session, terms: PermitTerms, clock: Clock, secret: str | None = None
) -> PermitRecord:
    """A new version of the permit for ``terms.reference``; the versions before it are
    superseded. With the hub's ``secret`` it is also signed by every authority in the terms,
    at once with keys the hub holds (see :func:`~tansiq.permits.signing.issue_token`)."""
    if secret is not None:
        # Keys first: a key made after the permit's issue time would not be trusted for it.
        for authority in terms.authority_ids:
            ensure_permit_key(session, authority, secret, clock)
    retire_permits(session, terms.reference, PermitStatus.SUPERSEDED, clock)
    repo = PermitRepository(session)
    permit = PermitRecord(
        reference=terms.reference,
        version=len(repo.permits(terms.reference)) + 1,
        reference_version=terms.reference_version,
        status=PermitStatus.ACTIVE,
        issued_at=clock.now(),
        valid_from=terms.valid_from,
        valid_until=terms.valid_until,
        authority_ids=sorted(terms.authority_ids),
        conditions=[{"authority_id": a, **c.as_json()} for a, c in terms.conditions],
        status_note="",
    )
    repo.add(permit)
    repo.flush()
    _record(session, permit, "permit.issued", permit.issued_at)
    if secret is not None:
        _sign(session, permit, terms, secret, clock)
    return permit


def retire_permits(
    session: Session,
    reference: int,
    status: PermitStatus,
    clock: Clock,
    actor: int | None = None,
) -> None:
    """End every live (active or suspended) version of the permit for ``reference`` with
    ``status``: superseded, withdrawn or expired."""
    for permit in PermitRepository(session).permits(reference):
        if permit.status in LIVE:
            permit.status = status
            permit.status_changed_at, permit.status_changed_by = clock.now(), actor
            _record(session, permit, f"permit.{status}", clock.now())


def change_permit(
    session: Session,
    permit: PermitRecord,
    action: PermitAction,
    *,
    actor: int,
    reason_code: str,
    note: str,
    clock: Clock,
    secret: str | None = None,
) -> PermitRecord:
    """Suspend, reinstate or revoke ``permit`` (a :class:`PermitStateConflict` if its status
    does not allow it). With the hub's ``secret`` the change goes out in a signed revocation
    delta, which is how checkpoints learn of it."""
    permit.status = status_after(permit.status, action)
    permit.status_changed_at, permit.status_changed_by = clock.now(), actor
    permit.status_reason_code = reason_code
    permit.status_note = normalise_text(note)
    PermitRepository(session).flush()
    _record(session, permit, f"permit.{permit.status}", clock.now())
    if permit.status == PermitStatus.REVOKED:
        by = PartyRepository(session).user(actor)
        party = 0 if by is None else by.party_id
        tally_one(session, Tally.REVOKED, clock.now(), party=party, reason=reason_code)
    if secret is not None:
        record_revocation(
            session,
            cti=permit.cti,
            version=permit.version,
            status=REVOCATION_BY_ACTION[action],
            reason=reason_code,
            secret=secret,
            clock=clock,
        )
    return permit


def _sign(
    session: Session, permit: PermitRecord, terms: PermitTerms, secret: str, clock: Clock
) -> PermitTokenRecord:
    claims = permit_claims(
        terms.facts,
        issuer=issuer_code(session),
        reference=permit.reference,
        version=permit.version,
        issued_at=permit.issued_at,
        valid_from=permit.valid_from,
        valid_until=permit.valid_until,
        conditions=tuple(condition for _, condition in terms.conditions),
        signers=len(permit.authority_ids),
    )
    return issue_token(
        session,
        permit_id=permit.id,
        claims=claims,
        authority_ids=list(permit.authority_ids),
        secret=secret,
        clock=clock,
    )


def issuer_code(session: Session) -> str:
    """Who issues permits, as the token names it: the hub party's code."""
    hubs = PartyRepository(session).parties(PartyKind.HUB)
    return hubs[0].code if hubs else "tansiq"


def _record(session: Session, permit: PermitRecord, kind: str, at: datetime) -> None:
    """The permit's new state on the ledger (its content is need-to-know: digest only)."""
    record_entry(
        session,
        kind=kind,
        subject=f"permit:{permit.id}",
        content=permit_content(permit),
        at=at,
    )
