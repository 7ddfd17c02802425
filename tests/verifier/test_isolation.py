"""The verifier runs on a checkpoint device: it loads core and the pure permit modules only."""

from __future__ import annotations

import subprocess
import sys


def test_the_verifier_loads_only_core_and_the_pure_permit_modules() -> None:
    probe = (
        "import sys, tansiq.verifier.verify, tansiq.verifier.image; "
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('tansiq'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    allowed = {
        "tansiq",
        "tansiq.permits",
        "tansiq.permits.base45",
        "tansiq.permits.claims",
        "tansiq.permits.cose",
        "tansiq.permits.id_hash",
        "tansiq.permits.keys",
        "tansiq.permits.token",
        "tansiq.permits.token_errors",
        "tansiq.permits.trust",
    }
    loaded = set(result.stdout.split())
    outside = {
        name
        for name in loaded - allowed
        if not name.startswith(("tansiq.core.", "tansiq.verifier."))
        and name not in ("tansiq.core", "tansiq.verifier")
    }
    assert outside == set()
    assert "tansiq.verifier.verify" in loaded
