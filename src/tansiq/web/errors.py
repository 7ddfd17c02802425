"""Every error becomes a coded JSON body in the client's language; the one status mapping."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from tansiq.core.errors import (
    STATUS_BY_CATEGORY,
    BodyTooLarge,
    ErrorCategory,
    ErrorDetail,
    TansiqError,
)
from tansiq.core.i18n import N_, Locale, translate
from tansiq.core.unicode import clean_unicode
from tansiq.web.deps import request_locale
from tansiq.web.limits import BAD_CONTENT_LENGTH

logger = logging.getLogger(__name__)


_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("request.bad", N_("The request could not be understood.")),
    404: ("not_found", N_("Not found.")),
    405: ("request.method_not_allowed", N_("This method is not allowed here.")),
    406: (
        "request.not_acceptable",
        N_("This cannot be given in any of the media types your Accept header allows."),
    ),
    415: ("request.unsupported_media_type", N_("Send the body as JSON.")),
}
# HTTP errors raised with one of these as their detail get its own code (still their status).
_HTTP_DETAILS: dict[str, tuple[str, str]] = {
    BAD_CONTENT_LENGTH: (
        "request.bad_content_length",
        N_("The Content-Length header is not a byte count."),
    ),
}
_INTERNAL = ("internal", N_("An unexpected error occurred; it has been logged."))
_BAD_JSON = N_("The body is not valid JSON.")
_INVALID = N_("The request is not valid.")
_FIELD_PROBLEM = N_("This value is missing or not valid.")
# Pydantic's own messages are English only: the common kinds are said in our catalog.
_FIELD_MESSAGES: dict[str, str] = {
    "missing": N_("This value is required."),
    "string_too_long": N_("This text is too long."),
    "string_too_short": N_("This text is too short."),
    "string_type": N_("This value must be text."),
    "string_unicode": N_("This text is not valid Unicode."),
    "int_parsing": N_("This value must be a whole number."),
    "int_type": N_("This value must be a whole number."),
    "float_parsing": N_("This value must be a number."),
    "float_type": N_("This value must be a number."),
    "finite_number": N_("This value must be a finite number."),
    "greater_than": N_("This number is too small."),
    "greater_than_equal": N_("This number is too small."),
    "less_than": N_("This number is too large."),
    "less_than_equal": N_("This number is too large."),
    "enum": N_("This value is not one of the allowed choices."),
    "literal_error": N_("This value is not one of the allowed choices."),
    "bool_parsing": N_("This value must be true or false."),
    "datetime_parsing": N_("This value must be a date and time (ISO 8601)."),
    "datetime_from_date_parsing": N_("This value must be a date and time (ISO 8601)."),
    "datetime_type": N_("This value must be a date and time (ISO 8601)."),
    "timezone_aware": N_("The time must carry its offset from UTC, e.g. 2026-06-01T08:00:00Z."),
    "list_type": N_("This value must be a list."),
    "too_long": N_("This list has too many items."),
    "too_short": N_("This list has too few items."),
    "dict_type": N_("This value must be an object."),
    "model_type": N_("This value must be an object."),
    "extra_forbidden": N_("This field is not allowed."),
}
_CONFLICT = ("request.conflict", N_("Someone else changed this at the same time; try again."))
_BUSY = ("database.busy", N_("The hub is busy; try again in a moment."))
_UNAVAILABLE = (
    "database.unavailable",
    N_("The hub cannot reach its database just now; nothing was changed. Try again shortly."),
)


# The page shell draws error pages; the app that mounts it hands it over (this module sits
# below the pages, which render through it).
ErrorPage = Callable[[Request, Locale, int, dict[str, Any]], Response]


def is_sqlite(request: Request) -> bool:
    return bool(request.app.state.hub.engine.dialect.name == "sqlite")


def wants_page(request: Request) -> bool:
    """A browser navigating to a page (not the API, not an asset) is shown an error page."""
    path = request.url.path
    if path.startswith(("/api/", "/static/", "/assets/")) or path in {"/openapi.json", "/health"}:
        return False
    return "text/html" in request.headers.get("accept", "")


def error_response(request: Request, status: int, body: dict[str, Any], locale: Locale) -> Response:
    """The coded error as JSON, or as the error page in the reader's language for a browser."""
    if wants_page(request):
        error_page: ErrorPage = request.app.state.error_page
        page = error_page(request, locale, status, body)
        page.headers["Cache-Control"] = "no-store"
        return page
    return JSONResponse(
        {"error": body}, status_code=status, headers={"Content-Language": locale.value}
    )


