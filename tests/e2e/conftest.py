"""Browser tests: a served hub and one Chromium per test process (see browsing.py)."""

from __future__ import annotations

from tests.e2e.browsing import (  # noqa: F401 - fixtures for the tests
    browser,
    fresh_contexts,
    server,
)
