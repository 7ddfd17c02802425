"""Use cases of liaison threads: start one (about a notification or free standing), write in
it, read it. Services flush; the edge commits.

A thread's members are parties, and nobody else reads it but the hub's operator. A thread about
a notification may hold only parties that already see that notification (its notifier and the
parties it reached), so a thread never tells anyone that a movement or a site exists.

Each message reaches every other member through the outbox (an inbox entry linked to the thread;
webhooks and e-mail say only who wrote where, never what), with a receipt per party: delivered
when, first read when and by whom. Reading notes the receipts after the read, in a bookkeeping
unit of its own, so a read takes no write lock. Every message is on the ledger, as a digest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from tansiq.core.clock import Clock
from tansiq.core.errors import NotFound
from tansiq.core.i18n import N_
from tansiq.core.text import normalise_text
from tansiq.db.unit_of_work import record_after
from tansiq.deconfliction import access
from tansiq.deconfliction.models import (
    ThreadMemberRecord,
    ThreadMessageRecord,
    ThreadReceiptRecord,
    ThreadRecord,
)
from tansiq.deconfliction.notices import party_names
from tansiq.deconfliction.repository import DeconflictionRepository
from tansiq.deconfliction.repository_threads import ThreadRepository
from tansiq.deconfliction.service import visible_notification
from tansiq.deconfliction.thread_domain import (
    MAX_TOPIC,
    EmptyTopic,
    NotAMember,
    ThreadError,
    TooLong,
    check_members,
    check_message,
    check_template,
)
from tansiq.ledger.service import record_entry
from tansiq.notify.service import notify_party
from tansiq.parties import access as party_access
from tansiq.parties.directory import parties
from tansiq.parties.domain import PartyKind, Principal
from tansiq.parties.models import PartyRecord

MESSAGE_KIND = "deconfliction.thread_message"
MESSAGE_TITLE = N_("{party} wrote to you: {topic}")
MESSAGE_BODY = N_(
    "A new message in a liaison thread. Open the thread to read it; your party's first "
    "reading is recorded and shown to the writer."
)


class ThreadNotFound(NotFound):
    code = "thread.not_found"
    message = N_("No thread {thread} that you may see.")


class UnknownParty(ThreadError):
    code = "thread.party_unknown"
    message = N_("There is no party {party} that may take part in a thread.")


class NotConcerned(ThreadError):
    code = "thread.party_not_concerned"
    message = N_(
        "{party} is not concerned by notification {notification}; a thread about it may hold "
        "only its notifier and the parties it reached."
    )


@dataclass(frozen=True)
class NewMessage:
    template: str | None
    params: dict[str, str]
    text: str


@dataclass(frozen=True)
class ThreadView:
    """A thread as one principal may see it."""

    thread: ThreadRecord
    members: list[int]
    messages: list[ThreadMessageRecord]
    receipts: list[ThreadReceiptRecord]


def may_write(principal: Principal) -> bool:
    """Who speaks in threads: a party's liaison officers and admins (not the hub, which reads
    every thread, and not a trader)."""
    return access.can_notify(principal)


def start_thread(
    session: Session,
    principal: Principal,
    *,
    topic: str,
    members: Sequence[str],
    notification_id: int | None,
    first: NewMessage,
    clock: Clock,
) -> ThreadRecord:
    """A thread between the principal's party and ``members`` (party codes), with its first
    message; checked whole before anything is stored."""
    party_access.require(may_write(principal))
    topic = normalise_text(topic).strip()
    if not topic:
        raise EmptyTopic
    if len(topic) > MAX_TOPIC:
        raise TooLong(field="topic", limit=MAX_TOPIC)
    known = {p.code: p for p in parties(session) if _may_join(p)}
    chosen: set[int] = set()
    for code in members:
        found = known.get(code.strip())
        if found is None:
            raise UnknownParty(party=code.strip()[:60])
        chosen.add(found.id)
    others = check_members(principal.party_id, chosen)
    if notification_id is not None:
        notification = visible_notification(session, principal, notification_id)
        concerned = DeconflictionRepository(session).reached_party_ids(notification.id)
        concerned.add(notification.notifier_party_id)
        by_id = {p.id: p for p in known.values()}
        outside = sorted(others - concerned)
        if outside:
            raise NotConcerned(party=by_id[outside[0]].code, notification=notification_id)
    message = _checked(first)
    now = clock.now()
    repo = ThreadRepository(session)
    thread = ThreadRecord(
        notification_id=notification_id,
        topic=topic,
        started_by_party=principal.party_id,
        started_by=principal.user_id,
        created_at=now,
        last_message_at=now,
    )
    repo.add(thread)
    repo.flush()
    for party_id in [principal.party_id, *sorted(others)]:
        repo.add(ThreadMemberRecord(thread_id=thread.id, party_id=party_id, added_at=now))
    repo.flush()
    _ledger(
        session,
        "thread_started",
        thread,
        {"members": [principal.party_id, *sorted(others)], "by": principal.user_id},
        now,
    )
    _store_message(session, principal, thread, message, clock)
    return thread


def post_message(
    session: Session, principal: Principal, thread_id: int, new: NewMessage, clock: Clock
) -> ThreadMessageRecord:
    """A message in a thread the principal's party is a member of."""
    repo = ThreadRepository(session)
    thread = _visible(session, principal, thread_id)
    if principal.party_id not in repo.member_ids(thread.id) or not may_write(principal):
        raise NotAMember
    message = _checked(new)
    locked = repo.lock_thread(thread.id)
    assert locked is not None  # noqa: S101 - read just above
    return _store_message(session, principal, locked, message, clock)


