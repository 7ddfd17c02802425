"""The administrators' journey in a real browser against a real hub, in English and Arabic:
the hub's admin creates a party and a user; the authority's admin uploads a zone map (one
refused feature by feature, then a good one chosen as a file), adds a checkpoint, registers a
device (its token shown once, with the enrol link) and rotates its signing key. axe-core on
every page; every main page at phone and desktop widths; nothing fetched off the hub."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from tests.e2e.browsing import Visit, read_qr

SQUARE = [[41.0, 34.3], [41.02, 34.3], [41.02, 34.32], [41.0, 34.32], [41.0, 34.3]]
BOWTIE = [[41.0, 34.3], [41.02, 34.32], [41.02, 34.3], [41.0, 34.32], [41.0, 34.3]]


def _document(*rings: list[list[float]]) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": {"name_en": f"Field {i + 1}", "name_ar": f"حقل {i + 1}"},
                }
                for i, ring in enumerate(rings)
            ],
        }
    )


def _add(
    page: Page,
    form: str,
    typed: dict[str, str],
    chosen: dict[str, str],
    *,
    done: str,
    row: str,
) -> None:
    """Open the page of the form posting to ``form``, type and choose its fields, send it, and
    find the new ``row`` on the page it goes back to (with ``done`` in its address)."""
    page.goto(form)
    for field, value in typed.items():
        page.fill(field, value)
    for field, value in chosen.items():
        page.select_option(field, value)
    page.click(f"form[action='{form}'] button")
    page.wait_for_url(f"**{form}?{done}=*")
    expect(page.locator(row)).to_have_count(1)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_admin_journey(server: str, browser: Browser, lang: str, tmp_path: Path) -> None:
    problems: list[str] = []

    hub = Visit(browser, server, lang)
    hub.sign_in("admin")
    page = hub.page
    page.click("nav a[href='/admin']")
    page.wait_for_url("**/admin")
    problems += hub.look("admin-overview")

    _add(
        page,
        "/admin/parties",
        {"#code": f"north-{lang}", "#name_ar": "حرس الشمال", "#name_en": "North Guard"},
        {"#kind": "authority"},
        done="created",
        row=f"tr[data-party='north-{lang}']",
    )
    problems += hub.look("admin-parties")

    page.click(f"tr[data-party='north-{lang}'] a")
    page.fill("#username", f"north.admin.{lang}")
    page.fill("#display_name", "North admin")
    page.check("input[name=roles][value=reviewer]")
    page.click("form.admin-form button")
    expect(page.locator("#generated-password")).to_have_count(1)
    expect(page.locator(f"tr[data-user='north.admin.{lang}']")).to_have_count(1)
    problems += hub.look("admin-users")
    hub.close()

    west = Visit(browser, server, lang)
    west.sign_in("west.admin")
    page = west.page
    page.goto("/admin/zones")
    page.wait_for_selector("#map .leaflet-interactive")
    page.fill("#document", _document(SQUARE, BOWTIE))
    page.click("#zone-upload button")
    expect(
        page.locator("tr[data-feature='1'][data-code='geojson.self_intersection']")
    ).to_have_count(1)
    page.wait_for_selector("#map .leaflet-interactive")
    problems += west.look("admin-zones-refused")

    huge: FilePayload = {
        "name": "huge.geojson",
        "mimeType": "application/geo+json",
        "buffer": b" " * 5_300_000,
    }
    page.set_input_files("#file", files=[huge])  # over the hub's limit: refused before upload
    expect(page.locator("#file-status")).to_have_text(
        re.compile("limit|الحد")  # the message the page gave the script, in the reader's language
    )

    good = tmp_path / "west-hill.geojson"
    good.write_text(_document(SQUARE), encoding="utf-8")
    page.set_input_files("#file", str(good))
    expect(page.locator("#source_name")).to_have_value("west-hill.geojson")
    page.fill("#valid_from", "2026-12-01T00:00")
    page.click("#zone-upload button")
    page.wait_for_url("**/admin/zones?uploaded=*")
    page.wait_for_selector("#map path.leaflet-interactive[stroke-width='3']")  # the new zones
    expect(page.locator("tr.uploaded [data-state=future]")).to_have_count(1)
    problems += west.look("admin-zones")

    _add(
        page,
        "/admin/checkpoints",
        {
            "#code": f"W-HILL-{lang}",
            "#name_ar": "التل",
            "#name_en": "Hill",
            "#lat": "34.41",
            "#lon": "41.03",
        },
        {},
        done="done",
        row=f"tr[data-checkpoint='W-HILL-{lang}']",
    )
    problems += west.look("admin-checkpoints")

    page.goto("/admin/devices")
    page.select_option("#checkpoint", f"W-HILL-{lang}")
    page.fill("#name", "Hill phone")
    page.click("form[action='/admin/devices'] button")
    # Beside the button: the enrolment QR code first, the token folded away for typing by hand.
    expect(page.locator("#enrol-qr svg")).to_be_visible()
    token = page.locator("#device-token").text_content() or ""
    assert token.startswith("tqd_")
    expect(page.locator("#enrol-link")).to_have_attribute("href", f"/checkpoint#enrol={token}")
    assert read_qr(page.locator("#enrol-qr svg").screenshot()) == (
        f"{server}/checkpoint#enrol={token}"
    )
    problems += west.look("admin-devices")
    page.goto("/admin/devices")
    assert token not in page.content()

    page.goto("/admin/keys")
    page.click("form[action='/admin/keys/west-command/rotation'] button")
    page.wait_for_url("**/admin/keys?done=*")
    kid = page.url.split("done=")[1]
    expect(page.locator(f"tr[data-kid='{kid}'][data-status=active]")).to_have_count(1)
    problems += west.look("admin-keys")
    west.close()

    assert problems == []
