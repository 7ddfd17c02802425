"""The page machinery every feature's pages share: the signed session, the form body, and
``Screen`` (who is asking, in which language, and how to answer: page, redirect or error).

The shell knows no feature: who holds a session's token is resolved by parties (the
``Current`` dependency in ``parties/deps.py``), and the unread count in the header comes from
the counter ``create_app`` puts in ``app.state.unread_count`` (notify's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import parse_qs, quote
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.errors import STATUS_BY_CATEGORY, TansiqError
from tansiq.core.i18n import Locale, translate
from tansiq.core.localtime import zone_named
from tansiq.web.session import SESSION_COOKIE, CsrfRejected, PageSession, SessionSigner
from tansiq.web.text import labels
from tansiq.web.view import content_security_policy, finish, render, words_of

Form = dict[str, list[str]]
LIST_LIMIT = 50
Me = TypeVar("Me")
# The header's unread count for whoever is signed in (wired by create_app).
UnreadCount = Callable[[Session, Any], int]


def signer(request: Request) -> SessionSigner:
    found: SessionSigner | None = getattr(request.app.state, "page_signer", None)
    if found is None:
        found = SessionSigner(request.app.state.hub.settings.secret_key)
        request.app.state.page_signer = found
    return found


def page_session(request: Request) -> PageSession:
    return signer(request).load(request.cookies.get(SESSION_COOKIE))


async def form_data(request: Request) -> Form:
    """The urlencoded form body (the pages post nothing else)."""
    return parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)


Page = Annotated[PageSession, Depends(page_session)]
FormData = Annotated[Form, Depends(form_data)]


class Screen(Generic[Me]):
    """One request's page machinery: who (``me``, none when signed out), which language, and
    how to answer."""

    def __init__(
        self,
        request: Request,
        hub: HubContext,
        session: Session,
        page: PageSession,
        locale: Locale,
        me: Me | None,
    ) -> None:
        self.request = request
        self.hub = hub
        self.session = session
        self.page = page
        self.locale = locale
        self.me = me

    @property
    def zone(self) -> ZoneInfo:
        """The deployment's time zone: the town's clock that pages show and forms read."""
        return zone_named(self.hub.settings.time_zone)

    def csp(self, *, inline_styles: bool = False) -> str:
        return content_security_policy(self.hub.settings.tile_url, inline_styles=inline_styles)

    def show(self, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        response = render(
            self.request,
            self.locale,
            template,
            status_code,
            csrf=self.page.csrf,
            me=self.me,
            unread=self._unread(),
            **values,
        )
        finish(response, self.request, self.page, signer(self.request), self.csp())
        return response

    def words(self) -> dict[str, str]:
        """Every page label in the reader's language (the templates' ``t``)."""
        return labels(self.locale, words_of(self.request))

    def go(self, url: str) -> RedirectResponse:
        response = RedirectResponse(url, status_code=303)
        finish(response, self.request, self.page, signer(self.request), self.csp())
        return response

    def error(self, error: TansiqError) -> HTMLResponse:
        self.session.rollback()
        return self.show(
            "error.html", STATUS_BY_CATEGORY[error.category], error=error.render(self.locale)
        )

    def sign_in_first(self) -> RedirectResponse:
        return self.go("/login?next=" + quote(self.request.url.path, safe="/"))

    def check_csrf(self, form: Form) -> None:
        if not self.page.csrf_matches(one(form, "csrf")):
            raise CsrfRejected

    def _unread(self) -> int:
        count: UnreadCount | None = getattr(self.request.app.state, "unread_count", None)
        if self.me is None or count is None:
            return 0
        return count(self.session, self.me)


def one(form: Form, name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def local_path(target: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/home"
    return target


def tr(s: Screen[Any], message: str) -> str:
    """``message`` in the reader's language."""
    return translate(message, s.locale)
