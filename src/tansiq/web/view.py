"""Rendering a page: the template environment, locale formatting and the headers pages carry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_timedelta
from babel.numbers import format_decimal
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from tansiq.core import localtime
from tansiq.core.i18n import Locale, message_forms, translate, translations
from tansiq.web.session import SESSION_COOKIE, PageSession, SessionSigner
from tansiq.web.text import LABELS, labels

ASSETS = "/assets"


def template_packages() -> list[str]:
    """Where templates are found: the shell's own (layout, error page, partials) first, then
    every feature's ``templates/`` (each feature renders its own pages)."""
    features = sorted(
        entry.name
        for entry in resources.files("tansiq").iterdir()
        if entry.name != "web" and entry.joinpath("templates").is_dir()
    )
    return ["tansiq.web", *(f"tansiq.{name}" for name in features)]


@cache
def templates() -> Environment:
    """Templates may write messages in place with ``{{ gettext(...) }}``, ``{{ ngettext(...) }}``
    or ``{% trans count=n %}``: Jinja's i18n extension, new style (``%(name)s`` filled in and
    escaped by the call). The callables are the reader's, passed with every render."""
    environment = Environment(
        loader=ChoiceLoader([PackageLoader(name, "templates") for name in template_packages()]),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    # Added to the environment by the i18n extension, so unknown to the type checker.
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return environment


def gettext_callables(locale: Locale) -> dict[str, Any]:
    """``gettext``, ``_`` and ``ngettext`` for a render in ``locale``, as the i18n extension
    calls them in new style: the translation is trusted markup; the values are escaped.
    ``ngettext`` fills ``%(num)s`` with the count unless a formatted ``num`` is given."""
    catalog = translations(locale)

    def gettext(message: str, /, **values: Any) -> Markup:
        return Markup(catalog.gettext(message)) % values  # noqa: S704 - our catalog; values escaped

    def ngettext(singular: str, plural: str, count: int, /, **values: Any) -> Markup:
        values.setdefault("num", count)
        # Template text and our catalog are trusted; `%` escapes the values.
        return Markup(catalog.ngettext(singular, plural, count)) % values  # noqa: S704

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext}


class Formats:
    """Dates, durations and numbers as the reader's locale writes them, times on the town's
    clock (the deployment's ``time_zone``): the one place templates format a time."""

    def __init__(self, locale: Locale, zone: tzinfo = UTC, now: datetime | None = None) -> None:
        self.locale = locale
        self.zone = zone
        self.now = now or datetime(2000, 1, 1, tzinfo=UTC)

    def when(self, value: datetime) -> str:
        """Date and 24-hour time to the minute on the town's clock, in the locale's format."""
        return localtime.when(value, self.locale, self.zone)

    def day(self, value: datetime) -> str:
        return localtime.day(value, self.locale, self.zone)

    def utc(self, value: datetime) -> str:
        """The same moment in UTC, marked so: the second line where it matters."""
        return localtime.when_utc(value, self.locale)

    def moment(self, value: datetime) -> Markup:
        """Local time, and the UTC time as a second line in a ``<small class="utc">``."""
        return Markup('<bdi>{}</bdi><br><small class="utc"><bdi>{}</bdi></small>').format(
            self.when(value), self.utc(value)
        )

    def window(self, start: datetime, end: datetime) -> Markup:
        """A validity window on the town's clock, and in UTC as a second line."""
        return Markup(
            "<bdi>{}</bdi> — <bdi>{}</bdi><br>"
            '<small class="utc"><bdi>{}</bdi> — <bdi>{}</bdi></small>'
        ).format(self.when(start), self.when(end), self.utc(start), self.utc(end))

    def zone_label(self, at: datetime | None = None) -> str:
        """The town's zone as the reader calls it, with its offset (now, or at ``at``)."""
        return localtime.zone_label(self.zone, at or self.now, self.locale)

    def input(self, value: datetime) -> str:
        """``value`` as a ``datetime-local`` input holds it, on the town's clock."""
        return localtime.input_value(value, self.zone)

    def duration(self, value: timedelta) -> str:
        return format_timedelta(value, threshold=1.5, locale=self.locale.value)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.locale.value)


def content_security_policy(tile_url: str | None, *, inline_styles: bool = False) -> str:
    """No inline scripts anywhere; images from a configured tile server only if one is set.
    The checkpoint app's web manifest and service worker come from the hub itself."""
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        host = parts.netloc.replace("a.", "*.", 1) if "{s}" in tile_url else parts.netloc
        images += f" {parts.scheme}://{host}"
    styles = "'self' 'unsafe-inline'" if inline_styles else "'self'"
    return (
        f"default-src 'none'; script-src 'self'; style-src {styles}; img-src {images}; "
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
        "form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )


def finish(
    response: HTMLResponse | RedirectResponse,
    request: Request,
    page: PageSession,
    signer: SessionSigner,
    csp: str,
) -> HTMLResponse | RedirectResponse:
    """Set the session cookie if it changed, and the page headers."""
    if page.changed:
        response.set_cookie(
            SESSION_COOKIE,
            signer.dump(page),
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )
    response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    return response


def words_of(request: Request) -> Mapping[str, str]:
    """Every label the templates may show: the shell's and each feature's, joined by
    ``create_app`` (the shell's alone in an app that did not)."""
    joined: Mapping[str, str] = getattr(request.app.state, "words", LABELS)
    return joined


def formats_of(request: Request, locale: Locale) -> Formats:
    """The reader's formats on the deployment's clock (UTC in an app without a hub)."""
    hub = getattr(request.app.state, "hub", None)
    if hub is None:
        return Formats(locale)
    return Formats(locale, localtime.zone_named(hub.settings.time_zone), hub.clock.now())


def render(
    request: Request,
    locale: Locale,
    template: str,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    here = request.url.path
    words = words_of(request)
    fmt = formats_of(request, locale)
    html = (
        templates()
        .get_template(template)
        .render(
            lang=locale.value,
            dir=locale.direction,
            arrow="←" if locale is Locale.AR else "→",
            comma="، " if locale is Locale.AR else ", ",
            t=labels(locale, words),
            fmt=fmt,
            tr=lambda message, **params: translate(message, locale, **params),
            # A label's plural forms by CLDR category, for scripts (Intl.PluralRules).
            forms=lambda key: message_forms(words[key], locale),
            **gettext_callables(locale),
            assets=ASSETS,
            here=here,
            **values,
        )
    )
    return HTMLResponse(html, status_code=status_code, headers={"Content-Language": locale.value})


def error_page(request: Request, locale: Locale, status: int, body: dict[str, Any]) -> HTMLResponse:
    """The error page for a coded error, in the reader's language."""
    page = render(request, locale, "error.html", status, error=body, me=None, csrf="")
    tile_url = request.app.state.hub.settings.tile_url
    page.headers["Content-Security-Policy"] = content_security_policy(tile_url)
    return page
