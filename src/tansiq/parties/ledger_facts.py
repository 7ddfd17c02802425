"""What the ledger records about parties and users, derived from their rows by one function
each: used when the change is recorded, by ``tansiq ledger verify`` to re-derive it from the
live row, and by the back-fill. The sources select only the columns they read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.ledger.audit import ExpectedEntry, LedgerSource
from tansiq.parties.models import PartyRecord, UserRecord, UserRoleRecord


def party_content(party: Any) -> dict[str, Any]:
    """A party as created (public: every party may know who the others are)."""
    return {
        "code": party.code,
        "kind": str(party.kind),
        "name_ar": party.name_ar,
        "name_en": party.name_en,
    }


def user_content(user: Any, roles: Iterable[str]) -> dict[str, Any]:
    """A user's party, name and roles (need-to-know: digest only)."""
    return {"party": user.party_id, "username": user.username, "roles": sorted(roles)}


def _parties(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    return {
        f"party:{row.id}": [
            ExpectedEntry("party.created", row.created_at, party_content(row), private=False)
        ]
        for row in session.execute(
            select(
                PartyRecord.id,
                PartyRecord.code,
                PartyRecord.kind,
                PartyRecord.name_ar,
                PartyRecord.name_en,
                PartyRecord.created_at,
            )
        )
    }


def _users(session: Session) -> Mapping[str, Sequence[ExpectedEntry]]:
    roles: dict[int, list[str]] = {}
    for user_id, role in session.execute(select(UserRoleRecord.user_id, UserRoleRecord.role)):
        roles.setdefault(user_id, []).append(str(role))
    return {
        f"user:{row.id}": [
            ExpectedEntry("user.created", row.created_at, user_content(row, roles.get(row.id, [])))
        ]
        for row in session.execute(
            select(UserRecord.id, UserRecord.party_id, UserRecord.username, UserRecord.created_at)
        )
    }


SOURCES = (
    LedgerSource("parties", ("party.",), _parties, latest_only=True),
    LedgerSource("users and roles", ("user.",), _users, latest_only=True),
)
