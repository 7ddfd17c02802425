"""A real hub process for tests that need one: ``tansiq demo`` on a free 127.0.0.1 port, and a
small HTTP proxy in front of it that can answer a chosen request wrongly (busy, refused,
undecodable) before letting the rest through."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.cli.test_cli import free_port


@dataclass(frozen=True)
class DemoHub:
    url: str
    database: Path

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def secret_key(self) -> str:
        return Path(f"{self.database}.key").read_text(encoding="utf-8").strip()


def wait_for_health(url: str, process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            assert process.poll() is None, "the hub process ended"
            assert time.monotonic() < deadline, "the hub did not start"
            time.sleep(0.3)


@contextmanager
def demo_hub(folder: Path, name: str = "hub.db") -> Iterator[DemoHub]:
    """``tansiq demo`` run in ``folder`` on database file ``name`` there."""
    port = free_port()
    database = folder / name
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tansiq.cli",
            "demo",
            "--database",
            str(database),
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=folder,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        hub = DemoHub(f"http://127.0.0.1:{port}", database)
        wait_for_health(hub.url, process)
        yield hub
    finally:
        process.terminate()
        process.wait(timeout=20)


@dataclass(frozen=True)
class Canned:
    """An answer the proxy gives instead of the hub's."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


# Given (method, path, the hub's own answer or None before asking it), what to send instead.
Fault = Callable[[str, str, "Canned | None"], "Canned | None"]


@dataclass
class Proxy:
    url: str
    seen: list[tuple[str, str, int]] = field(default_factory=list)
    faults: list[tuple[str, str, Fault]] = field(default_factory=list)

    def once(self, method: str, path: str, fault: Fault) -> None:
        """Apply ``fault`` to the next request whose method is ``method`` and whose path
        starts with ``path``."""
        self.faults.append((method, path, fault))


def busy(status: int = 503, retry_after: str = "0") -> Fault:
    return lambda method, path, hub: Canned(status, b"<h1>busy</h1>", {"Retry-After": retry_after})


@contextmanager
def proxy_to(upstream: str) -> Iterator[Proxy]:
    port = free_port()
    proxy = Proxy(f"http://127.0.0.1:{port}")
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the test reads proxy.seen

        def _fault(self) -> Fault | None:
            with lock:
                for index, (method, path, fault) in enumerate(proxy.faults):
                    if method == self.command and self.path.startswith(path):
                        del proxy.faults[index]
                        return fault
            return None

        def _forward(self) -> Canned:
            length = int(self.headers.get("Content-Length") or 0)
            request = urllib.request.Request(
                upstream + self.path,
                data=self.rfile.read(length) if length else None,
                method=self.command,
                headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return Canned(response.status, response.read(), dict(response.headers))
            except urllib.error.HTTPError as error:
                return Canned(error.code, error.read(), dict(error.headers))

        def _answer(self) -> None:
            fault = self._fault()
            canned = fault(self.command, self.path, None) if fault else None
            if canned is None:
                canned = self._forward()
                if fault:
                    canned = fault(self.command, self.path, canned) or canned
            with lock:
                proxy.seen.append((self.command, self.path, canned.status))
            self.send_response(canned.status)
            for name, value in canned.headers.items():
                if name.lower() in {"content-type", "retry-after"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(canned.body)))
            self.end_headers()
            self.wfile.write(canned.body)

        do_GET = do_POST = _answer  # noqa: N815 - the names http.server dispatches to

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
