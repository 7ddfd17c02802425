"""API shapes for parties, users and tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tansiq.core.i18n import Locale
from tansiq.core.schemas import Name
from tansiq.parties.domain import PartyKind, Role
from tansiq.parties.models import PartyRecord, UserRecord


class PartyIn(BaseModel):
    code: str = Field(min_length=2, max_length=40, examples=["army"])
    kind: PartyKind
    name_ar: str = Field(default="", max_length=200)
    name_en: str = Field(default="", max_length=200)


class PartyOut(BaseModel):
    id: int
    code: str
    kind: PartyKind
    name: Name

    @classmethod
    def of(cls, record: PartyRecord) -> PartyOut:
        return cls(
            id=record.id,
            code=record.code,
            kind=record.kind,
            name=Name.pair(record.name_ar, record.name_en),
        )


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    locale: Locale = Locale.EN


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    party: str
    roles: list[Role]
    locale: Locale
    is_active: bool

    @classmethod
    def of(cls, record: UserRecord) -> UserOut:
        return cls(
            id=record.id,
            username=record.username,
            display_name=record.display_name,
            party=record.party.code,
            roles=[r.role for r in record.roles],
            locale=Locale(record.locale),
            is_active=record.is_active,
        )


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field(default="api", max_length=100)


class TokenOut(BaseModel):
    id: int
    token: str
    expires_at: datetime | None


class MeOut(BaseModel):
    user: UserOut
    party: PartyOut
