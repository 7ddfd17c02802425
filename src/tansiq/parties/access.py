"""Who may see and do what. One condition per line; every feature asks here.

Need-to-know starts here: members of a party manage their own party; the hub's admins
manage the hub; an authority's admins manage that authority's zones and checkpoints.
"""

from __future__ import annotations

from tansiq.core.errors import Forbidden
from tansiq.parties.domain import PartyKind, Principal, Role


def is_hub_admin(principal: Principal) -> bool:
    if principal.party_kind is not PartyKind.HUB:
        return False
    return Role.ADMIN in principal.roles


def is_admin_of(principal: Principal, party_id: int) -> bool:
    if principal.party_id != party_id:
        return False
    return Role.ADMIN in principal.roles


def can_create_party(principal: Principal) -> bool:
    return is_hub_admin(principal)


def can_manage_users(principal: Principal, party_id: int) -> bool:
    if is_hub_admin(principal):
        return True
    return is_admin_of(principal, party_id)


def can_view_users(principal: Principal, party_id: int) -> bool:
    if can_manage_users(principal, party_id):
        return True
    return principal.party_id == party_id


def can_manage_geography(principal: Principal, authority_id: int) -> bool:
    """Zones and checkpoints of an authority: its own admins, or the hub's."""
    if is_hub_admin(principal):
        return True
    return is_admin_of(principal, authority_id)


def can_view_geography(principal: Principal) -> bool:
    """Zone maps and checkpoints are what routing stands on: every member may see them."""
    return principal.user_id > 0


def can_manage_base_layers(principal: Principal) -> bool:
    """Roads, rivers, built-up areas and place names belong to the deployment: its admins."""
    return is_hub_admin(principal)


def can_manage_notifications(principal: Principal, party_id: int) -> bool:
    """A party's webhooks, e-mail addresses and delivery log: its own admins, or the hub's."""
    if is_hub_admin(principal):
        return True
    return is_admin_of(principal, party_id)


def require(allowed: bool) -> None:
    """Raise :class:`Forbidden` unless ``allowed``."""
    if not allowed:
        raise Forbidden
