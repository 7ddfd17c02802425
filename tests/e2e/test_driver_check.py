"""The officer checks the driver and enrols by scanning, in Debian's Chromium.

* The browser normalises a typed ID number exactly as the hub does (permits/id_hash.py): every
  decimal digit of every script, every space and dash Python knows, letters, and whole IDs as
  officers type them; and its scrypt (the vendored @noble/hashes) gives the hub's hash.
* The journey, in English and Arabic: the administrator registers a device and its page shows
  the enrolment QR code beside the button; the officer's phone (a fake camera showing that
  screen) scans it in the app and is enrolled; a permit is checked; a wrong ID number is a
  large cross, the right one typed in Arabic-Indic digits with a dash a large tick, each said
  in a live region; the driver's name is shown in both scripts.
"""

from __future__ import annotations

import io
import sys
import time
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Playwright, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.app import WORDS
from tansiq.checkpoints.models import ScanEventRecord
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.permits.id_hash import hash_id_number, normalise_id_number
from tansiq.web.text import labels
from tests.conftest import NOW, DatabaseFactory
from tests.e2e.browsing import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SIZES,
    Hub,
    Visit,
    accessibility,
    approve_application,
    bearer,
    read_qr,
    serving_hub,
    shoot,
    submit_application,
)
from tests.e2e.test_checkpoint_app import camera_file

HERE = "BRIDGE-W"
FRAME = (640, 480)
DRIVER_ID = "0123"  # what submit_application gives the driver


@pytest.fixture(scope="module")
def hub(databases: DatabaseFactory) -> Iterator[Hub]:
    with serving_hub(databases, "driver", FixedClock(NOW)) as served:
        yield served


def _every(predicate: object) -> list[str]:
    return [
        chr(point)
        for point in range(sys.maxunicode + 1)
        if not 0xD800 <= point <= 0xDFFF and predicate(chr(point))  # type: ignore[operator]
    ]


def test_the_browser_normalises_an_id_number_as_the_hub_does(server: str, browser: Browser) -> None:
    digits = _every(lambda c: unicodedata.category(c) == "Nd")
    spaces = _every(str.isspace)
    dashes = [*_every(lambda c: unicodedata.category(c) == "Pd"), "\u2212"]
    # Dotless i, the dz digraph and the fi ligature change under upper-casing in both languages.
    letters = [*"abcxyzABCXYZ", "ß", "é", "\u0131", "ǆ", "ﬁ", "ا", "ب", "ج", "/", ".", "#"]
    typed = [
        "123-456 789",
        "١٢٣-٤٥٦ ٧٨٩",
        "۱۲۳ ۴۵۶ ۷۸۹",
        " a12 b34\u00a0",
        "A\u0301BC",  # decomposed: NFC first
        "0123",
        "٠١٢٣",
        "",
        "--  --",
    ]
    cases = digits + spaces + dashes + letters + typed
    context = browser.new_context(base_url=server)
    page = context.new_page()
    try:
        page.goto("/checkpoint")
        said: list[str] = page.evaluate(
            """async (cases) => {
              const { normaliseIdNumber } = await import("/assets/checkpoint/driver.js");
              return cases.map(normaliseIdNumber);
            }""",
            cases,
        )
        expected = [normalise_id_number(case) for case in cases]
        differ = [
            (f"U+{ord(c[0]):04X}" if len(c) == 1 else c, got, want)
            for c, got, want in zip(cases, said, expected, strict=True)
            if got != want
        ]
        assert differ == []
        assert len(digits) > 600  # every script's digits, not a sample
        salt = bytes(range(16))
        hashes: list[str] = page.evaluate(
            """async ([ids, salt]) => {
              const { hashIdNumber } = await import("/assets/checkpoint/driver.js");
              const bytes = Uint8Array.from(salt);
              const out = [];
              for (const id of ids) {
                const hash = await hashIdNumber(id, bytes);
                out.push([...hash].map((b) => b.toString(16).padStart(2, "0")).join(""));
              }
              return out;
            }""",
            [["١٢٣-٤٥٦ ٧٨٩", "A12 b34"], list(salt)],
        )
        assert hashes == [hash_id_number(i, salt).hex() for i in ("123456789", "a12b34")]
        token = "tqd_" + "A" * 43
        enrolments: list[str | None] = page.evaluate(
            """async (texts) => {
              const { enrolmentToken } = await import("/assets/checkpoint/officer.js");
              return texts.map(enrolmentToken);
            }""",
            [
                token,
                f"  {token}\n",
                f"{server}/checkpoint#enrol={token}",
                f"https://elsewhere.example/checkpoint#enrol={token}",  # another hub: no
                f"{server}/checkpoint#enrol=not-a-token",
                "TQ1:NOT-AN-ENROLMENT",
                "",
            ],
        )
        assert enrolments == [token, token, token, None, None, None, None]
    finally:
        context.close()


