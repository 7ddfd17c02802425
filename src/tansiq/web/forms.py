"""The form helpers every feature's pages share: a form body with the hub's size limit turned
into a coded error, typed fields, how a refused action is shown on the form it came from, and
the page confirming a dangerous action."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, Request, Response
from starlette.exceptions import HTTPException

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import BodyTooLarge, TansiqError
from tansiq.core.i18n import N_, Locale
from tansiq.web.screen import Form, Screen, one, tr
from tansiq.web.view import words_of

MAX_ID = 2**31  # ids are 32-bit integers on every backend
MAX_FIELD = 1000  # characters in any one short field; names and codes are far shorter


class FieldTooLong(TansiqError):
    code = "form.too_long"
    message = N_('The field "{field}" is too long.')


class BadTime(TansiqError):
    code = "form.bad_time"
    message = N_('The field "{field}" must be a date and time, e.g. 2026-06-01T08:00.')


class BadChoice(TansiqError):
    code = "form.bad_choice"
    message = N_('The value of "{field}" is not one of the choices.')


class Posted:
    """A form body, or ``too_large`` when it was over the hub's limit (nothing was read)."""

    def __init__(self, form: Form, *, too_large: bool = False) -> None:
        self.form = form
        self.too_large = too_large

    def text(self, name: str, *, limit: int = MAX_FIELD) -> str:
        value = one(self.form, name) or ""
        if len(value) > limit:
            raise FieldTooLong(field=name)
        return value

    def values(self) -> dict[str, str]:
        """What was typed, to fill the form again after an error."""
        return {name: found[0] for name, found in self.form.items() if found}


async def posted(request: Request) -> Posted:
    """The urlencoded form body; a body over ``max_body_bytes`` becomes ``too_large`` so the
    page can say so in the reader's language (the API answers it with a coded JSON 413)."""
    try:
        body = await request.body()
    except HTTPException as error:
        if error.status_code != 413:
            raise
        return Posted({}, too_large=True)
    return Posted(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))


PostedForm = Annotated[Posted, Depends(posted)]


def label(s: Screen[Any], key: str) -> str:
    """The page label ``key`` in the reader's language."""
    return tr(s, words_of(s.request)[key])


def record_id(value: str) -> int | None:
    """A record id from a query string; anything else (a typo, a tampered link) is none."""
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    return int(value) if 0 < int(value) < MAX_ID else None


def parse_time(value: str, field: str, zone: tzinfo) -> datetime | None:
    """A time typed in a form, read on the town's clock ``zone`` unless it carries an offset;
    blank is ``None``."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadTime(field=field) from None
    return ensure_utc(moment.replace(tzinfo=zone) if moment.tzinfo is None else moment)


def shown_error(s: Screen[Any], error: TansiqError) -> dict[str, Any]:
    """The error as the page shows it: code, message, and each detail in both languages."""
    body = error.render(s.locale)
    other = Locale.EN if s.locale is Locale.AR else Locale.AR
    body["details"] = [
        {**detail.render(s.locale), "other": detail.render(other)["message"], "lang": other.value}
        for detail in error.details
    ]
    body["other"] = error.render(other)["message"]
    body["other_lang"] = other.value
    return body


@dataclass(frozen=True)
class FormState:
    """How a page shows its form: fresh (``FRESH``), or again after a refused action, with the
    shown error, what was typed, and the answer's status."""

    error: dict[str, Any] | None = None
    values: dict[str, str] = field(default_factory=dict)
    status: int = 200

    def shown(self) -> dict[str, Any]:
        """The template's ``error`` and ``values``."""
        return {"error": self.error, "values": self.values}


FRESH = FormState()


def confirm(
    s: Screen[Any],
    *,
    action: str,
    question: str,
    subject: str,
    back: str,
    compromised: bool = False,
) -> Response:
    """The page asking to confirm a dangerous action on ``subject`` before posting to
    ``action`` (``compromised``: with the box to mark a key compromised)."""
    return s.show(
        "admin_confirm.html",
        action=action,
        question=question,
        subject=subject,
        back=back,
        danger=True,
        compromised=compromised,
    )


def too_large(s: Screen[Any]) -> TansiqError:
    return BodyTooLarge(count=s.hub.settings.max_body_bytes)
