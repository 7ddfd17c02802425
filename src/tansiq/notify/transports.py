"""How deliveries leave the hub: HTTP for webhooks, SMTP for e-mail. Injectable, so tests and
other deployments hand in their own; the defaults use only the standard library."""

from __future__ import annotations

import http.client
import ipaddress
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import urlsplit

import tansiq
from tansiq.notify.domain import is_private_address


class TransportFailed(Exception):
    """The endpoint could not be reached or refused the message; the attempt is retried."""


class WebhookTransport(Protocol):
    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float) -> int:
        """POST ``body`` to ``url`` and return the HTTP status; raise :class:`TransportFailed`
        when no status came back (connection refused, timeout, refused address)."""
        ...


class MailTransport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the mail system; raise :class:`TransportFailed` if it refuses."""
        ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook answers where it was registered; a redirect is a failed attempt."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class UrllibWebhookTransport:
    """POSTs with urllib, no redirects followed; refuses hosts that resolve to local or
    private addresses unless ``allow_private``."""

    def __init__(self, *, allow_private: bool = False) -> None:
        self.allow_private = allow_private
        self._opener = urllib.request.build_opener(_NoRedirects)

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout_s: float) -> int:
        if not self.allow_private:
            self._check_address(url)
        request = urllib.request.Request(  # noqa: S310 - the URL was checked to be http(s)
            url,
            data=body,
            headers={"User-Agent": f"Tansiq/{tansiq.__version__}", **headers},
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=timeout_s) as response:
                status: int = response.status
                return status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code
        except (OSError, http.client.HTTPException) as error:
            raise TransportFailed(f"{type(error).__name__}: {error}") from None

    @staticmethod
    def _check_address(url: str) -> None:
        parts = urlsplit(url)
        try:
            found = socket.getaddrinfo(
                parts.hostname or "", parts.port or 443, type=socket.SOCK_STREAM
            )
        except OSError as error:
            raise TransportFailed(f"cannot resolve {parts.hostname}: {error}") from None
        for *_, sockaddr in found:
            if is_private_address(ipaddress.ip_address(str(sockaddr[0]).split("%")[0])):
                raise TransportFailed(f"{parts.hostname} resolves to a private address")


class SmtpMailTransport:
    """Sends through one SMTP server, with STARTTLS and login when configured."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = True,
        timeout_s: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout_s = timeout_s

    def send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise TransportFailed(f"{type(error).__name__}: {error}") from None