def camera_of(png: bytes, path: Path) -> Path:
    """A Y4M video (4:2:0, grey) of a screenshot, centred on white, as a phone held up to the
    administrator's screen would see it; Chromium plays it as the camera."""
    width, height = FRAME
    shot = Image.open(io.BytesIO(png)).convert("L")
    shot.thumbnail((height - 40, height - 40))
    frame = Image.new("L", FRAME, 255)
    frame.paste(shot, ((width - shot.width) // 2, (height - shot.height) // 2))
    chroma = b"\x80" * (width // 2) * (height // 2) * 2
    header = f"YUV4MPEG2 W{width} H{height} F5:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + (b"FRAME\n" + frame.tobytes() + chroma) * 2)
    return path


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_enrol_by_scanning_then_check_the_driver(
    hub: Hub, browser: Browser, chromium: Playwright, lang: str, tmp_path: Path
) -> None:
    t = labels(Locale(lang), WORDS)
    api_context = browser.new_context(base_url=hub.base)
    api = api_context.request
    result = approve_application(api, submit_application(api, f"DRIVER-{lang}"))
    permit_id = result["permits"][0]["id"]
    token = api.get(f"/api/v1/permits/{permit_id}/token", headers=bearer(api, "trader")).json()[
        "token"
    ]
    api_context.close()

    # The administrator registers the device; the enrolment code appears beside the button.
    admin = Visit(browser, hub.base, lang)
    admin.sign_in("west.admin")
    admin.page.goto("/admin/devices")
    admin.page.select_option("#checkpoint", HERE)
    admin.page.fill("#name", f"Gate phone {lang}")
    admin.page.click("form[action='/admin/devices'] button")
    code = admin.page.locator("#enrol-qr svg")
    expect(code).to_be_visible()
    beside = admin.page.evaluate(
        "document.getElementById('register-device').nextElementSibling.id"
        " || document.getElementById('register-device').nextElementSibling.className"
    )
    assert "enrol" in beside  # right after the form whose button was pressed
    problems = admin.look("admin-devices-enrol-qr")
    shoot(admin.page, "admin-devices-enrol-qr", lang, "desktop")
    picture = code.screenshot()
    link = read_qr(picture)
    device = admin.page.locator("#device-token").text_content() or ""
    assert link == f"{hub.base}/checkpoint#enrol={device}"
    admin.context.close()
    assert admin.outside == []

    # The officer's phone: its camera sees the administrator's screen.
    video = camera_of(picture, tmp_path / "enrol.y4m")
    officer_browser = chromium.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    hub.clock.advance(timedelta(hours=2))  # the permit is in force
    width, height = SIZES["phone"]
    context = officer_browser.new_context(
        base_url=hub.base, viewport={"width": width, "height": height}, permissions=["camera"]
    )
    context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": hub.base}])
    outside: list[str] = []
    context.on(
        "request",
        lambda r: None if r.url.startswith(hub.base + "/") else outside.append(r.url),
    )
    page = context.new_page()
    page.clock.set_fixed_time(hub.clock.now())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto("/checkpoint")
        page.wait_for_selector("#officer[data-ready=true]")
        shoot(page, "checkpoint-enrol-scan", lang, "phone")
        problems += accessibility(page)
        page.click("#cp-enrol-camera-start")
        expect(page.locator("#cp-here")).to_contain_text(HERE, timeout=15_000)
        expect(page.locator("#cp-enrol")).to_be_hidden()
        assert page.locator("#cp-enrol-video").get_attribute("data-decoder") in {"native", "wasm"}
        expect(page.locator("#cp-message")).to_have_text(t["cp_synced"])

        # A permit, checked; the driver's name in both scripts.
        page.fill("#cp-code", token)
        page.click("#cp-check-form button")
        expect(page.locator("#cp-verdict")).to_have_attribute("data-status", "valid")
        expect(page.locator("[data-fact=driver] bdi")).to_have_text(
            ["سمير الحلبي", "Samir al-Halabi"]
        )
        expect(page.locator("#cp-driver-check")).to_be_visible()

        # Nothing typed: said beside the button.
        page.click("#cp-driver-form button")
        expect(page.locator("#cp-driver-said")).to_have_text(t["cp_driver_id_required"])

        # A wrong ID number: a large cross, said in the live region beside the button.
        page.fill("#cp-driver-id", "0124")
        page.click("#cp-driver-form button")
        mark = page.locator("#cp-driver-mark")
        expect(mark).to_have_attribute("data-matches", "false", timeout=15_000)
        expect(mark).to_have_text("✗")
        expect(page.locator("#cp-driver-said")).to_have_text(t["cp_driver_differs"])
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.getElementById('cp-driver-mark')).fontSize)"
        )
        assert size >= 48  # large type
        # Not the permit's driver: the refusal comes first, its reason chosen; no passage.
        expect(page.locator("#cp-passage")).to_be_hidden()
        expect(page.locator("#cp-refusal-reason")).to_have_value("driver_not_authorised")
        expect(page.locator("#cp-override")).to_be_visible()
        live = page.evaluate(
            "document.getElementById('cp-driver-said').closest('[role=status]') !== null"
        )
        assert live
        shoot(page, "checkpoint-driver-wrong", lang, "phone")
        problems += accessibility(page)

        # The right one, as an officer might type it from an Arabic card.
        page.fill("#cp-driver-id", "\u0660-\u0661\u0662\u0663")  # 0-123 in Arabic-Indic
        page.click("#cp-driver-form button")
        expect(mark).to_have_attribute("data-matches", "true", timeout=15_000)
        expect(mark).to_have_text("✓")
        expect(page.locator("#cp-driver-said")).to_have_text(t["cp_driver_matches"])
        expect(page.locator("#cp-passage")).to_be_visible()
        expect(page.locator("#cp-refusal-reason")).to_have_value("")
        shoot(page, "checkpoint-driver-right", lang, "phone")
        problems += accessibility(page)

        # The passage is confirmed where it was recorded, not only at the top.
        page.click("#cp-passage")
        expect(page.locator("#cp-recorded")).to_have_text(t["cp_recorded_passage"])
        expect(page.locator("#cp-driver-check")).to_be_hidden()
        shoot(page, "checkpoint-recorded", lang, "phone")
        problems += accessibility(page)
        # The check's outcome went with the decision it informed: the hub holds it once the
        # app has synced (it does so at once when online).
        deadline = time.monotonic() + 15
        checks: list[str | None] = []
        while time.monotonic() < deadline and "match" not in checks:
            time.sleep(0.2)
            with Session(hub.context.engine) as session:
                checks = list(session.scalars(select(ScanEventRecord.driver_check)))
        assert "match" in checks, checks
    finally:
        context.close()
        officer_browser.close()
        hub.clock.advance(timedelta(hours=-2))
    assert outside == [], outside
    assert errors == [], errors
    assert problems == [], problems


