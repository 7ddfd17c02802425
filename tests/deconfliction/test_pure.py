"""Deconfliction's core loads no database or web code at run time (import-linter checks the
imports; this checks what importing actually pulls in)."""

from __future__ import annotations

import subprocess
import sys

PROBE = (
    "import sys, tansiq.deconfliction.index, tansiq.deconfliction.sanity; "
    "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
    "('sqlalchemy', 'fastapi', 'starlette', 'alembic', 'uvicorn', 'click') "
    "or m.startswith(('tansiq.db', 'tansiq.web', 'tansiq.settings'))); "
    "print(','.join(bad))"
)


def test_the_core_loads_no_database_or_web_code() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
