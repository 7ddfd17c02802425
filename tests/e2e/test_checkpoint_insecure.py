"""Opened over plain HTTP from another machine (not HTTPS, not localhost), the browser gives the
checkpoint app no WebCrypto, camera or service worker; the app says so instead of failing."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Playwright, expect

from tests.e2e.browsing import CHROMIUM

HOST = "checkpoint-hub.test"  # resolved to 127.0.0.1 by Chromium alone, so not "localhost"


@pytest.fixture(scope="module")
def remote_browser(chromium: Playwright) -> Iterator[Browser]:
    """A Chromium of its own: the host name is mapped at launch."""
    launched = chromium.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", f"--host-resolver-rules=MAP {HOST} 127.0.0.1"],
    )
    yield launched
    launched.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_over_plain_http_the_app_says_it_needs_a_secure_connection(
    server: str, remote_browser: Browser, lang: str
) -> None:
    base = f"http://{HOST}:{urlsplit(server).port}"
    context = remote_browser.new_context(base_url=base)
    context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": base}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/checkpoint")
    assert page.evaluate("window.isSecureContext") is False
    expect(page.locator("#officer[data-ready=true]")).to_have_count(1)
    notice = page.locator("#cp-insecure")
    expect(notice).to_be_visible()
    said = notice.inner_text()
    assert "HTTPS" in said
    assert ("اتصال آمن" in said) is (lang == "ar")
    assert errors == []
    context.close()
