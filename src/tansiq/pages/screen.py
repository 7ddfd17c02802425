"""The page machinery every page module shares: the signed session, the form body, and
``Screen`` (who is asking, in which language, and how to answer: page, redirect or error)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from tansiq.clearances.schemas import ReviewOut
from tansiq.context import HubContext
from tansiq.core.errors import STATUS_BY_CATEGORY, TansiqError
from tansiq.core.i18n import Locale, translate
from tansiq.notify import service as notify
from tansiq.pages.text import REVIEW_STATUS
from tansiq.pages.view import content_security_policy, finish, render
from tansiq.parties.domain import Principal
from tansiq.parties.service import principal_for_token
from tansiq.web.deps import DbSession, Hub, RequestLocale
from tansiq.web.session import SESSION_COOKIE, CsrfRejected, PageSession, SessionSigner

Form = dict[str, list[str]]
INBOX_LIMIT = 100
LIST_LIMIT = 50


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


class Screen:
    """One request's page machinery: who, which language, and how to answer."""

    def __init__(
        self, request: Request, hub: HubContext, session: Session, page: PageSession, locale: Locale
    ) -> None:
        self.request = request
        self.hub = hub
        self.session = session
        self.page = page
        self.locale = locale
        self.me: Principal | None = None
        if page.token:
            try:
                self.me = principal_for_token(session, page.token, hub.clock)
            except TansiqError:
                page.token, page.token_id, page.changed = None, None, True

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
        if self.me is None:
            return 0
        entries = notify.inbox(self.session, self.me, limit=INBOX_LIMIT)
        return sum(1 for entry in entries if entry.read_at is None)


def screen(
    request: Request, hub: Hub, session: DbSession, page: Page, locale: RequestLocale
) -> Screen:
    return Screen(request, hub, session, page, locale)


Current = Annotated[Screen, Depends(screen)]


def one(form: Form, name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def local_path(target: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/home"
    return target


def tr(s: Screen, message: str) -> str:
    """``message`` in the reader's language."""
    return translate(message, s.locale)


def review_words(s: Screen, review: ReviewOut) -> dict[str, Any]:
    """One authority's review as every page shows it: who, where it stands, and why."""
    return {
        "id": review.id,
        "authority": getattr(review.authority_name, s.locale.value) or review.authority,
        "status": tr(s, REVIEW_STATUS[review.status]),
        "status_code": review.status.value,
        "reason": None
        if review.reason_label is None
        else getattr(review.reason_label, s.locale.value),
        "reason_code": None if review.reason_code is None else review.reason_code.value,
        "note": review.note,
    }
