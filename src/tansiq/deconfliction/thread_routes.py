"""HTTP API for liaison threads: parse → service → render.

A thread the caller's party is not a member of is answered 404, like one that does not exist
(the hub's admins read every thread). Messages are rendered in the caller's language.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from tansiq.deconfliction import threads
from tansiq.deconfliction.thread_render import (
    Reader,
    summaries_out,
    templates_out,
    thread_out,
)
from tansiq.deconfliction.thread_schemas import (
    MessageIn,
    TemplateOut,
    ThreadCountsOut,
    ThreadIn,
    ThreadOut,
    ThreadSummaryOut,
)
from tansiq.parties.deps import CurrentPrincipal
from tansiq.web.deps import MAX_ID, DbSession, Hub, RecordId, RequestLocale

router = APIRouter(prefix="/api/v1/threads", tags=["threads"])
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=10**9)]


def _new(body: MessageIn) -> threads.NewMessage:
    return threads.NewMessage(template=body.template, params=body.params, text=body.text)


@router.get("/templates")
def list_templates(me: CurrentPrincipal, locale: RequestLocale) -> list[TemplateOut]:
    """The message templates, in your language, with what each parameter holds."""
    return templates_out(locale)


@router.get("/counts")
def get_counts(session: DbSession, me: CurrentPrincipal) -> ThreadCountsOut:
    """How many threads and messages there are: no name, party or word of any."""
    found, messages = threads.thread_counts(session)
    return ThreadCountsOut(threads=found, messages=messages)


@router.get("")
def list_threads(
    session: DbSession,
    me: CurrentPrincipal,
    notification: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[ThreadSummaryOut]:
    """Your party's threads, latest message first (the hub's admins: every one); with
    ``notification``, only those about it."""
    rows = threads.threads(session, me, notification_id=notification, limit=limit, offset=offset)
    return summaries_out(session, rows)


@router.post("", status_code=status.HTTP_201_CREATED)
def start_thread(
    body: ThreadIn, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> ThreadOut:
    """Start a thread with other parties (a liaison officer or admin), with its first message.
    About a notification, it may hold only the parties that notification concerns."""
    thread = threads.start_thread(
        session,
        me,
        topic=body.topic,
        members=body.members,
        notification_id=body.notification,
        first=_new(body.message),
        clock=hub.clock,
    )
    view = threads.thread_view(session, me, thread.id, hub.clock)
    return thread_out(Reader(session, locale, hub.settings.time_zone), view, me.party_id)


@router.get("/{thread_id}")
def get_thread(
    thread_id: RecordId, session: DbSession, hub: Hub, me: CurrentPrincipal, locale: RequestLocale
) -> ThreadOut:
    """A thread with every message (rendered in your language) and each party's delivery and
    read receipt. Reading it marks your party's unread messages read, by you."""
    view = threads.thread_view(session, me, thread_id, hub.clock)
    return thread_out(Reader(session, locale, hub.settings.time_zone), view, me.party_id)


@router.post("/{thread_id}/messages", status_code=status.HTTP_201_CREATED)
def post_message(
    thread_id: RecordId,
    body: MessageIn,
    session: DbSession,
    hub: Hub,
    me: CurrentPrincipal,
    locale: RequestLocale,
) -> ThreadOut:
    """Write in a thread your party is a member of: a template with its parameters, or free
    text. Every other member is told through its inbox, webhooks and e-mail."""
    threads.post_message(session, me, thread_id, _new(body), hub.clock)
    view = threads.thread_view(session, me, thread_id, hub.clock)
    return thread_out(Reader(session, locale, hub.settings.time_zone), view, me.party_id)
