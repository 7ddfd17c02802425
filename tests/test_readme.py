"""The README's walkthrough, run as written: every ``sh`` block of its "Trying it" section, in
order, in one shell, from a folder laid out like the repository (``.venv``, ``docs``), against
a real ``tansiq demo`` on a free 127.0.0.1 port. Then every file it left behind is one git
ignores."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.hub_process import demo_hub

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent
BASH, CURL, GIT = (shutil.which(tool) for tool in ("bash", "curl", "git"))


def walkthrough() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Trying it\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)


def test_the_walkthrough_names_only_files_the_repository_has() -> None:
    blocks = "\n".join(walkthrough())
    named = set(re.findall(r"docs/examples/[\w.-]+", blocks))
    assert named, "the walkthrough reads no example file"
    for path in named:
        assert (ROOT / path).is_file(), path


@pytest.mark.skipif(not (BASH and CURL and GIT), reason="the walkthrough needs bash, curl, git")
def test_the_readme_walkthrough_runs_as_written(tmp_path: Path) -> None:
    assert BASH
    assert GIT
    (tmp_path / ".venv").symlink_to(VENV)
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    with demo_hub(tmp_path, "tansiq-demo.db") as hub:
        port = hub.url.rsplit(":", 1)[1]
        steps = "\n".join(walkthrough())
        steps = re.sub(r"\b(localhost|127\.0\.0\.1):8000\b", f"127.0.0.1:{port}", steps)
        script = (
            "set -euo pipefail\ntrap 'echo \"README step failed: $BASH_COMMAND\" >&2' ERR\n" + steps
        )
        clean = {k: v for k, v in os.environ.items() if not k.startswith("TANSIQ_")}
        done = subprocess.run(
            [BASH, "-c", script],
            cwd=tmp_path,
            env={**clean, "TANSIQ_LANG": "en"},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    assert '"code": "west-command"' in said or "west-command" in said
    assert "CONTRADICTION" in said
    assert "permit 1 P-000001-1: active" in said
    assert "\nVALID\n" in said  # the device's scan, offline
    assert "*** VALID ***" in said  # permit verify, from the exported files
    assert "P-000001-1: revoked" in said
    assert "\nREVOKED\n" in said
    assert "refused: exit code 1" in said
    assert "Traceback" not in said

    left = sorted(
        p.name + "/" * p.is_dir() for p in tmp_path.iterdir() if p.name not in {".venv", "docs"}
    )
    assert {"tansiq-demo.db", "tansiq-demo.db.key", "checkpoint.sqlite", "trust/"} <= set(left)
    ignored = subprocess.run(
        [GIT, "-C", str(ROOT), "check-ignore", "--no-index", *left],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert sorted(ignored) == left
