"""How a command reports a :class:`TansiqError`: ``code: message`` on stderr, exit by category.

Kept apart from :mod:`tansiq.cli.base` so that a command needing no database (``permit
verify``) loads neither the hub context nor SQLAlchemy.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, tzinfo
from typing import Any

import click

from tansiq.core import localtime
from tansiq.core.errors import ErrorCategory, TansiqError
from tansiq.core.i18n import Locale, negotiate_locale

# The settings' default (tansiq.settings is not loaded here: it would pull in pydantic-settings).
DEFAULT_TIME_ZONE = "Asia/Damascus"

EXIT_BY_CATEGORY = {
    ErrorCategory.INVALID: 2,
    ErrorCategory.NOT_FOUND: 3,
    ErrorCategory.CONFLICT: 4,
    ErrorCategory.UNAUTHENTICATED: 5,
    ErrorCategory.FORBIDDEN: 5,
    ErrorCategory.TOO_LARGE: 2,
    ErrorCategory.TOO_MANY: 6,
}


def cli_locale() -> Locale:
    return negotiate_locale(os.environ.get("TANSIQ_LANG") or os.environ.get("LANG", "en")[:2])


def cli_zone() -> tzinfo:
    """The deployment's time zone, as the hub reads it (``TANSIQ_TIME_ZONE``); UTC if unset or
    unknown, so a command that needs no hub (``permit verify``) still runs."""
    name = os.environ.get("TANSIQ_TIME_ZONE") or DEFAULT_TIME_ZONE
    try:
        return localtime.zone_named(name)
    except (ValueError, LookupError):
        return UTC


def cli_when(value: datetime) -> str:
    """A time for a person reading the command's output: on the town's clock, with its offset
    (output is pasted into messages that travel); the lines around it are English."""
    zone = cli_zone()
    return f"{localtime.when(value, Locale.EN, zone)} ({localtime.offset_of(zone, value)})"


class CodedErrors(click.Group):
    """A group whose commands report :class:`TansiqError` as ``code: message`` and exit non-zero."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TansiqError as error:
            shown = error.render(cli_locale())
            click.echo(f"error {shown['code']}: {shown['message']}", err=True)
            for detail in shown.get("details", []):
                where = " ".join(
                    f"{key}={detail[key]}" for key in ("feature", "path") if key in detail
                )
                click.echo(f"  - {detail['code']} {where}: {detail['message']}", err=True)
            sys.exit(EXIT_BY_CATEGORY[error.category])
