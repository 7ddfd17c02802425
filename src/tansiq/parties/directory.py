"""Reading parties for other features' pages and services: names by code, the authorities an
admin manages, a party by id. Read-only; every query is the repository's."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from tansiq.core.i18n import Locale
from tansiq.core.text import name_in
from tansiq.parties import access
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.models import PartyRecord, UserRecord
from tansiq.parties.repository import PartyRepository


def names_by_code(session: Session, codes: Collection[str], locale: Locale) -> dict[str, str]:
    """The names of the parties with ``codes`` in the reader's language, by code (one query)."""
    found = PartyRepository(session).parties_by_codes(set(codes))
    return {code: name_in(locale, p.name_ar, p.name_en) for code, p in found.items()}


def name_of(party: PartyRecord, locale: Locale) -> str:
    """A party's name in the reader's language, or its code if it has none."""
    return name_in(locale, party.name_ar, party.name_en) or party.code


def party(session: Session, party_id: int) -> PartyRecord | None:
    return PartyRepository(session).party(party_id)


def parties_by_ids(session: Session, ids: Collection[int]) -> dict[int, PartyRecord]:
    """Many parties by id in one query."""
    return PartyRepository(session).parties_by_ids(set(ids))


def parties(session: Session, kind: PartyKind | None = None) -> Sequence[PartyRecord]:
    """Every party (of ``kind``), by kind and code."""
    return PartyRepository(session).parties(None if kind is None else kind.value)


def usernames(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    """Many users' usernames in one query."""
    return PartyRepository(session).usernames(user_ids)


def managed_authorities(session: Session, me: Principal) -> list[PartyRecord]:
    """The authorities whose zones, checkpoints and devices ``me`` may manage."""
    return [
        record
        for record in parties(session, PartyKind.AUTHORITY)
        if access.can_manage_geography(me, record.id)
    ]


def users_of(session: Session, party_id: int) -> Sequence[UserRecord]:
    """A party's users with their roles, by username."""
    return PartyRepository(session).users_of(party_id)
