"""A page in Chromium that serves one of the checkpoint app's own modules from a made-up
origin (an ES module needs http(s), not file://), for tests that run it in the browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

from fastapi.testclient import TestClient
from playwright.sync_api import Page, Playwright, Route

from tansiq.app import create_app
from tansiq.context import HubContext
from tansiq.settings import Settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def asset_page(chromium: Playwright, origin: str, asset: str) -> Iterator[Page]:
    """A blank page at ``origin`` that can import ``/<asset>`` (the hub's
    ``/assets/checkpoint/<asset>``); the browser is closed afterwards."""
    hub = HubContext.from_settings(Settings(database_url="sqlite://"))
    with TestClient(create_app(hub)) as client:
        source = client.get(f"/assets/checkpoint/{asset}")
    assert source.status_code == 200
    files = {
        "/": ("text/html", f"<!doctype html><title>{asset}</title>"),
        f"/{asset}": ("text/javascript", source.text),
    }

    def serve(route: Route) -> None:
        path = route.request.url.removeprefix(origin)
        if path not in files:
            route.fulfill(status=404, body="")
            return
        content_type, body = files[path]
        route.fulfill(status=200, content_type=content_type, body=body)

    browser = chromium.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
    )
    tab = browser.new_page()
    tab.route(origin + "/**", serve)
    tab.goto(origin + "/")
    yield tab
    browser.close()
