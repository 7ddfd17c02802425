"""The inbox page: the reader's party's messages, newest first, each in the reader's language
and linked to the page of what it is about; marking one read.

A message's subject (``"application:12"``, ``"notification:7"``, ``"thread:3"``) names what it
is about. Which page shows each kind of subject is the features' knowledge, not notify's: the
app hands the table in (``app.state.subject_pages``, kind → path with ``{id}``), so notify
imports no feature above it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from fastapi import APIRouter, Response
from markupsafe import Markup, escape

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
    shown = [entry.message().render(s.locale, s.zone) for entry in entries]
    messages = [
        {
            "id": entry.event.id,
            "title": _references_kept_whole(title),
            "body": _references_kept_whole(body),
            "at": entry.event.created_at,
            "read": entry.read_at is not None,
            "subject": entry.event.subject,
            "link": link_of(entry.event.subject, pages),
        }
        for entry, (title, body) in zip(entries, shown, strict=True)
    ]
    return s.show("inbox.html", messages=messages)


# A permit's or an application's number (P-000001-1, TQ-000001): never broken at its hyphens,
# and kept left to right inside an Arabic sentence.
REFERENCE = re.compile(r"\b[A-Z]{1,3}-\d{4,}(?:-\d+)?\b")


def _references_kept_whole(text: str) -> Markup:
    """``text`` escaped, each reference in it isolated; the pieces are joined as markup."""
    pieces: list[Markup] = []
    last = 0
    for found in REFERENCE.finditer(text):
        pieces.append(escape(text[last : found.start()]))
        pieces.append(Markup('<bdi dir="ltr" class="nobr">{}</bdi>').format(found.group(0)))
        last = found.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


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
