"""Need-to-know for clearances. One condition per line; every route and command asks here.

An applicant's party sees its own applications; an authority sees those that need (or
needed) its decision; the municipality sees those under appeal or overdue and those it was
told about (a checkpoint refusing a permit its own authority signed, a suspected copy); the
hub's admins see everything.
"""

from __future__ import annotations

from dataclasses import dataclass

from tansiq.parties.access import is_hub_admin
from tansiq.parties.domain import PartyKind, Principal, Role


def can_apply(principal: Principal) -> bool:
    return Role.APPLICANT in principal.roles


def is_applicant_party(principal: Principal, applicant_party_id: int) -> bool:
    return principal.party_id == applicant_party_id


def can_change_application(principal: Principal, applicant_party_id: int) -> bool:
    """Amend, withdraw, appeal: applicants of the party that applied."""
    if not can_apply(principal):
        return False
    return is_applicant_party(principal, applicant_party_id)


def can_view_application(
    principal: Principal,
    applicant_party_id: int,
    reviewing_authorities: frozenset[int],
    under_oversight: bool,
) -> bool:
    if is_hub_admin(principal):
        return True
    if is_applicant_party(principal, applicant_party_id):
        return True
    if principal.party_id in reviewing_authorities:
        return True
    if principal.party_kind is not PartyKind.MUNICIPALITY:
        return False
    return under_oversight


def can_decide(principal: Principal, authority_id: int) -> bool:
    if principal.party_id != authority_id:
        return False
    return Role.REVIEWER in principal.roles


def can_change_permit(principal: Principal, signer_ids: frozenset[int]) -> bool:
    """Revoke, suspend or reinstate: reviewers and admins of an authority that approved it."""
    if principal.party_id not in signer_ids:
        return False
    return bool({Role.REVIEWER, Role.ADMIN} & principal.roles)


@dataclass(frozen=True)
class ApplicationScope:
    """Which applications a caller's lists hold: all of them (the hub's admins), its own as
    applicant, those its authority reviews, those under oversight (the municipality)."""

    everything: bool
    party_id: int
    as_applicant: bool
    as_authority: bool
    as_overseer: bool
