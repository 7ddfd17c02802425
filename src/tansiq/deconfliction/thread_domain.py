"""Liaison threads, the pure part: the message templates, what each parameter is, and the
rules a message and a thread's members follow.

A template message is stored as its template's id and its parameters, never as text: it is
rendered at display time in each reader's language, with a checkpoint's name in the reader's
script and times in the deployment's zone. Free text is shown as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import N_

MAX_TEXT = 4000
MAX_TOPIC = 200
MAX_MEMBERS = 20
MAX_PARAM = 200


class ParamKind(StrEnum):
    """What a template's parameter holds, and so how a reader sees it."""

    CHECKPOINT = "checkpoint"  # a checkpoint's code: its name in the reader's script
    PLACE = "place"  # a checkpoint's code (named as above) or a place name, shown as written
    TIME = "time"  # an ISO 8601 time with its offset: in the deployment's zone
    TEXT = "text"  # a short value shown as written (a phone number, a reference)


@dataclass(frozen=True)
class Template:
    id: str
    text: str  # an English message id with {named} parameters, marked for the catalog
    params: tuple[tuple[str, ParamKind], ...]


TEMPLATES: dict[str, Template] = {
    t.id: t
    for t in (
        Template(
            "convoy_passes",
            N_("Our convoy passes {place} between {start} and {end}."),
            (("place", ParamKind.PLACE), ("start", ParamKind.TIME), ("end", ParamKind.TIME)),
        ),
        Template(
            "patrol_passes",
            N_("Our patrol passes {place} between {start} and {end}."),
            (("place", ParamKind.PLACE), ("start", ParamKind.TIME), ("end", ParamKind.TIME)),
        ),
        Template(
            "confirm_patrol",
            N_("Please confirm your patrol at {checkpoint}."),
            (("checkpoint", ParamKind.CHECKPOINT),),
        ),
        Template(
            "patrol_confirmed",
            N_("Our patrol at {checkpoint} is confirmed until {end}."),
            (("checkpoint", ParamKind.CHECKPOINT), ("end", ParamKind.TIME)),
        ),
        Template(
            "delayed",
            N_("We are delayed: we now reach {place} at {time}."),
            (("place", ParamKind.PLACE), ("time", ParamKind.TIME)),
        ),
        Template(
            "hold_near",
            N_("Please keep clear of {place} until {time}."),
            (("place", ParamKind.PLACE), ("time", ParamKind.TIME)),
        ),
        Template(
            "call_us",
            N_("Please call our liaison officer on {contact}."),
            (("contact", ParamKind.TEXT),),
        ),
        Template("received", N_("Received, thank you."), ()),
    )
}


class ThreadError(TansiqError):
    code = "thread.invalid"
    message = N_("The thread is not valid.")


class UnknownTemplate(ThreadError):
    code = "thread.template_unknown"
    message = N_("There is no message template {template}.")


class TemplateParams(ThreadError):
    code = "thread.template_params"
    message = N_("Template {template} needs exactly these values: {expected}.")


class BadTime(ThreadError):
    code = "thread.time_invalid"
    message = N_("{param} must be a time with its offset from UTC, e.g. 2026-06-01T08:00:00Z.")


class EmptyMessage(ThreadError):
    code = "thread.message_empty"
    message = N_("Write a message or choose a template, not both and not neither.")


class TooLong(ThreadError):
    code = "thread.too_long"
    message = N_("{field} is longer than {limit} characters.")


class EmptyTopic(ThreadError):
    code = "thread.topic_empty"
    message = N_("Give the thread a topic.")


class BadMembers(ThreadError):
    code = "thread.members_invalid"
    message = N_("A thread needs between one and {limit} other parties.")


class NotAMember(TansiqError):
    code = "thread.not_member"
    message = N_("Only the parties of this thread may write in it.")
    category = ErrorCategory.FORBIDDEN


def check_template(template_id: str, params: Mapping[str, str]) -> dict[str, str]:
    """The template's parameters, checked: every one given, no other, times readable."""
    template = TEMPLATES.get(template_id)
    if template is None:
        raise UnknownTemplate(template=template_id[:60])
    expected = [name for name, _ in template.params]
    if sorted(params) != sorted(expected):
        raise TemplateParams(template=template_id, expected=", ".join(expected) or "—")
    checked: dict[str, str] = {}
    for name, kind in template.params:
        value = str(params[name]).strip()
        if not value:
            raise TemplateParams(template=template_id, expected=", ".join(expected))
        if len(value) > MAX_PARAM:
            raise TooLong(field=name, limit=MAX_PARAM)
        if kind is ParamKind.TIME:
            value = parse_time(name, value).isoformat()
        checked[name] = value
    return checked


def parse_time(name: str, value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadTime(param=name) from None
    if moment.tzinfo is None:
        raise BadTime(param=name)
    return moment


def check_message(template_id: str | None, text: str) -> None:
    """A message is a template or free text, never both, never empty."""
    if (template_id is None) == (not text.strip()):
        raise EmptyMessage
    if len(text) > MAX_TEXT:
        raise TooLong(field="text", limit=MAX_TEXT)


def check_members(own_party_id: int, others: set[int]) -> set[int]:
    """The other parties of a new thread (the starting party is always a member)."""
    others = others - {own_party_id}
    if not 1 <= len(others) <= MAX_MEMBERS:
        raise BadMembers(limit=MAX_MEMBERS)
    return others
