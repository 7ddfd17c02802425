"""Notifications as pure rules: statuses, checks on endpoints, rendering and signing.

An event is stored with English message ids (marked ``N_`` by the code that raises it) and
its parameters; every reader gets it rendered in their language: the inbox in the reader's,
e-mail in Arabic and English, webhooks with both.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from tansiq.core.errors import ErrorCategory, NotFound, TansiqError
from tansiq.core.i18n import N_, Locale, translate
from tansiq.core.text import normalise_text
from tansiq.core.wording import in_reader_words

Params = Mapping[str, str | int | float]

MAX_URL = 2000
MAX_PARAM = 2000
EMAIL = re.compile(
    r"^[^@\s<>()\[\],;:\"\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63}$"
)
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
SIGNATURE_HEADER = "Tansiq-Signature"
TIMESTAMP_HEADER = "Tansiq-Timestamp"
DELIVERY_HEADER = "Tansiq-Delivery"
EVENT_HEADER = "Tansiq-Event"

EMAIL_FOOTER = N_("Sent by the Tansiq coordination hub to an address registered by {party}.")


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


class BadWebhookUrl(TansiqError):
    code = "notify.bad_webhook_url"
    message = N_("A webhook URL is an http:// or https:// URL with a host and no password.")


class WebhookHostNotAllowed(TansiqError):
    code = "notify.webhook_host_not_allowed"
    message = N_("This hub does not send webhooks to local or private network addresses.")


class BadEmailAddress(TansiqError):
    code = "notify.bad_email"
    message = N_("This is not a valid e-mail address.")


class EmailOff(TansiqError):
    code = "notify.email_off"
    message = N_("This hub sends no e-mail: its operator has not configured an SMTP server.")
    category = ErrorCategory.CONFLICT


class EmailAddressExists(TansiqError):
    code = "notify.email_exists"
    message = N_("This e-mail address is already registered for the party.")
    category = ErrorCategory.CONFLICT


class WebhookNotFound(NotFound):
    code = "notify.webhook_not_found"
    message = N_("No webhook {webhook} for this party.")


class EmailAddressNotFound(NotFound):
    code = "notify.email_not_found"
    message = N_("No e-mail address {address} for this party.")


class EventNotFound(NotFound):
    code = "notify.event_not_found"
    message = N_("No event {event} in your inbox.")


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """``url`` trimmed, if it is an http(s) URL with a host, no credentials and (unless
    ``allow_private``) no loopback, private or link-local address literal."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise BadWebhookUrl from None
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadWebhookUrl
    if parts.username is not None or parts.password is not None or port == 0:
        raise BadWebhookUrl
    if not allow_private and is_private_host(parts.hostname):
        raise WebhookHostNotAllowed
    return url


