"""Need-to-know for notifications. One condition per line; every route and page asks here.

A notification, its geometry, its acknowledgements and conflicts are seen by its notifier's
party, the parties it reached and the hub's operator; nobody else learns that it exists.
Observers and the municipality see counts and timings only.
"""

from __future__ import annotations

from collections.abc import Collection

from tansiq.parties.access import is_hub_admin
from tansiq.parties.domain import PartyKind, Principal, Role

# Who speaks for a party in deconfliction: its liaison officers, and its admins.
SPEAKERS = frozenset({Role.LIAISON, Role.ADMIN})


def can_notify(principal: Principal) -> bool:
    """File, update, withdraw or re-confirm for one's own party."""
    if principal.party_kind in (PartyKind.HUB, PartyKind.TRADER):
        return False
    return bool(principal.roles & SPEAKERS)


def can_acknowledge(principal: Principal, party_id: int) -> bool:
    """Only for one's own party, never another's."""
    if principal.party_id != party_id:
        return False
    return bool(principal.roles & SPEAKERS)


def is_notifier(principal: Principal, notifier_party_id: int) -> bool:
    return principal.party_id == notifier_party_id


def can_see(principal: Principal, notifier_party_id: int, reached: Collection[int]) -> bool:
    """A notification: its notifier, a party it reached (any version), or the hub's admins."""
    if is_hub_admin(principal):
        return True
    if is_notifier(principal, notifier_party_id):
        return True
    return principal.party_id in reached


def sees_every_party(principal: Principal, notifier_party_id: int) -> bool:
    """Every party's acknowledgement and why it was included: the notifier and the hub."""
    if is_hub_admin(principal):
        return True
    return is_notifier(principal, notifier_party_id)
