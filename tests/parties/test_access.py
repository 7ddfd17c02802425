"""Access checks, exhaustively over party kinds and roles."""

from __future__ import annotations

import itertools

import pytest

from tansiq.core.errors import Forbidden
from tansiq.parties import access
from tansiq.parties.domain import (
    ROLES_BY_KIND,
    PartyKind,
    Principal,
    Role,
    RoleNotAllowed,
    check_roles,
)

OWN, OTHER = 1, 2
PRINCIPALS = [
    Principal(user_id=10, username="u", party_id=OWN, party_kind=kind, roles=frozenset({role}))
    for kind in PartyKind
    for role in sorted(ROLES_BY_KIND[kind])
]


@pytest.mark.parametrize("principal", PRINCIPALS, ids=lambda p: f"{p.party_kind}-{min(p.roles)}")
def test_access_table(principal: Principal) -> None:
    hub_admin = principal.party_kind is PartyKind.HUB and "admin" in principal.roles
    own_admin = "admin" in principal.roles

    assert access.is_hub_admin(principal) is hub_admin
    assert access.can_create_party(principal) is hub_admin
    assert access.can_manage_users(principal, OWN) is own_admin
    assert access.can_manage_users(principal, OTHER) is hub_admin
    assert access.can_view_users(principal, OWN) is True
    assert access.can_view_users(principal, OTHER) is hub_admin
    assert access.can_manage_geography(principal, OWN) is own_admin
    assert access.can_manage_geography(principal, OTHER) is hub_admin
    assert access.can_view_geography(principal) is True


def test_require_raises_forbidden() -> None:
    access.require(True)
    with pytest.raises(Forbidden):
        access.require(False)


@pytest.mark.parametrize(("kind", "role"), list(itertools.product(PartyKind, Role)))
def test_roles_by_kind(kind: PartyKind, role: Role) -> None:
    if role in ROLES_BY_KIND[kind]:
        check_roles(kind, frozenset({role}))
    else:
        with pytest.raises(RoleNotAllowed):
            check_roles(kind, frozenset({role}))


@pytest.mark.parametrize(
    ("given", "ok"),
    [("West.Reviewer ", True), ("ab", False), ("bad name", False), ("ok_name-1.x", True)],
)
def test_usernames(given: str, ok: bool) -> None:
    from tansiq.parties.domain import BadUsername, check_username

    if ok:
        assert check_username(given) == given.strip().lower()
    else:
        with pytest.raises(BadUsername):
            check_username(given)