def threads(
    session: Session,
    principal: Principal,
    *,
    notification_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[tuple[ThreadRecord, list[int], int]]:
    """The threads the principal may read (its party's; the hub's admins: every one), latest
    first, each with its members and how many messages its party has not read yet."""
    if notification_id is not None:
        visible_notification(session, principal, notification_id)
    hub = party_access.is_hub_admin(principal)
    repo = ThreadRepository(session)
    found = list(repo.threads(None if hub else principal.party_id, notification_id, limit, offset))
    ids = [t.id for t in found]
    members = repo.members_of(ids)
    unread = repo.unread_counts(ids, principal.party_id)
    return [(t, members[t.id], unread.get(t.id, 0)) for t in found]


def thread_view(session: Session, principal: Principal, thread_id: int, clock: Clock) -> ThreadView:
    """One thread with its messages and every receipt; the reader's party's unread messages
    are noted as read, by this user, right after the read."""
    repo = ThreadRepository(session)
    thread = _visible(session, principal, thread_id)
    view = ThreadView(
        thread=thread,
        members=repo.member_ids(thread.id),
        messages=list(repo.messages(thread.id)),
        receipts=list(repo.receipts(thread.id)),
    )
    unread = [r.id for r in view.receipts if r.party_id == principal.party_id and r.read_at is None]
    if unread:
        now = clock.now()

        def note(later: Session) -> None:
            again = ThreadRepository(later)
            marked = []
            for receipt in again.unread(thread.id, principal.party_id):
                receipt.read_at, receipt.read_by = now, principal.user_id
                marked.append(receipt.message_id)
            if marked:
                again.flush()
                record_entry(
                    later,
                    kind="deconfliction.thread_read",
                    subject=f"thread:{thread.id}",
                    content={
                        "thread": thread.id,
                        "party": principal.party_id,
                        "by": principal.user_id,
                        "messages": marked,
                    },
                    at=now,
                )

        record_after(session, note)
    return view


def thread_counts(session: Session) -> tuple[int, int]:
    """How many threads and messages there are, without a name, a word or a party."""
    return ThreadRepository(session).counts()


def concerned_parties(
    session: Session, principal: Principal, notification_id: int | None
) -> list[PartyRecord]:
    """The parties a new thread may hold: those concerned by the notification, or any."""
    candidates = [p for p in parties(session) if _may_join(p) and p.id != principal.party_id]
    if notification_id is None:
        return candidates
    notification = visible_notification(session, principal, notification_id)
    concerned = DeconflictionRepository(session).reached_party_ids(notification.id)
    concerned.add(notification.notifier_party_id)
    return [p for p in candidates if p.id in concerned]


# --- helpers -----------------------------------------------------------------------------------


def _may_join(party: PartyRecord) -> bool:
    return party.kind not in (PartyKind.HUB, PartyKind.TRADER)


def _visible(session: Session, principal: Principal, thread_id: int) -> ThreadRecord:
    """The thread, for a member party's user or the hub's admins; otherwise "not found"."""
    repo = ThreadRepository(session)
    thread = repo.thread(thread_id)
    if thread is None:
        raise ThreadNotFound(thread=thread_id)
    if party_access.is_hub_admin(principal):
        return thread
    if principal.party_id in repo.member_ids(thread.id):
        return thread
    raise ThreadNotFound(thread=thread_id)


def _checked(new: NewMessage) -> NewMessage:
    check_message(new.template, new.text)
    text = normalise_text(new.text) if new.template is None else ""
    params = {} if new.template is None else check_template(new.template, new.params)
    return NewMessage(template=new.template, params=params, text=text)


def _store_message(
    session: Session,
    principal: Principal,
    thread: ThreadRecord,
    new: NewMessage,
    clock: Clock,
) -> ThreadMessageRecord:
    repo = ThreadRepository(session)
    now = clock.now()
    message = ThreadMessageRecord(
        thread_id=thread.id,
        party_id=principal.party_id,
        user_id=principal.user_id,
        template=new.template,
        params=new.params,
        text=new.text,
        created_at=now,
    )
    repo.add(message)
    thread.last_message_at = now
    repo.flush()
    writer = party_names(session, principal.party_id)
    for party_id in repo.member_ids(thread.id):
        if party_id == principal.party_id:
            continue
        event = notify_party(
            session,
            party_id=party_id,
            kind=MESSAGE_KIND,
            title=MESSAGE_TITLE,
            body=MESSAGE_BODY,
            params={**writer, "topic": thread.topic, "thread": thread.id},
            subject=f"thread:{thread.id}",
            clock=clock,
        )
        repo.add(
            ThreadReceiptRecord(
                message_id=message.id,
                thread_id=thread.id,
                party_id=party_id,
                event_id=event.id,
                delivered_at=now,
            )
        )
    repo.flush()
    _ledger(
        session,
        "thread_message",
        thread,
        {
            "message": message.id,
            "party": principal.party_id,
            "by": principal.user_id,
            "template": new.template,
            "params": new.params,
            "text": new.text,
        },
        now,
    )
    return message


def _ledger(
    session: Session, kind: str, thread: ThreadRecord, content: dict[str, object], at: datetime
) -> None:
    """On the ledger as a digest only: what was said, and to whom, is need-to-know."""
    record_entry(
        session,
        kind=f"deconfliction.{kind}",
        subject=f"thread:{thread.id}",
        content={"thread": thread.id, "notification": thread.notification_id, **content},
        at=at,
        private=True,
    )
