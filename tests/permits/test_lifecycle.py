"""A permit's life through its plain-value interface, on the real database: issued from
``PermitTerms`` (of an application only the row its reference points to), re-issued,
suspended, reinstated, revoked and retired, with the token and revocation deltas it signs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tansiq.clearances.domain import ApplicationStatus
from tansiq.clearances.models import ApplicationRecord
from tansiq.core.clock import FixedClock
from tansiq.parties.repository import PartyRepository
from tansiq.permits.claims import Vehicle, claims_from_cbor
from tansiq.permits.domain import (
    Condition,
    ConditionKind,
    KeyPurpose,
    PermitAction,
    PermitStateConflict,
    PermitStatus,
)
from tansiq.permits.keys import ALG_EDDSA, load_public_key
from tansiq.permits.lifecycle import change_permit, issue_permit, retire_permits
from tansiq.permits.repository import PermitRepository
from tansiq.permits.service import governance_public_keys
from tansiq.permits.terms import CargoLine, Holder, PermitFacts, PermitTerms
from tansiq.permits.trust import KeyStatus, RevocationStatus, load_revocation_delta
from tansiq.settings import Settings

SALT = bytes(range(16))


@pytest.fixture
def reference(session: Session, clock: FixedClock) -> int:
    """The one thing of an application a permit needs: a row for its reference to name."""
    parties = PartyRepository(session)
    trader = parties.user_by_username("trader")
    assert trader is not None
    row = ApplicationRecord(
        applicant_party_id=trader.party_id,
        applicant_user_id=trader.id,
        client_reference="LIFECYCLE-1",
        status=ApplicationStatus.APPROVED,
        valid_from=clock.now(),
        valid_until=clock.now() + timedelta(days=2),
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row.id


def authority(session: Session, code: str) -> int:
    party = PartyRepository(session).party_by_code(code)
    assert party is not None
    return party.id


def user(session: Session, username: str) -> int:
    found = PartyRepository(session).user_by_username(username)
    assert found is not None
    return found.id


def terms(session: Session, clock: FixedClock, reference: int, version: int = 1) -> PermitTerms:
    west, east = authority(session, "west-command"), authority(session, "east-force")
    return PermitTerms(
        reference=reference,
        reference_version=version,
        facts=PermitFacts(
            holder=Holder(
                name_ar="سمير الحلبي",
                name_latin="Samir al-Halabi",
                id_hash=bytes(32),
                id_salt=SALT,
            ),
            vehicle=Vehicle(plate="12 345 AB", kind="truck"),
            cargo=(CargoLine(quantity=400, unit="bags", description="Wheat flour"),),
            origin="West Gate depot",
            destination="Grain Market",
            route=((35.0, 33.0), (35.01, 33.0)),
            checkpoints=("W-GATE", "E-GATE"),
        ),
        valid_from=clock.now(),
        valid_until=clock.now() + timedelta(days=2),
        authority_ids=(east, west),
        conditions=((west, Condition(ConditionKind.VIA_CHECKPOINTS, ("W-GATE",))),),
    )


def test_a_permit_is_issued_from_plain_terms_and_signed_by_each_authority(
    session: Session, clock: FixedClock, settings: Settings, reference: int
) -> None:
    given = terms(session, clock, reference)
    permit = issue_permit(session, given, clock, secret=settings.secret_key)
    west = authority(session, "west-command")

    assert permit.status is PermitStatus.ACTIVE
    assert (permit.reference, permit.version, permit.reference_version) == (reference, 1, 1)
    assert permit.number == f"P-{reference:06d}-1"
    assert permit.authority_ids == sorted(given.authority_ids)
    assert permit.conditions == [
        {"authority_id": west, "kind": "via_checkpoints", "checkpoints": ["W-GATE"]}
    ]
    token = PermitRepository(session).token_of(permit.id)
    assert token is not None
    assert token.token is not None  # both authorities' keys are held by the hub
    claims = claims_from_cbor(token.payload)
    assert (claims.cti, claims.version) == (permit.cti, 1)
    assert claims.driver.name == "Samir al-Halabi"
    assert claims.cargo == "400 bags Wheat flour"
    assert claims.checkpoints == ("W-GATE", "E-GATE")
    assert [(c.kind, c.detail) for c in claims.conditions] == [("via_checkpoints", "W-GATE")]
    assert len(claims.required_kids) == 2


def test_without_the_hubs_secret_nothing_is_signed(
    session: Session, clock: FixedClock, reference: int
) -> None:
    permit = issue_permit(session, terms(session, clock, reference), clock)
    assert permit.status is PermitStatus.ACTIVE
    assert PermitRepository(session).token_of(permit.id) is None


def test_a_new_version_supersedes_every_live_one(
    session: Session, clock: FixedClock, reference: int
) -> None:
    first = issue_permit(session, terms(session, clock, reference), clock)
    change_permit(
        session,
        first,
        PermitAction.SUSPEND,
        actor=user(session, "west.reviewer"),
        reason_code="route_closed",
        note="",
        clock=clock,
    )
    second = issue_permit(session, terms(session, clock, reference, version=2), clock)

    assert first.status is PermitStatus.SUPERSEDED
    assert (second.status, second.version, second.reference_version) == (PermitStatus.ACTIVE, 2, 2)
    assert [p.id for p in PermitRepository(session).permits(reference)] == [first.id, second.id]


def test_suspend_reinstate_revoke_and_each_signed_delta(
    session: Session, clock: FixedClock, settings: Settings, reference: int
) -> None:
    secret = settings.secret_key
    permit = issue_permit(session, terms(session, clock, reference), clock, secret=secret)
    reviewer = user(session, "west.reviewer")
    repo = PermitRepository(session)
    keys = [load_public_key(ALG_EDDSA, k) for k in governance_public_keys(session)]

    steps = [
        (PermitAction.SUSPEND, PermitStatus.SUSPENDED, RevocationStatus.SUSPENDED),
        (PermitAction.REINSTATE, PermitStatus.ACTIVE, RevocationStatus.REINSTATED),
        (PermitAction.REVOKE, PermitStatus.REVOKED, RevocationStatus.REVOKED),
    ]
    for action, status, revocation in steps:
        before = repo.last_revocation_seq()
        clock.advance(timedelta(minutes=5))
        change_permit(
            session,
            permit,
            action,
            actor=reviewer,
            reason_code="security_concern",
            note="  Seal\u0301 broken  ",
            clock=clock,
            secret=secret,
        )
        assert permit.status is status
        assert (permit.status_changed_by, permit.status_changed_at) == (reviewer, clock.now())
        assert permit.status_reason_code == "security_concern"
        assert permit.status_note == "Sea\u013a broken"  # as any text the hub keeps
        [delta] = repo.deltas_since(before)
        [entry] = load_revocation_delta(delta.body, keys).entries
        assert (entry.cti, entry.version, entry.status) == (permit.cti, 1, revocation)

    for action in PermitAction:
        with pytest.raises(PermitStateConflict):
            change_permit(
                session,
                permit,
                action,
                actor=reviewer,
                reason_code="other",
                note="",
                clock=clock,
                secret=secret,
            )
    assert permit.status is PermitStatus.REVOKED


@pytest.mark.parametrize("ending", [PermitStatus.WITHDRAWN, PermitStatus.EXPIRED])
def test_retiring_ends_live_versions_and_leaves_ended_ones(
    session: Session, clock: FixedClock, reference: int, ending: PermitStatus
) -> None:
    first = issue_permit(session, terms(session, clock, reference), clock)
    second = issue_permit(session, terms(session, clock, reference, version=2), clock)
    retire_permits(session, reference, ending, clock, actor=user(session, "trader"))
    assert (first.status, second.status) == (PermitStatus.SUPERSEDED, ending)
    assert second.status_changed_by == user(session, "trader")
    assert PermitRepository(session).active_permits(clock.now()) == []


def test_statuses_and_purposes_read_back_as_their_enums(
    session: Session, clock: FixedClock, settings: Settings, reference: int
) -> None:
    permit = issue_permit(
        session, terms(session, clock, reference), clock, secret=settings.secret_key
    )
    session.expire_all()
    repo = PermitRepository(session)
    [stored] = repo.permits(reference)
    assert stored.status is PermitStatus.ACTIVE
    assert stored.id == permit.id
    keys = repo.keys(KeyPurpose.PERMIT)
    assert keys
    assert all(k.purpose is KeyPurpose.PERMIT and k.status is KeyStatus.ACTIVE for k in keys)
    assert [k.purpose for k in repo.keys(KeyPurpose.GOVERNANCE)] == [KeyPurpose.GOVERNANCE]
