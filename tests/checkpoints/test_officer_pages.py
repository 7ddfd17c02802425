"""The checkpoint app's server side through HTTP: the page in both languages, its service
worker (scope, type, versioned cache), its manifest, and the device's checkpoint lookup."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from tests.clearances.conftest import Tokens

ARABIC = re.compile("[\u0600-\u06ff]")


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_app_page_needs_no_sign_in_and_speaks_the_readers_language(
    client: TestClient, lang: str, direction: str
) -> None:
    client.cookies.set("tansiq_lang", lang)
    page = client.get("/checkpoint")
    assert page.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in page.text
    assert '<link rel="manifest" href="/checkpoint/manifest.webmanifest">' in page.text
    assert "script-src 'self';" in page.headers["Content-Security-Policy"]
    assert "worker-src 'self'" in page.headers["Content-Security-Policy"]
    labels = json.loads(re.search(r"data-labels='([^']+)'", page.text).group(1))  # type: ignore[union-attr]
    assert set(labels["reasons"]) >= {"valid", "malformed", "no_revocations", "not_signed_here"}
    assert bool(ARABIC.search(labels["text"]["cp_word_valid"])) is (lang == "ar")
    assert 'value="security_concern"' in page.text  # the refusal codes the hub accepts


def test_the_service_worker_covers_the_app_and_versions_its_cache(client: TestClient) -> None:
    worker = client.get("/checkpoint/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["Service-Worker-Allowed"] == "/checkpoint"
    assert "__VERSION__" not in worker.text
    assert re.search(r"const CACHE = PREFIX \+ \"[0-9a-f]{16}\";", worker.text)
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", worker.text).group(1))  # type: ignore[union-attr]
    assert shell[0] == "/checkpoint"
    for path in shell[1:]:
        assert client.get(path).status_code == 200, path


def test_the_decoder_worker_alone_may_compile_webassembly(client: TestClient) -> None:
    """The QR decoder's worker carries a policy of its own that allows WebAssembly and only
    the hub; the page's policy stays as strict as every page's."""
    worker = client.get("/checkpoint/scan-worker.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    policy = worker.headers["Content-Security-Policy"]
    assert policy == "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'"
    assert "/assets/vendor/zxing-wasm/zxing_reader.wasm" in worker.text
    page = client.get("/checkpoint").headers["Content-Security-Policy"]
    assert "wasm" not in page
    assert "unsafe-eval" not in page
    assert client.get("/admin").headers["Content-Security-Policy"] == page
    wasm = client.get("/assets/vendor/zxing-wasm/zxing_reader.wasm")
    assert wasm.headers["content-type"] == "application/wasm"
    assert wasm.content[:4] == b"\0asm"
    # Nothing the app loads names another host: the decoder's .wasm is the hub's own.
    for path in ("checkpoint/scan-worker.js", "vendor/zxing-wasm/share.js"):
        assert "https://" not in client.get(f"/assets/{path}").text


def test_the_manifest_installs_the_app_at_its_own_path(client: TestClient) -> None:
    client.cookies.set("tansiq_lang", "ar")
    manifest = client.get("/checkpoint/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert (body["start_url"], body["scope"], body["dir"]) == ("/checkpoint", "/checkpoint", "rtl")
    assert ARABIC.search(body["name"])


def test_a_device_learns_its_checkpoint_with_its_token_only(
    client: TestClient, tokens: Tokens
) -> None:
    assert client.get("/checkpoint/device").status_code == 401
    bad = client.get("/checkpoint/device", headers={"Authorization": "Device tqd_nothing"})
    assert bad.status_code == 401
    device = client.post(
        "/api/v1/devices",
        headers=tokens("west.admin"),
        json={"checkpoint": "BRIDGE-W", "name": "officer phone"},
    ).json()
    answer = client.get(
        "/checkpoint/device", headers={"Authorization": f"Device {device['token']}"}
    )
    assert answer.status_code == 200
    assert answer.json()["checkpoint"] == "BRIDGE-W"
    assert answer.json()["device"] == "officer phone"
