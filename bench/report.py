"""What every bench shares: the machine header and its section of docs/performance.md.

A bench calls ``start()`` first (prints the machine: cores, load, Python and library versions),
prints its tables and ``result:`` lines, then ``write_section(name, title, machine, lines)``.
Each bench owns one section of docs/performance.md between ``<!-- bench:NAME -->`` and
``<!-- /bench:NAME -->``, replaced on each run; the other sections are left as they are, so
benches (and the branches that add them) never touch each other's figures.

A figure measured while other work held half the cores or more (1-minute load average at the
start) is labelled "loaded machine": it is reported as measured, never rounded up.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PERFORMANCE = Path(__file__).resolve().parent.parent / "docs" / "performance.md"
LOADED_SHARE = 0.5  # of the cores, busy with other work at the start: a loaded machine
LIBRARIES = ("sqlalchemy", "shapely", "pyproj", "cryptography", "fastapi", "pydantic")
HEADER = """# Performance

Figures written by the `bench/` scripts (DESIGN §5), one section per bench, each replaced when
its bench runs (`.venv/bin/python bench/NAME.py`). Each section names the machine and its load;
a figure from a loaded machine (1-minute load at the start at least half the core count: other
work held a core) is labelled so, and is as measured, never rounded up.
"""


@dataclass
class Machine:
    cores: int
    load_start: tuple[float, float, float]
    started: datetime
    versions: dict[str, str]
    database: str = ""
    load_end: tuple[float, float, float] | None = None
    notes: list[str] = field(default_factory=list)

    def finish(self) -> None:
        """Note the load at the end (printed, before the bench prints its results)."""
        self.load_end = os.getloadavg()
        print(f"load average at end: {_load(self.load_end)}" + (" (LOADED)" if self.loaded else ""))
        sys.stdout.flush()

    @property
    def loaded(self) -> bool:
        """Other work held half the cores or more as the bench started (the load at the end
        includes the bench's own work, so it is shown but not judged)."""
        return bool(self.load_start[0] >= LOADED_SHARE * self.cores)

    def describe(self) -> list[str]:
        load = f"load average (1/5/15 min) at start: {_load(self.load_start)}"
        if self.load_end is not None:
            load += f"; at end: {_load(self.load_end)}"
        lines = [
            f"machine: {platform.machine()} {platform.system()}, {self.cores} cores, {_cpu()}",
            load,
            "versions: " + ", ".join(f"{k} {v}" for k, v in self.versions.items()),
        ]
        if self.database:
            lines.append(f"database: {self.database}")
        if self.loaded:
            lines.append("LOADED MACHINE: other work held a core or more; figures are as measured")
        return lines


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


def _load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{value:.2f}" for value in load)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


def start() -> Machine:
    """The machine as the bench starts; printed at once."""
    machine = Machine(
        cores=os.cpu_count() or 1,
        load_start=os.getloadavg(),
        started=datetime.now(UTC),
        versions=versions(),
    )
    for line in machine.describe():
        print(line)
    sys.stdout.flush()
    return machine


def database_version(url: str) -> str:
    """The backend and its server version, e.g. ``PostgreSQL 16.4`` or ``SQLite 3.45.1``."""
    if url.startswith("sqlite"):
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from tansiq.db.engine import normalise_url

    engine = create_engine(normalise_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            raw = str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()
    return f"PostgreSQL {raw.split()[0]}"


@contextmanager
def database(url: str | None, label: str) -> Iterator[str]:
    """A fresh database: a SQLite file, or a uniquely named one on the PostgreSQL server named by
    ``url`` (dropped afterwards)."""
    if url is None or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    from tansiq.db.engine import normalise_url

    base = make_url(normalise_url(url))
    name = f"tq_bench_{label}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def write_section(
    name: str,
    title: str,
    machine: Machine,
    lines: list[str],
    path: Path = PERFORMANCE,
    *,
    command: str | None = None,
) -> None:
    """Replace (or add) this bench's section of docs/performance.md; ``command`` is how it was
    run (default ``bench/NAME.py``)."""
    if machine.load_end is None:
        machine.finish()
    label = " (loaded machine)" if machine.loaded else ""
    body = [
        f"## {title}{label}",
        "",
        f"Measured {machine.started:%Y-%m-%d %H:%M} UTC by `{command or f'bench/{name}.py'}`.",
        "",
        *[f"- {line}" for line in machine.describe()],
        *[f"- {note}" for note in machine.notes],
        "",
        "```",
        *lines,
        "```",
    ]
    section = f"<!-- bench:{name} -->\n" + "\n".join(body) + f"\n<!-- /bench:{name} -->"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


class Tee:
    """Print and keep each line, so the section shows exactly what the run printed."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, line: str = "") -> None:
        print(line)
        sys.stdout.flush()
        self.lines.append(line)
