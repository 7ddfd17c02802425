"""The liaison threads pages: my party's threads (unread first in mind, latest first), one
thread with its messages and each party's delivery and read receipt, and the forms that start
a thread or write in one, with a template picker. Parse → service → render, with the API's
shapes; every message rendered in the reader's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response

from tansiq.core.errors import TansiqError
from tansiq.core.i18n import translate
from tansiq.core.text import name_in
from tansiq.deconfliction import service, threads
from tansiq.deconfliction.planning import reference
from tansiq.deconfliction.thread_domain import TEMPLATES, BadTime, ParamKind
from tansiq.deconfliction.thread_render import Reader, summaries_out, thread_out
from tansiq.geo.service import list_checkpoints
from tansiq.parties.deps import Current, Viewer
from tansiq.parties.directory import parties_by_ids
from tansiq.web.deps import RecordId
from tansiq.web.forms import record_id
from tansiq.web.screen import FormData, one

router = APIRouter(include_in_schema=False)
# The pages of what deconfliction's inbox messages are about, by subject kind (notify links them).
SUBJECT_PAGES = {"notification": "/deconfliction/{id}", "thread": "/threads/{id}"}
PARAMS = ("place", "checkpoint", "start", "end", "time", "contact")


@router.get("/threads")
def threads_page(s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    rows = threads.threads(s.session, s.me, limit=100)
    shown = [
        {
            "id": t.id,
            "topic": t.topic,
            "about": t.notification_reference,
            "notification": t.notification,
            "members": [name_in(s.locale, m.name.ar, m.name.en) for m in t.members],
            "last": t.last_message_at,
            "unread": t.unread,
        }
        for t in summaries_out(s.session, rows)
    ]
    return s.show("threads.html", threads=shown, can_write=threads.may_write(s.me))


@router.get("/threads/new")
def new_thread(s: Current, notification: str = "") -> Response:
    if s.me is None:
        return s.sign_in_first()
    about = record_id(notification)
    values = {"notification": str(about or ""), "topic": "", "template": "", "text": ""}
    try:
        return _new_form(s, values, set())
    except TansiqError as error:
        return s.error(error)


@router.post("/threads/new")
def start_thread(s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    values = {k: (one(form, k) or "").strip() for k in ("notification", "topic", "template")}
    values["text"] = one(form, "text") or ""
    values |= {k: (one(form, k) or "").strip() for k in PARAMS}
    members = {m.strip() for m in form.get("members", [])[:50]}
    try:
        s.check_csrf(form)
        thread = threads.start_thread(
            s.session,
            s.me,
            topic=values["topic"],
            members=sorted(members),
            notification_id=record_id(values["notification"]),
            first=_message(s, values),
            clock=s.hub.clock,
        )
    except TansiqError as error:
        s.session.rollback()
        try:
            return _new_form(s, values, members, error=error.render(s.locale), status=422)
        except TansiqError as again:
            return s.error(again)
    return s.go(f"/threads/{thread.id}")


@router.get("/threads/{thread_id}")
def thread_page(thread_id: RecordId, s: Current) -> Response:
    if s.me is None:
        return s.sign_in_first()
    try:
        return _thread(s, thread_id, {"template": "", "text": ""})
    except TansiqError as error:
        return s.error(error)


@router.post("/threads/{thread_id}/messages")
def write(thread_id: RecordId, s: Current, form: FormData) -> Response:
    if s.me is None:
        return s.sign_in_first()
    values = {"template": (one(form, "template") or "").strip(), "text": one(form, "text") or ""}
    values |= {k: (one(form, k) or "").strip() for k in PARAMS}
    try:
        s.check_csrf(form)
        threads.post_message(s.session, s.me, thread_id, _message(s, values), s.hub.clock)
    except TansiqError as error:
        s.session.rollback()
        try:
            return _thread(s, thread_id, values, error=error.render(s.locale), status=422)
        except TansiqError as again:
            return s.error(again)
    return s.go(f"/threads/{thread_id}#latest")


# --- helpers -----------------------------------------------------------------------------------


def _thread(
    s: Viewer,
    thread_id: int,
    values: dict[str, str],
    *,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    assert s.me is not None  # noqa: S101 - every caller checked
    view = threads.thread_view(s.session, s.me, thread_id, s.hub.clock)
    reader = Reader(s.session, s.locale, s.hub.settings.time_zone)
    shown = thread_out(reader, view, s.me.party_id)
    names = {m.party: name_in(s.locale, m.name.ar, m.name.en) for m in shown.members}
    messages = [
        {
            "id": m.id,
            "party": names.get(m.party) or name_in(s.locale, m.party_name.ar, m.party_name.en),
            "mine": m.party == _code(s),
            "user": m.user,
            "at": m.created_at,
            "text": m.rendered,
            "template": m.template is not None,
            "receipts": [
                {
                    "party": names.get(r.party, r.party),
                    "delivered": r.delivered_at,
                    "read": r.read_at,
                    "by": r.read_by,
                }
                for r in m.receipts
            ],
        }
        for m in shown.messages
    ]
    member = s.me.party_id in view.members
    return s.show(
        "thread.html",
        status,
        thread=shown,
        members=list(names.values()),
        messages=messages,
        can_write=member and threads.may_write(s.me),
        is_member=member,
        v=values,
        error=error,
        **_picker(s),
    )


def _new_form(
    s: Viewer,
    values: dict[str, str],
    chosen: set[str],
    *,
    error: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    assert s.me is not None  # noqa: S101 - every caller checked
    about = record_id(values.get("notification", ""))
    candidates = threads.concerned_parties(s.session, s.me, about)
    if about is not None:
        found = service.visible_notification(s.session, s.me, about)
        values["about"] = reference(found.kind, found.id)
    return s.show(
        "thread_new.html",
        status,
        v=values,
        about=about,
        parties=[
            {
                "code": p.code,
                "name": name_in(s.locale, p.name_ar, p.name_en),
                "on": p.code in chosen,
            }
            for p in candidates
        ],
        can_write=threads.may_write(s.me),
        error=error,
        **_picker(s),
    )


def _picker(s: Viewer) -> dict[str, Any]:
    """The template picker: each template in the reader's language with the fields it needs,
    the checkpoints by name, and the zone the times are typed in."""
    placeholders = dict.fromkeys(PARAMS, "…")
    return {
        "templates": [
            {
                "id": t.id,
                "text": translate(t.text, s.locale, **placeholders),
                "params": " ".join(name for name, _ in t.params),
            }
            for t in TEMPLATES.values()
        ],
        "checkpoints": [
            {"code": c.code, "name": name_in(s.locale, c.name_ar, c.name_en)}
            for c in list_checkpoints(s.session)
        ],
        "zone": s.hub.settings.time_zone,
    }


def _message(s: Viewer, values: dict[str, str]) -> threads.NewMessage:
    """The form's message: a template with the fields it names (times typed in the
    deployment's zone), or the free text."""
    template = TEMPLATES.get(values["template"])
    if not values["template"]:
        return threads.NewMessage(template=None, params={}, text=values["text"])
    if template is None:
        return threads.NewMessage(template=values["template"], params={}, text="")
    zone = ZoneInfo(s.hub.settings.time_zone)
    params: dict[str, str] = {}
    for name, kind in template.params:
        value = values.get(name, "")
        if kind is ParamKind.TIME and value:
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                raise BadTime(param=name) from None
            value = (moment if moment.tzinfo else moment.replace(tzinfo=zone)).isoformat()
        params[name] = value
    return threads.NewMessage(template=template.id, params=params, text="")


def _code(s: Viewer) -> str:
    assert s.me is not None  # noqa: S101 - every caller checked
    found = parties_by_ids(s.session, {s.me.party_id}).get(s.me.party_id)
    return "" if found is None else found.code


def threads_about(s: Viewer, notification_id: int) -> dict[str, Any]:
    """The notification page's threads section: those about it the reader may read, and
    whether the reader may start one."""
    assert s.me is not None  # noqa: S101 - every caller checked
    rows = threads.threads(s.session, s.me, notification_id=notification_id, limit=20)
    return {
        "id": notification_id,
        "list": [
            {"id": t.id, "topic": t.topic, "last": t.last_message_at, "unread": t.unread}
            for t in summaries_out(s.session, rows)
        ],
        "can_start": threads.may_write(s.me),
    }
