"""Who may use the administrator's pages, and how an admin form's action runs: every
feature's admin pages share it. With parties, which own roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fastapi import Response

from tansiq.core.errors import STATUS_BY_CATEGORY, Forbidden, TansiqError
from tansiq.parties.deps import Viewer
from tansiq.parties.domain import Principal, Role
from tansiq.web.forms import FormState, Posted, shown_error, too_large


def require_admin(s: Viewer) -> Principal:
    """The signed-in administrator (of the hub or of any party), or :class:`Forbidden`."""
    if s.me is None or Role.ADMIN not in s.me.roles:
        raise Forbidden
    return s.me


def act(
    s: Viewer,
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


class AdminPage(Protocol):
    """An admin page's renderer, able to show its form again with a refusal and what was typed
    (``_devices``, ``_keys``, ``_checkpoints``, ...)."""

    def __call__(self, s: Viewer, me: Principal, form: FormState, /) -> Response: ...


def act_on_page(
    s: Viewer,
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


def view(s: Viewer, show: Callable[[Principal], Response]) -> Response:
    """A page only admins see; anyone else gets the coded refusal."""
    if s.me is None:
        return s.sign_in_first()
    try:
        return show(require_admin(s))
    except TansiqError as error:
        return s.error(error)
