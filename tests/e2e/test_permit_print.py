"""The paper permit fits on one A5 page (issue 11, item 13): rendered to PDF by Chromium at A5,
in both languages, for a three-signer permit with several conditions (the largest QR code a
permit gets) and for a permit printed from the hub's own page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.geo.repository import GeoRepository
from tansiq.parties.domain import PartyKind
from tansiq.parties.repository import PartyRepository
from tansiq.permits.claims import Condition as ClaimCondition
from tansiq.permits.domain import Condition, ConditionKind, PermitStatus
from tansiq.permits.models import PermitRecord
from tansiq.permits.printing import render_printable
from tansiq.permits.terms import CargoLine, Holder, PermitFacts
from tansiq.permits.token import sign_permit
from tests.e2e.browsing import SHOTS, Visit, apply_through_api, approve_through_api
from tests.factories import party
from tests.permits.builders import AUTHORITY_SIGNERS, claims

PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
ROUTE = ("W-GATE", "BRIDGE-W", "BRIDGE-E", "E-GATE")


def pages_of(pdf: bytes) -> int:
    """How many pages a PDF has: its page objects (Chromium writes them uncompressed)."""
    return len(PAGE.findall(pdf))


def a5_pdf(page: Page, name: str) -> bytes:
    pdf = page.pdf(format="A5", print_background=True, prefer_css_page_size=True)
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}.pdf").write_bytes(pdf)
    return pdf


def _three_signer_permit(session: Session, clock: FixedClock) -> tuple[PermitRecord, PermitFacts]:
    repo = PartyRepository(session)
    west, east = repo.party_by_code("west-command"), repo.party_by_code("east-force")
    assert west is not None
    assert east is not None
    third = party(session, clock, PartyKind.AUTHORITY, code="river-guard")
    now = clock.now()
    conditions = [
        (west.id, Condition(ConditionKind.DAYLIGHT_ONLY)),
        (west.id, Condition(ConditionKind.VIA_CHECKPOINTS, checkpoints=("W-GATE", "BRIDGE-W"))),
        (east.id, Condition(ConditionKind.ESCORT_REQUIRED)),
        (east.id, Condition(ConditionKind.VIA_CHECKPOINTS, checkpoints=("BRIDGE-E", "E-GATE"))),
        (
            third.id,
            Condition(
                ConditionKind.FREE_TEXT,
                text="Report to the river guard post on arrival; no stop on the bridge",
            ),
        ),
    ]
    permit = PermitRecord(
        reference=2026000123,
        version=3,
        reference_version=3,
        status=PermitStatus.ACTIVE,
        issued_at=now,
        valid_from=now + timedelta(hours=1),
        valid_until=now + timedelta(days=3),
        authority_ids=[west.id, east.id, third.id],
        conditions=[{"authority_id": a, **c.as_json()} for a, c in conditions],
    )
    facts = PermitFacts(
        holder=Holder(
            name_ar="عبد الرحمن بن سمير الحلبي",
            name_latin="Abd al-Rahman ibn Samir al-Halabi",
            id_hash=bytes(32),
            id_salt=bytes(16),
        ),
        vehicle=claims().vehicle,
        cargo=(
            CargoLine(400, "bags", "Wheat flour, 50 kg bags"),
            CargoLine(120, "boxes", "Infant formula and medical supplies"),
            CargoLine(2, "pallets", "Water purification tablets", un_number="UN1748"),
        ),
        origin="West Gate depot, industrial quarter",
        destination="Grain Market, east bank of the river",
        route=((37.15412, 36.20213), (37.17801, 36.21555), (37.21033, 36.23017)),
        checkpoints=ROUTE,
        corridor_m=200,
    )
    return permit, facts


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_three_signer_permit_with_conditions_prints_on_one_a5_page(
    browser: Browser, session: Session, clock: FixedClock, lang: str
) -> None:
    permit, facts = _three_signer_permit(session, clock)
    token = sign_permit(
        claims(
            conditions=(
                ClaimCondition("daylight_only"),
                ClaimCondition("via_checkpoints", "W-GATE,BRIDGE-W"),
                ClaimCondition("escort_required"),
                ClaimCondition("via_checkpoints", "BRIDGE-E,E-GATE"),
                ClaimCondition("free_text", "Report to the river guard post on arrival"),
            )
        ),
        AUTHORITY_SIGNERS,
    )
    printed = render_printable(session, permit, facts, token, Locale(lang), printed_at=clock.now())
    names = GeoRepository(session).checkpoints_by_codes(set(ROUTE))
    context = browser.new_context()
    page = context.new_page()
    page.set_content(printed)
    assert pages_of(a5_pdf(page, f"permit-a5-three-signers-{lang}")) == 1

    arabic = page.locator("section[lang=ar]").inner_text()
    english = page.locator("section[lang=en]").inner_text()
    # Names in each column's script: checkpoints in Arabic in the Arabic column.
    for code in ROUTE:
        assert names[code].name_ar in arabic
        assert names[code].name_en in english
        assert code not in arabic
    assert "شاحنة" in arabic
    assert "Truck" in english
    assert "أكياس" in arabic
    # Conditions are boxed beside the QR code, not after the columns.
    qr = page.locator(".qr svg").bounding_box()
    box = page.locator(".conditions").bounding_box()
    assert qr is not None
    assert box is not None
    assert abs(box["y"] - qr["y"]) < 5
    assert page.locator(".conditions li").count() == 5
    # The whole code is drawn, scaled to its box, never cropped.
    assert page.locator(".qr svg").get_attribute("viewBox") is not None
    # Status as printed, and the advice to scan, instead of a stamp.
    assert "scan the code to verify the status now" in page.inner_text(".printed")
    # Nothing breaks inside a date or a checkpoint name.
    for element in page.locator(".cols bdi.nobr").all():
        assert element.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
        lines = "e => new Set([...e.getClientRects()].map(r => Math.round(r.bottom))).size"
        assert element.evaluate(lines) == 1, element.inner_text()
    if SHOTS is not None:
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 560, "height": 794})  # A5 at 96 dpi
        page.screenshot(path=str(Path(SHOTS) / f"permit-a5-{lang}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_hubs_print_page_fits_one_a5_page(browser: Browser, server: str, lang: str) -> None:
    application = apply_through_api(browser, server, f"PRINT-{lang}")
    approve_through_api(browser, server, application)
    visit = Visit(browser, server, lang)
    visit.sign_in("trader")
    visit.page.goto(f"/applications/{application['id']}")
    visit.page.click("a.print")
    visit.page.wait_for_url("**/print")
    assert pages_of(a5_pdf(visit.page, f"permit-a5-hub-{lang}")) == 1
    visit.shoot("permit-print")
    visit.close()
