"""API shapes of liaison threads: a message in, a thread in, and what a reader sees."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tansiq.core.schemas import Name
from tansiq.deconfliction.thread_domain import (
    MAX_MEMBERS,
    MAX_TEXT,
    MAX_TOPIC,
    ParamKind,
)


class MessageIn(BaseModel):
    """A template's id and its parameters (``GET /api/v1/threads/templates`` lists them; times
    are ISO 8601 with their offset, places a checkpoint's code or a name), or free text shown as
    written; exactly one of the two."""

    template: str | None = Field(default=None, max_length=40)
    params: dict[str, str] = Field(default_factory=dict, max_length=8)
    text: str = Field(default="", max_length=MAX_TEXT)


class ThreadIn(BaseModel):
    """A new thread: its topic, the other parties (codes), optionally the notification it is
    about (then only parties that notification concerns), and its first message."""

    topic: str = Field(max_length=MAX_TOPIC)
    members: list[str] = Field(min_length=1, max_length=MAX_MEMBERS)
    notification: int | None = Field(default=None, ge=1, le=2**31 - 1)
    message: MessageIn


class ReceiptOut(BaseModel):
    party: str
    delivered_at: datetime
    read_at: datetime | None
    read_by: str | None


class MessageOut(BaseModel):
    id: int
    party: str
    party_name: Name
    user: str
    template: str | None
    params: dict[str, str]
    text: str
    rendered: str  # in the caller's language; free text as written
    created_at: datetime
    receipts: list[ReceiptOut]


class MemberOut(BaseModel):
    party: str
    name: Name


class ThreadSummaryOut(BaseModel):
    id: int
    topic: str
    notification: int | None
    notification_reference: str | None  # M-12 or S-12
    members: list[MemberOut]
    created_at: datetime
    last_message_at: datetime
    unread: int  # messages your party has not read yet


class ThreadOut(ThreadSummaryOut):
    messages: list[MessageOut]


class TemplateParamOut(BaseModel):
    name: str
    kind: ParamKind


class TemplateOut(BaseModel):
    id: str
    text: str  # in the caller's language, with {named} parameters
    params: list[TemplateParamOut]


class ThreadCountsOut(BaseModel):
    threads: int
    messages: int