def is_private_host(host: str) -> bool:
    """Whether ``host`` names this machine or a private network by itself (no DNS asked)."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return is_private_address(address)


def is_private_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_email_address(address: str) -> str:
    address = address.strip()
    if len(address) > 254 or not EMAIL.fullmatch(address):
        raise BadEmailAddress
    local, _, domain = address.partition("@")
    return f"{local}@{domain.lower()}"


def clean_params(params: Params) -> dict[str, str | int | float]:
    """Parameters as stored: names checked, text normalised (NFC, no control characters)."""
    cleaned: dict[str, str | int | float] = {}
    for name, value in params.items():
        if not PARAM_NAME.fullmatch(name):
            raise ValueError(f"bad notification parameter name {name!r}")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError(f"notification parameter {name!r} must be text or a number")
        cleaned[name] = normalise_text(value)[:MAX_PARAM] if isinstance(value, str) else value
    return cleaned


@dataclass(frozen=True)
class Message:
    """An event's text as stored: English message ids and their parameters.

    Parameters are data, turned into the reader's words when the message is shown
    (:mod:`tansiq.core.wording`); ``count`` picks the plural form of a message marked ``NP_``.
    """

    title: str
    body: str
    params: Mapping[str, Any]

    def in_locale(self, locale: Locale, zone: tzinfo = UTC) -> dict[str, Any]:
        """The parameters as ``locale``'s reader sees them, times on the clock of ``zone``."""
        return in_reader_words(self.params, locale, zone)

    def render(self, locale: Locale, zone: tzinfo = UTC) -> tuple[str, str]:
        """Title and body in ``locale``, times on the clock of ``zone``."""
        params = self.in_locale(locale, zone)
        return (
            translate(self.title, locale, **params),
            translate(self.body, locale, **params),
        )

    def check(self) -> None:
        """Refuse message ids whose placeholders the parameters do not fill (a coding error)."""
        for locale, text in ((lo, t) for lo in Locale for t in (self.title, self.body)):
            try:
                translate(text, locale).format(**self.in_locale(locale))
            except (KeyError, IndexError, ValueError, AttributeError) as problem:
                raise ValueError(
                    f"notification text does not fit its parameters: {problem}"
                ) from None

    def both(self, zone: tzinfo = UTC) -> dict[str, dict[str, str]]:
        rendered = {locale: self.render(locale, zone) for locale in Locale}
        return {
            "title": {locale.value: rendered[locale][0] for locale in Locale},
            "body": {locale.value: rendered[locale][1] for locale in Locale},
        }


@dataclass(frozen=True)
class EventView:
    """What a delivery needs to know about its event."""

    event_id: int
    kind: str
    subject: str
    party_code: str
    created_at: datetime
    message: Message


def webhook_body(event: EventView, delivery_id: str, zone: tzinfo = UTC) -> bytes:
    """The JSON a webhook receives (UTF-8, keys sorted, so a retry sends the same bytes)."""
    document = {
        "delivery_id": delivery_id,
        "event_id": event.event_id,
        "kind": event.kind,
        "subject": event.subject,
        "party": event.party_code,
        "created_at": event.created_at.isoformat(),
        "params": dict(event.message.params),
        **event.message.both(zone),
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``timestamp.body`` under ``secret``."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def webhook_headers(
    secret: str, timestamp: int, body: bytes, delivery_id: str, kind: str
) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: kind,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def _one_line(text: str, limit: int = 240) -> str:
    return " ".join(text.split())[:limit]


def email_message(
    event: EventView,
    *,
    sender: str,
    recipient: str,
    delivery_id: str,
    party_name: str,
    now: datetime,
    zone: tzinfo = UTC,
) -> EmailMessage:
    """The bilingual e-mail for ``event``: Arabic first, then English; plain text and HTML."""
    arabic = event.message.render(Locale.AR, zone)
    english = event.message.render(Locale.EN, zone)
    footers = {locale: translate(EMAIL_FOOTER, locale, party=party_name) for locale in Locale}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = _one_line(f"{arabic[0]} | {english[0]}")
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<{delivery_id}@tansiq>"
    message["Content-Language"] = "ar, en"
    message[DELIVERY_HEADER] = delivery_id
    message[EVENT_HEADER] = _one_line(event.kind, 100)
    text = "\n\n".join(
        [
            arabic[0],
            arabic[1],
            f"— {footers[Locale.AR]}",
            "-" * 40,
            english[0],
            english[1],
            f"— {footers[Locale.EN]}",
        ]
    )
    message.set_content(text + "\n")
    sections = "".join(
        f'<div dir="{locale.direction}" lang="{locale.value}"><h2>{html.escape(title)}</h2>'
        f"<p>{html.escape(body)}</p><p><small>{html.escape(footers[locale])}</small></p></div>"
        for locale, (title, body) in ((Locale.AR, arabic), (Locale.EN, english))
    )
    message.add_alternative(
        f"<!doctype html><html><body>{sections}</body></html>\n", subtype="html"
    )
    return message
