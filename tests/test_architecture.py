"""Dependencies point inward: checked by import-linter and, at run time, here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import get_args

import pytest

from tansiq.web.deps import DbSession

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "module",
    [
        "tansiq.core.geojson",
        "tansiq.core.projection",
        "tansiq.geo.index",
        "tansiq.parties.access",
        "tansiq.permits.domain",
        "tansiq.permits.qr",
        "tansiq.permits.terms",
        "tansiq.permits.token",
        "tansiq.verifier.verify",
        "tansiq.verifier.image",
    ],
)
def test_pure_modules_load_no_database_or_web_code(module: str) -> None:
    probe = (
        f"import sys, {module}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'fastapi', 'starlette', 'alembic', 'uvicorn', 'click')); "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_unit_of_work_commits_before_the_response_is_sent() -> None:
    """A client told "created" must find it on its next request (a browser following the
    redirect after a form, on PostgreSQL): the request's unit of work ends with the handler."""
    dependency = get_args(DbSession)[1]
    assert dependency.scope == "function"


def test_no_module_in_src_is_over_500_lines() -> None:
    """Small modules, one role each (STYLE.md): split past ~400 lines, never past 500."""
    long = {
        str(path.relative_to(ROOT)): count
        for path in sorted((ROOT / "src" / "tansiq").rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}
