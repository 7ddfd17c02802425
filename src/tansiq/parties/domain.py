"""Parties, roles and who may hold them: pure rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import N_, NP_


class PartyKind(StrEnum):
    AUTHORITY = "authority"
    MUNICIPALITY = "municipality"
    ORGANISATION = "organisation"
    TRADER = "trader"
    HUB = "hub"


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    CHECKPOINT_OFFICER = "checkpoint_officer"
    LIAISON = "liaison"
    OBSERVER = "observer"
    APPLICANT = "applicant"


# Which roles a member of each kind of party may hold. An authority reviews and mans
# checkpoints; a trader applies; the municipality and organisations observe and liaise.
ROLES_BY_KIND: dict[PartyKind, frozenset[Role]] = {
    PartyKind.AUTHORITY: frozenset(
        {Role.ADMIN, Role.REVIEWER, Role.CHECKPOINT_OFFICER, Role.LIAISON, Role.OBSERVER}
    ),
    PartyKind.MUNICIPALITY: frozenset({Role.ADMIN, Role.OBSERVER, Role.LIAISON}),
    PartyKind.ORGANISATION: frozenset({Role.ADMIN, Role.LIAISON, Role.OBSERVER, Role.APPLICANT}),
    PartyKind.TRADER: frozenset({Role.ADMIN, Role.APPLICANT}),
    PartyKind.HUB: frozenset({Role.ADMIN, Role.OBSERVER}),
}

PARTY_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
MIN_PASSWORD_LENGTH = 10


class RoleNotAllowed(TansiqError):
    code = "party.role_not_allowed"
    message = N_('A member of a party of kind "{kind}" cannot hold the role "{role}".')


class BadPartyCode(TansiqError):
    code = "party.bad_code"
    message = N_("A party code is 2 to 40 lowercase letters, digits, '-' or '_'.")


class BadUsername(TansiqError):
    code = "user.bad_username"
    message = N_("A username is 3 to 64 lowercase letters, digits, '.', '-' or '_'.")


class WeakPassword(TansiqError):
    code = "user.weak_password"
    message = NP_(
        "A password needs at least {count} character.",
        "A password needs at least {count} characters.",
    )


class NotAnAuthority(TansiqError):
    code = "party.not_authority"
    message = N_('Party "{party}" is not an authority.')


def check_roles(kind: PartyKind, roles: frozenset[Role]) -> None:
    """Refuse any role that a member of a party of ``kind`` may not hold."""
    refused = sorted(roles - ROLES_BY_KIND[kind])
    if refused:
        raise RoleNotAllowed(kind=kind.value, role=refused[0].value)


def check_party_code(code: str) -> str:
    if not PARTY_CODE.fullmatch(code):
        raise BadPartyCode
    return code


def check_username(username: str) -> str:
    username = username.strip().lower()
    if not USERNAME.fullmatch(username):
        raise BadUsername
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(count=MIN_PASSWORD_LENGTH)
    return password


@dataclass(frozen=True)
class Principal:
    """Who is acting: a user of a party, with the roles they hold."""

    user_id: int
    username: str
    party_id: int
    party_kind: PartyKind
    roles: frozenset[Role]
