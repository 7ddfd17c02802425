"""The inbox page: the reader's party's messages, newest first, each in the reader's language
and linked to the page of what it is about; marking one read.

A message's subject (``"application:12"``, ``"notification:7"``, ``"thread:3"``) names what it
is about. Which page shows each kind of subject is the features' knowledge, not notify's: the
app hands the table in (``app.state.subject_pages``, kind → path with ``{id}``), so notify
imports no feature above it."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Response

from tansiq.core.errors import TansiqError
from tansiq.notify import service as notify
from tansiq.notify.service import INBOX_LIMIT
from tansiq.parties.deps import Current
from tansiq.web.deps import RecordId
from tansiq.web.screen import FormData

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def inbox_page(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    entries = notify.inbox(s.session, s.me, limit=INBOX_LIMIT)
    pages: Mapping[str, str] = getattr(s.request.app.state, "subject_pages", {})
    messages = [
        {
            "id": entry.event.id,
            "title": entry.message().render(s.locale)[0],
            "body": entry.message().render(s.locale)[1],
            "at": entry.event.created_at,
            "read": entry.read_at is not None,
            "subject": entry.event.subject,
            "link": link_of(entry.event.subject, pages),
        }
        for entry in entries
    ]
    return s.show("inbox.html", messages=messages)


def link_of(subject: str, pages: Mapping[str, str]) -> str | None:
    """The page of what a message is about, when its subject is a kind with a page and an id."""
    kind, _, ident = subject.partition(":")
    path = pages.get(kind)
    if path is None or not (ident.isascii() and ident.isdigit() and len(ident) <= 10):
        return None
    return path.replace("{id}", ident)


@router.post("/inbox/{event_id}/read")
def read_message(event_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        s.check_csrf(form)
        notify.mark_read(s.session, s.me, event_id, s.hub.clock)
    except TansiqError as error:
        return s.error(error)
    return s.go("/inbox")