def install_error_handlers(app: FastAPI, error_page: ErrorPage) -> None:
    """Map every error to its coded answer; ``error_page`` draws it for a browser."""
    app.state.error_page = error_page

    @app.exception_handler(TansiqError)
    async def on_tansiq_error(request: Request, error: TansiqError) -> Response:
        locale = request_locale(request)
        headers = (
            {"WWW-Authenticate": "Bearer"}
            if (error.category is ErrorCategory.UNAUTHENTICATED)
            else {}
        )
        response = error_response(
            request, STATUS_BY_CATEGORY[error.category], error.render(locale), locale
        )
        response.headers.update(headers)
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, error: RequestValidationError) -> Response:
        locale = request_locale(request)
        problems = list(error.errors())
        if any(problem.get("type") == "json_invalid" for problem in problems):
            return error_response(
                request,
                400,
                {"code": "request.bad_json", "message": translate(_BAD_JSON, locale)},
                locale,
            )
        details = [
            ErrorDetail(
                code=f"field.{problem.get('type', 'invalid')}",
                message=_FIELD_MESSAGES.get(str(problem.get("type")), _FIELD_PROBLEM),
                path=".".join(clean_unicode(str(part)) for part in problem.get("loc", ())),
            ).render(locale)
            for problem in problems[:50]
        ]
        return error_response(
            request,
            422,
            {"code": "request.invalid", "message": translate(_INVALID, locale), "details": details},
            locale,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException) -> Response:
        locale = request_locale(request)
        if error.status_code == 413:
            limit = request.app.state.hub.settings.max_body_bytes
            return error_response(request, 413, BodyTooLarge(count=limit).render(locale), locale)
        code, message = _HTTP_DETAILS.get(
            error.detail,
            _HTTP_CODES.get(error.status_code, ("request.bad", _HTTP_CODES[400][1])),
        )
        response = error_response(
            request,
            error.status_code,
            {"code": code, "message": translate(message, locale)},
            locale,
        )
        response.headers.update(error.headers or {})
        if error.status_code == 405:
            # Starlette names the methods of the first route whose path matched; a path served
            # by several routes (GET and POST of a form) allows all of theirs.
            response.headers["Allow"] = allowed_methods(request)
        return response

    @app.exception_handler(IntegrityError)
    @app.exception_handler(StaleDataError)
    async def on_conflict(request: Request, error: Exception) -> Response:
        # A race lost to a concurrent request (unique key, optimistic lock): nothing was
        # stored, and the client may retry.
        locale = request_locale(request)
        code, message = _CONFLICT
        return error_response(
            request, 409, {"code": code, "message": translate(message, locale)}, locale
        )

    @app.exception_handler(OperationalError)
    async def on_database_error(request: Request, error: OperationalError) -> Response:
        if "locked" in str(error.orig).lower():
            code, message = _BUSY
        elif error.connection_invalidated or not is_sqlite(request):
            # The connection dropped (or the server refused one): the transaction is gone,
            # nothing of it was stored, and the pool opens fresh connections for what follows.
            logger.warning(
                "database unavailable on %s %s: %s", request.method, request.url.path, error.orig
            )
            code, message = _UNAVAILABLE
        else:
            return await on_unexpected(request, error)
        locale = request_locale(request)
        response = error_response(
            request, 503, {"code": code, "message": translate(message, locale)}, locale
        )
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.url.path)
        locale = request_locale(request)
        code, message = _INTERNAL
        return error_response(
            request, 500, {"code": code, "message": translate(message, locale)}, locale
        )


_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> str:
    """Every method some route of the app answers on this request's path (each asked whether
    it would take the request with that method; a router nests its routes)."""
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL
            for route in request.app.router.routes
        )
    ]
    return ", ".join(allowed) or "GET, HEAD"  # else a static file, the only other 405
