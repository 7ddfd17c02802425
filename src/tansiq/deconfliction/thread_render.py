"""Liaison threads as a reader sees them: each template message rendered in the reader's
language at display time, a checkpoint named in the reader's script, every time in the
deployment's zone; free text as written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy.orm import Session

from tansiq.core.i18n import Locale, translate
from tansiq.core.schemas import Name
from tansiq.core.text import name_in
from tansiq.deconfliction.models import ThreadMessageRecord, ThreadRecord
from tansiq.deconfliction.planning import reference
from tansiq.deconfliction.repository import DeconflictionRepository
from tansiq.deconfliction.thread_domain import TEMPLATES, ParamKind
from tansiq.deconfliction.thread_schemas import (
    MemberOut,
    MessageOut,
    ReceiptOut,
    TemplateOut,
    TemplateParamOut,
    ThreadOut,
    ThreadSummaryOut,
)
from tansiq.deconfliction.threads import ThreadView
from tansiq.geo.places import checkpoints_by_codes
from tansiq.parties.directory import parties_by_ids, usernames
from tansiq.parties.models import PartyRecord


class Reader:
    """How one reader reads: the language, the deployment's zone, and checkpoints' names."""

    def __init__(self, session: Session, locale: Locale, zone: str) -> None:
        self.session = session
        self.locale = locale
        self.zone = ZoneInfo(zone)
        self.names: dict[str, tuple[str, str]] = {}

    def learn_places(self, messages: Iterable[ThreadMessageRecord]) -> None:
        """Look up, in one query, every checkpoint the messages name."""
        codes = {
            value
            for message in messages
            if message.template in TEMPLATES
            for name, kind in TEMPLATES[message.template].params
            if kind in (ParamKind.CHECKPOINT, ParamKind.PLACE)
            and (value := message.params.get(name, ""))
        }
        for code, found in checkpoints_by_codes(self.session, codes - set(self.names)).items():
            self.names[code] = (found.name_ar, found.name_en)

    def time(self, moment: datetime) -> str:
        """A time in the deployment's zone, as the reader's language writes it."""
        local = moment.astimezone(self.zone)
        shown = format_datetime(local, "d MMM y, HH:mm", tzinfo=self.zone, locale=self.locale.value)
        return f"{shown} ({local.strftime('%Z')})"

    def message(self, message: ThreadMessageRecord) -> str:
        template = TEMPLATES.get(message.template or "")
        if template is None:
            return message.text
        values: dict[str, object] = {}
        for name, kind in template.params:
            value = message.params.get(name, "")
            if kind is ParamKind.TIME:
                values[name] = self.time(datetime.fromisoformat(value))
            elif value in self.names and kind in (ParamKind.CHECKPOINT, ParamKind.PLACE):
                ar, en = self.names[value]
                values[name] = name_in(self.locale, ar, en) or value
            else:
                values[name] = value
        return translate(template.text, self.locale, **values)


def templates_out(locale: Locale) -> list[TemplateOut]:
    return [
        TemplateOut(
            id=t.id,
            text=translate(t.text, locale, **{name: "{" + name + "}" for name, _ in t.params}),
            params=[TemplateParamOut(name=name, kind=kind) for name, kind in t.params],
        )
        for t in TEMPLATES.values()
    ]


def _references(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    repo = DeconflictionRepository(session)
    found = {}
    for notification_id in {i for i in ids if i is not None}:
        notification = repo.notification(notification_id)
        if notification is not None:
            found[notification_id] = reference(notification.kind, notification.id)
    return found


def summaries_out(
    session: Session, rows: list[tuple[ThreadRecord, list[int], int]]
) -> list[ThreadSummaryOut]:
    parties = parties_by_ids(session, {p for _, members, _ in rows for p in members})
    references = _references(session, [thread.notification_id for thread, _, _ in rows])
    return [
        ThreadSummaryOut(
            id=thread.id,
            topic=thread.topic,
            notification=thread.notification_id,
            notification_reference=references.get(thread.notification_id or 0),
            members=[_member(parties[p]) for p in members if p in parties],
            created_at=thread.created_at,
            last_message_at=thread.last_message_at,
            unread=unread,
        )
        for thread, members, unread in rows
    ]


def thread_out(reader: Reader, view: ThreadView, reader_party: int) -> ThreadOut:
    session = reader.session
    parties = parties_by_ids(session, {*view.members, *(m.party_id for m in view.messages)})
    users = usernames(
        session,
        {m.user_id for m in view.messages}
        | {r.read_by for r in view.receipts if r.read_by is not None},
    )
    reader.learn_places(view.messages)
    receipts: dict[int, list[ReceiptOut]] = {m.id: [] for m in view.messages}
    for r in view.receipts:
        receipts[r.message_id].append(
            ReceiptOut(
                party=_code(parties, r.party_id),
                delivered_at=r.delivered_at,
                read_at=r.read_at,
                read_by=None if r.read_by is None else users.get(r.read_by),
            )
        )
    unread = sum(1 for r in view.receipts if r.party_id == reader_party and r.read_at is None)
    return ThreadOut(
        id=view.thread.id,
        topic=view.thread.topic,
        notification=view.thread.notification_id,
        notification_reference=_references(session, [view.thread.notification_id]).get(
            view.thread.notification_id or 0
        ),
        members=[_member(parties[p]) for p in view.members if p in parties],
        created_at=view.thread.created_at,
        last_message_at=view.thread.last_message_at,
        unread=unread,
        messages=[
            MessageOut(
                id=m.id,
                party=_code(parties, m.party_id),
                party_name=_name(parties.get(m.party_id)),
                user=users.get(m.user_id, ""),
                template=m.template,
                params=m.params,
                text=m.text,
                rendered=reader.message(m),
                created_at=m.created_at,
                receipts=receipts[m.id],
            )
            for m in view.messages
        ],
    )


def _code(parties: dict[int, PartyRecord], party_id: int) -> str:
    found = parties.get(party_id)
    return "" if found is None else found.code


def _name(party: PartyRecord | None) -> Name:
    if party is None:
        return Name(ar="", en="")
    return Name(ar=party.name_ar, en=party.name_en)


def _member(party: PartyRecord) -> MemberOut:
    return MemberOut(party=party.code, name=_name(party))
