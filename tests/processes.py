"""Real ``tansiq`` processes for the tests that start, race and kill them.

Each process writes its output to a log file (read back when a test fails or waits for a
line), inherits the test's environment (so the suite's minimal password-hash cost applies)
plus the settings a test gives, and is always ended by the pid the test holds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class TansiqProcess:
    """A ``python -m tansiq.cli ...`` child process and the file its output goes to."""

    process: subprocess.Popen[bytes]
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, timeout_s: float = START_TIMEOUT_S) -> None:
        """Wait until the process has printed ``text``; fail if it exits or takes too long."""
        deadline = time.monotonic() + timeout_s
        while text not in self.output:
            assert self.process.poll() is None, f"exited early:\n{self.output}"
            assert time.monotonic() < deadline, f"no {text!r} in time:\n{self.output}"
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to finish anything."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM and wait; SIGKILL if it does not end in time. Returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode


def start(
    args: list[str], *, database_url: str, log: Path, env: Mapping[str, str] | None = None
) -> TansiqProcess:
    """Start ``tansiq ARGS`` on ``database_url`` with extra ``TANSIQ_*`` settings in ``env``."""
    environment = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "TANSIQ_DATABASE_URL": database_url,
        **(env or {}),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tansiq.cli", *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=environment,
            cwd=log.parent,
        )
    return TansiqProcess(process, log)


def wait_until_serving(hub: TansiqProcess, port: int, timeout_s: float = START_TIMEOUT_S) -> None:
    """Wait until the hub answers /health on ``port``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return
        except OSError:
            assert hub.process.poll() is None, f"the hub exited:\n{hub.output}"
            assert time.monotonic() < deadline, f"the hub did not start:\n{hub.output}"
            time.sleep(0.1)


@contextmanager
def demo_hub(folder: Path) -> Iterator[tuple[int, Path]]:
    """``tansiq demo`` serving the demo town from a SQLite file in ``folder`` (its key beside it,
    as a newcomer's would be): (port, database file); stopped at the end."""
    port = free_port()
    database = folder / "hub.db"
    hub = start(
        ["demo", "--database", str(database), "--port", str(port)],
        database_url=f"sqlite:///{database}",
        log=folder / "demo.log",
    )
    try:
        wait_until_serving(hub, port, timeout_s=90)
        yield port, database
    finally:
        hub.stop()