def test_without_webassembly_the_camera_still_reads_with_jsqr(
    hub: Hub, browser: Browser, chromium: Playwright, tmp_path: Path
) -> None:
    """The last resort: when the decoder's .wasm cannot load, the app falls back to jsQR on
    the page, and the permit is still read from the camera."""
    api_context = browser.new_context(base_url=hub.base)
    api = api_context.request
    result = approve_application(api, submit_application(api, "NO-WASM"))
    permit_id = result["permits"][0]["id"]
    token = api.get(f"/api/v1/permits/{permit_id}/token", headers=bearer(api, "trader")).json()[
        "token"
    ]
    device = api.post(
        "/api/v1/devices",
        data={"checkpoint": HERE, "name": "no wasm"},
        headers=bearer(api, "west.admin"),
    ).json()["token"]
    api_context.close()
    video = camera_file(token, tmp_path / "permit.y4m")
    officer_browser = chromium.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    hub.clock.advance(timedelta(hours=2))
    context = officer_browser.new_context(
        base_url=hub.base, permissions=["camera"], service_workers="block"
    )
    context.route("**/*.wasm", lambda route: route.abort())
    page = context.new_page()
    page.clock.set_fixed_time(hub.clock.now())
    try:
        page.goto(f"/checkpoint#enrol={device}")
        expect(page.locator("#cp-here")).to_contain_text(HERE)
        page.click("#cp-camera-start")
        expect(page.locator("#cp-verdict")).to_have_attribute(
            "data-status", "valid", timeout=30_000
        )
        assert page.locator("#cp-video").get_attribute("data-decoder") == "jsqr"
    finally:
        context.close()
        officer_browser.close()
        hub.clock.advance(timedelta(hours=-2))
