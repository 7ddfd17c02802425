"""Every query about parties, users and tokens."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import selectinload

from tansiq.db.repository import Repository
from tansiq.parties.models import (
    ApiTokenRecord,
    PartyRecord,
    SignInCounterRecord,
    UserRecord,
    UserRoleRecord,
)
from tansiq.parties.throttle import ThrottleKind


class PartyRepository(
    Repository[PartyRecord | UserRecord | ApiTokenRecord | UserRoleRecord | SignInCounterRecord]
):
    def has_parties(self) -> bool:
        return self.session.scalars(select(PartyRecord.id).limit(1)).first() is not None

    def party(self, party_id: int) -> PartyRecord | None:
        return self.session.get(PartyRecord, party_id)

    def party_by_code(self, code: str) -> PartyRecord | None:
        return self.session.scalars(select(PartyRecord).where(PartyRecord.code == code)).first()

    def parties(self, kind: str | None = None) -> Sequence[PartyRecord]:
        query = select(PartyRecord).order_by(PartyRecord.kind, PartyRecord.code)
        if kind is not None:
            query = query.where(PartyRecord.kind == kind)
        return self.session.scalars(query).all()

    def parties_by_ids(self, ids: set[int]) -> dict[int, PartyRecord]:
        if not ids:
            return {}
        rows = self.session.scalars(select(PartyRecord).where(PartyRecord.id.in_(ids)))
        return {row.id: row for row in rows}

    def parties_by_codes(self, codes: Collection[str]) -> dict[str, PartyRecord]:
        if not codes:
            return {}
        rows = self.session.scalars(select(PartyRecord).where(PartyRecord.code.in_(codes)))
        return {row.code: row for row in rows}

    def usernames(self, user_ids: Collection[int]) -> dict[int, str]:
        """Many users' usernames in one query."""
        if not user_ids:
            return {}
        rows = self.session.execute(
            select(UserRecord.id, UserRecord.username).where(UserRecord.id.in_(user_ids))
        )
        return {user_id: username for user_id, username in rows}  # noqa: C416 - rows, not pairs

    def user(self, user_id: int) -> UserRecord | None:
        return self.session.scalars(
            select(UserRecord)
            .where(UserRecord.id == user_id)
            .options(selectinload(UserRecord.roles), selectinload(UserRecord.party))
        ).first()

    def user_by_username(self, username: str) -> UserRecord | None:
        return self.session.scalars(
            select(UserRecord)
            .where(UserRecord.username == username)
            .options(selectinload(UserRecord.roles), selectinload(UserRecord.party))
        ).first()

    def users_of(self, party_id: int) -> Sequence[UserRecord]:
        return self.session.scalars(
            select(UserRecord)
            .where(UserRecord.party_id == party_id)
            .options(selectinload(UserRecord.roles), selectinload(UserRecord.party))
            .order_by(UserRecord.username)
        ).all()

    def token_by_hash(self, token_hash: str) -> ApiTokenRecord | None:
        return self.session.scalars(
            select(ApiTokenRecord).where(ApiTokenRecord.token_hash == token_hash)
        ).first()

    def token(self, token_id: int) -> ApiTokenRecord | None:
        return self.session.get(ApiTokenRecord, token_id)

    def note_token_use(self, token_id: int, now: datetime, stale_before: datetime) -> None:
        """Record ``now`` as the token's last use, unless a use since ``stale_before`` is."""
        self.session.execute(
            update(ApiTokenRecord)
            .where(ApiTokenRecord.id == token_id)
            .where(
                or_(
                    ApiTokenRecord.last_used_at.is_(None),
                    ApiTokenRecord.last_used_at < stale_before,
                )
            )
            .values(last_used_at=now)
        )

    def sign_in_counters(
        self, keys: Collection[tuple[ThrottleKind, str]]
    ) -> dict[tuple[ThrottleKind, str], SignInCounterRecord]:
        """The stored counters among ``keys`` (one query, whatever their number)."""
        if not keys:
            return {}
        wanted = or_(
            *(
                (SignInCounterRecord.kind == kind) & (SignInCounterRecord.key == key)
                for kind, key in keys
            )
        )
        return {
            (c.kind, c.key): c
            for c in self.session.scalars(select(SignInCounterRecord).where(wanted))
        }

    def forget_sign_in_counter(self, kind: ThrottleKind, key: str) -> None:
        self.session.execute(
            delete(SignInCounterRecord).where(
                SignInCounterRecord.kind == kind, SignInCounterRecord.key == key
            )
        )
