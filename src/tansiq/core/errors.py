"""Typed, coded errors. Each has a stable ``code``, a translatable message and a category.

The category says what kind of failure it is; one table (``STATUS_BY_CATEGORY``, used by the
API's error mapping in ``tansiq.web.errors`` and by the pages) maps categories to HTTP statuses,
and the CLI maps them to exit codes, so no feature thinks about either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from tansiq.core.i18n import N_, NP_, Locale, translate


class ErrorCategory(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    TOO_LARGE = "too_large"
    TOO_MANY = "too_many"


# The one mapping of categories to HTTP statuses, for the API's JSON errors and the pages alike.
STATUS_BY_CATEGORY: dict[ErrorCategory, int] = {
    ErrorCategory.INVALID: 422,
    ErrorCategory.NOT_FOUND: 404,
    ErrorCategory.CONFLICT: 409,
    ErrorCategory.UNAUTHENTICATED: 401,
    ErrorCategory.FORBIDDEN: 403,
    ErrorCategory.TOO_LARGE: 413,
    ErrorCategory.TOO_MANY: 429,
}


@dataclass(frozen=True)
class ErrorDetail:
    """One problem inside a larger input, e.g. feature 3 of a FeatureCollection."""

    code: str
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)
    feature: int | None = None
    path: str | None = None

    def render(self, locale: Locale) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "code": self.code,
            "message": translate(self.message, locale, **self.params),
        }
        if self.feature is not None:
            shown["feature"] = self.feature
        if self.path is not None:
            shown["path"] = self.path
        return shown


class TansiqError(Exception):
    """Base of every expected failure. Subclasses set ``code``, ``message`` and ``category``."""

    code: ClassVar[str] = "error"
    message: ClassVar[str] = N_("Something went wrong.")
    category: ClassVar[ErrorCategory] = ErrorCategory.INVALID
    # Seconds after which trying again may succeed (sent as Retry-After), when the error says.
    retry_after: int | None = None

    def __init__(self, details: list[ErrorDetail] | None = None, **params: Any) -> None:
        self.params = params
        self.details = details or []
        super().__init__(translate(self.message, Locale.EN, **params))

    def render(self, locale: Locale) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": translate(self.message, locale, **self.params),
        }
        if self.details:
            body["details"] = [detail.render(locale) for detail in self.details]
        return body


class InvalidInput(TansiqError):
    code = "request.invalid"
    message = N_("The request is not valid.")


class NotFound(TansiqError):
    code = "not_found"
    message = N_("Not found.")
    category = ErrorCategory.NOT_FOUND


class Unauthenticated(TansiqError):
    code = "auth.required"
    message = N_("Sign in or send a valid API token.")
    category = ErrorCategory.UNAUTHENTICATED


class Forbidden(TansiqError):
    code = "auth.forbidden"
    message = N_("You are not allowed to do this.")
    category = ErrorCategory.FORBIDDEN


class BodyTooLarge(TansiqError):
    code = "request.too_large"
    message = NP_(
        "The request body is larger than the limit of {count} byte.",
        "The request body is larger than the limit of {count} bytes.",
    )
    category = ErrorCategory.TOO_LARGE
