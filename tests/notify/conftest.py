"""Real endpoints for the outbox: an HTTP webhook receiver that checks signatures, and an SMTP
server (aiosmtpd), each on 127.0.0.1 at a free port."""

from __future__ import annotations

import email
import email.policy
import hmac
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tansiq.settings import Settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    """A party's system: answers with ``statuses`` in turn (then 200), keeps every request,
    and accepts each delivery once (by its Tansiq-Delivery id), as a receiver should.

    ``arrived`` is set at each request; while ``hold`` is given and not set, requests wait for
    it before they are answered (a slow receiver, to catch a sender in the middle).
    """

    port: int
    secrets: list[str] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    accepted: dict[str, bytes] = field(default_factory=dict)
    arrived: threading.Event = field(default_factory=threading.Event)
    hold: threading.Event | None = None
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/tansiq"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                signed = headers.get("tansiq-timestamp", "").encode() + b"." + body
                given = headers.get("tansiq-signature", "")
                ok = any(
                    hmac.compare_digest(
                        given, "sha256=" + hmac.new(key, signed, "sha256").hexdigest()
                    )
                    for key in (secret.encode() for secret in receiver.secrets)
                )
                receiver.requests.append(Received(headers, body, ok))
                receiver.arrived.set()
                if receiver.hold is not None:
                    receiver.hold.wait(timeout=30)
                status = 401 if not ok else receiver.statuses.pop(0) if receiver.statuses else 200
                if status == 200:
                    receiver.accepted.setdefault(headers["tansiq-delivery"], body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test reads ``requests`` instead."""

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.thread is not None:
            self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver that is up."""
    running = Receiver(free_port())
    running.start()
    yield running
    running.stop()


@pytest.fixture
def down_receiver() -> Iterator[Receiver]:
    """A receiver whose port refuses connections until the test calls ``start()``."""
    later = Receiver(free_port())
    yield later
    later.stop()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield SmtpServer(port, mailbox)
    controller.stop()


@pytest.fixture
def settings() -> Settings:
    """The hub's settings for these tests: local webhooks allowed, e-mail on, short timeouts."""
    return Settings(
        database_url="sqlite://",
        max_body_bytes=1024 * 1024,
        webhook_allow_private=True,
        smtp_host="127.0.0.1",
        smtp_port=2525,
        smtp_starttls=False,
        smtp_from="hub@tansiq.example",
        delivery_timeout_s=2.0,
        job_max_attempts=4,
    )
