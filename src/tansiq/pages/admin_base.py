"""What every administrator's page shares: who may see the pages, the form body (with the
hub's size limit turned into a coded error), the scope of what an admin manages, how a
dangerous action is confirmed, and how a refused action is shown on the page it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, Protocol
from urllib.parse import parse_qs

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException

from tansiq.core.clock import ensure_utc
from tansiq.core.errors import STATUS_BY_CATEGORY, BodyTooLarge, Forbidden, TansiqError
from tansiq.core.i18n import N_, Locale
from tansiq.pages.screen import Form, Screen, one, tr
from tansiq.pages.text import LABELS, name_in
from tansiq.parties import access
from tansiq.parties.domain import PartyKind, Principal, Role
from tansiq.parties.models import PartyRecord
from tansiq.parties.repository import PartyRepository

MAX_ID = 2**31  # ids are 32-bit integers on every backend
MAX_FIELD = 1000  # characters in any one short field; names and codes are far shorter


class FieldTooLong(TansiqError):
    code = "form.too_long"
    message = N_('The field "{field}" is too long.')


class BadTime(TansiqError):
    code = "form.bad_time"
    message = N_('The field "{field}" must be a date and time, e.g. 2026-06-01T08:00 (UTC).')


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


def require_admin(s: Screen) -> Principal:
    """The signed-in administrator (of the hub or of any party), or :class:`Forbidden`."""
    if s.me is None or Role.ADMIN not in s.me.roles:
        raise Forbidden
    return s.me


def managed_authorities(session: Session, me: Principal) -> list[PartyRecord]:
    """The authorities whose zones, checkpoints and devices ``me`` may manage."""
    return [
        party
        for party in PartyRepository(session).parties(PartyKind.AUTHORITY.value)
        if access.can_manage_geography(me, party.id)
    ]


def name_of(party: PartyRecord, locale: Locale) -> str:
    return name_in(locale, party.name_ar, party.name_en) or party.code


def label(s: Screen, key: str) -> str:
    """The page label ``key`` in the reader's language."""
    return tr(s, LABELS[key])


def record_id(value: str) -> int | None:
    """A record id from a query string; anything else (a typo, a tampered link) is none."""
    if not (value.isascii() and value.isdigit() and len(value) <= 10):
        return None
    return int(value) if 0 < int(value) < MAX_ID else None


def parse_time(value: str, field: str) -> datetime | None:
    """A time typed in a form (read as UTC unless it says otherwise); blank is ``None``."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadTime(field=field) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else ensure_utc(moment)


def shown_error(s: Screen, error: TansiqError) -> dict[str, Any]:
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


def act(
    s: Screen,
    body: Posted,
    do: Callable[[Principal], Response],
    again: Callable[[Principal, dict[str, Any], int], Response],
) -> Response:
    """Run a form's action for a signed-in admin. A refused action (a coded error) is undone
    and the form shown again with the error and what was typed; CSRF and non-admins get the
    error page."""
    if s.me is None:
        return s.sign_in_first()
    try:
        me = require_admin(s)
        if not body.too_large:
            s.check_csrf(body.form)
    except TansiqError as error:
        return s.error(error)
    try:
        if body.too_large:
            raise too_large(s)
        return do(me)
    except TansiqError as error:
        s.session.rollback()
        try:
            return again(me, shown_error(s, error), STATUS_BY_CATEGORY[error.category])
        except TansiqError as hidden:
            return s.error(hidden)


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


class AdminPage(Protocol):
    """An admin page's renderer, able to show its form again with a refusal and what was typed
    (``_devices``, ``_keys``, ``_checkpoints``, ...)."""

    def __call__(self, s: Screen, me: Principal, form: FormState, /) -> Response: ...


def act_on_page(
    s: Screen,
    body: Posted,
    do: Callable[[Principal], Response],
    page: AdminPage,
    values: dict[str, str] | None = None,
) -> Response:
    """``act`` for a form on ``page``: a refused action shows ``page`` again with the error
    and ``values`` (what was typed, for the form to be filled again; none to leave it empty)."""
    return act(
        s,
        body,
        do,
        lambda me, error, status: page(s, me, FormState(error, values or {}, status)),
    )


def confirm(
    s: Screen, *, action: str, question: str, subject: str, back: str, compromised: bool = False
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


def too_large(s: Screen) -> TansiqError:
    return BodyTooLarge(count=s.hub.settings.max_body_bytes)


def view(s: Screen, show: Callable[[Principal], Response]) -> Response:
    """A page only admins see; anyone else gets the coded refusal."""
    if s.me is None:
        return s.sign_in_first()
    try:
        return show(require_admin(s))
    except TansiqError as error:
        return s.error(error)
