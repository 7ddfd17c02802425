"""Need-to-know for incidents and advisories. One condition per line; every route and page
asks here.

Safety information is shared widely on purpose: every signed-in member of every party sees
every incident and advisory, with the party that reported or issued it and the verdicts of
other parties. What no other party sees is who, inside the reporting party, reported it: the
user is kept for the hub's audit only. Impacts are need-to-know: a permit's, a movement's or a
watch's alerts are seen by the parties that were told of them, and the hub's admins.
"""

from __future__ import annotations

from collections.abc import Collection

from tansiq.parties.access import is_hub_admin
from tansiq.parties.domain import PartyKind, Principal, Role

# Who speaks for a party about what happens on the roads.
REPORTERS = frozenset({Role.LIAISON, Role.ADMIN, Role.CHECKPOINT_OFFICER})
ISSUERS = frozenset({Role.LIAISON, Role.ADMIN})
# The kinds of party that report and issue: those with people on the ground.
REPORTING_KINDS = frozenset({PartyKind.AUTHORITY, PartyKind.MUNICIPALITY, PartyKind.ORGANISATION})


def can_see(principal: Principal) -> bool:
    """Incidents and advisories: every signed-in member of every party."""
    return principal.user_id > 0


def can_report(principal: Principal) -> bool:
    """Report an incident, or corroborate or refute another party's."""
    if principal.party_kind not in REPORTING_KINDS:
        return False
    return bool(principal.roles & REPORTERS)


def can_issue(principal: Principal) -> bool:
    """Issue, co-sign or withdraw an advisory for one's own party."""
    if is_hub_admin(principal):
        return True
    if principal.party_kind not in REPORTING_KINDS:
        return False
    return bool(principal.roles & ISSUERS)


def can_close_checkpoint(principal: Principal, authority_id: int) -> bool:
    """A checkpoint-closed advisory closes the checkpoint: its own authority, or the hub."""
    if is_hub_admin(principal):
        return True
    if principal.party_id != authority_id:
        return False
    return bool(principal.roles & ISSUERS)


def can_end_advisory(principal: Principal, issuer_party_id: int) -> bool:
    """Withdraw: the issuing party, or the hub's admins."""
    if is_hub_admin(principal):
        return True
    if principal.party_id != issuer_party_id:
        return False
    return bool(principal.roles & ISSUERS)


def can_watch(principal: Principal) -> bool:
    """Any party may watch an area or a route for itself (a trader its usual road too)."""
    if principal.user_id <= 0:
        return False
    return bool(principal.roles & (ISSUERS | {Role.APPLICANT}))


def owns_watch(principal: Principal, watch_party_id: int) -> bool:
    return principal.party_id == watch_party_id


def can_see_impact(principal: Principal, told_party_ids: Collection[int]) -> bool:
    """An alert on a permit, movement or watch: the parties told of it, and the hub."""
    if is_hub_admin(principal):
        return True
    return principal.party_id in told_party_ids
