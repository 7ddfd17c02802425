"""The reviewer decides with the facts (issue 11, items 8 and 10): the "who and what" card, the
decision form that keeps its choices when it comes back with an error and counts only the
chosen decision's fields, checkpoints picked from a list, banners worded for the reader, appeals
marked in the queue, and a review an amendment dropped shown as "no longer required"."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.clearances.render import application_out
from tansiq.clearances.repository import ClearanceRepository
from tansiq.cli.clearances import show
from tansiq.core.clock import FixedClock
from tests.clearances.conftest import (
    ROADS,
    Tokens,
    application_body,
    decide,
    east_rejects,
    review_of,
    submit,
)
from tests.web.pages import csrf_of, sign_in

WORDS = {
    "en": {
        "card": "Who and what",
        "company": "Trading company",
        "kind": "Truck",
        "unit": "bags",
        "refused": "Route closed",
        "appeal": "The applicant&#39;s appeal",
        "dropped": "No longer required",
        "rejected": "Rejected",
        "amend_or_appeal": "you may amend the application or appeal",
    },
    "ar": {
        "card": "من وماذا",
        "company": "الشركة التجارية",
        "kind": "شاحنة",
        "unit": "أكياس",
        "refused": "الطريق مغلق",
        "appeal": "تظلّم مقدّم الطلب",
        "dropped": "لم تعد مطلوبة",
        "rejected": "مرفوض",
        "amend_or_appeal": "يمكنك تعديل الطلب أو الاعتراض",
    },
}


def _checked(page: str, name: str, value: str) -> bool:
    pattern = rf'<input type="(?:radio|checkbox)" name="{name}" value="{value}"[^>]*>'
    field = re.search(pattern, page)
    assert field is not None, f"no {name}={value} on the page"
    return " checked" in field.group(0)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_reviewer_sees_who_and_what_before_deciding(
    client: TestClient, tokens: Tokens, clock: FixedClock, lang: str
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    east = east_rejects(client, tokens, application, note="Bridge closed for repairs")
    words = WORDS[lang]
    sign_in(client, "west.reviewer", lang)
    page = client.get(f"/applications/{application['id']}").text
    card = page[page.index('class="card who-what"') : page.index('id="decide"')]
    # West sees East's refusal with its reason in words and its note; never the raw code.
    assert words["refused"] in card
    assert "Bridge closed for repairs" in card
    assert "route_closed" not in card

    appealed = client.post(
        f"/api/v1/applications/{application['id']}/appeals",
        headers=tokens("trader"),
        json={"review_id": east["id"], "grounds": "The bridge reopened on Monday"},
    )
    assert appealed.status_code == 201, appealed.text

    sign_in(client, "east.reviewer", lang)
    queue = client.get("/home").text
    row = queue[queue.index(application["reference"]) :].split("</tr>")[0]
    assert 'data-appeal="1"' in row  # the appeal is marked in the queue
    page = client.get(f"/applications/{application['id']}").text
    card = page[page.index('class="card who-what"') : page.index('id="decide"')]
    assert words["card"] in card
    assert words["company"] in card
    assert "سمير الحلبي" in card
    assert "Samir al-Halabi" in card
    assert words["kind"] in card
    assert "12345AB" in card.replace(" ", "")
    assert "Wheat flour, 50 kg bags" in card
    assert words["unit"] in card
    assert "SEAL-7781" in card
    assert "The bridge reopened on Monday" in card
    assert words["appeal"] in card
    # The card comes before the decision form.
    assert page.index('class="card who-what"') < page.index('action="/reviews/')


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_rejected_form_comes_back_with_its_choices(
    client: TestClient, tokens: Tokens, clock: FixedClock, lang: str
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    sign_in(client, "east.reviewer", lang)
    page = client.get(f"/applications/{application['id']}").text
    review = review_of(application, "east-force")
    # A rejection without a reason: refused, and the form keeps the choice and the note.
    response = client.post(
        f"/reviews/{review['id']}/decision",
        data={
            "csrf": csrf_of(page),
            "expected_version": str(review["lock_version"]),
            "decision": "reject",
            "note": "Convoy on the bridge <all week>",
            "via": ["BRIDGE-W"],
            "daylight": "1",
        },
    )
    assert response.status_code == 422
    back = response.text
    assert 'data-code="review.reason_required"' in back
    assert _checked(back, "decision", "reject")
    assert not _checked(back, "decision", "approve")
    assert html.escape("Convoy on the bridge <all week>") in back
    assert _checked(back, "via", "BRIDGE-W")
    assert _checked(back, "daylight", "1")
    stored = client.get(
        f"/api/v1/applications/{application['id']}", headers=tokens("east.reviewer")
    ).json()
    assert review_of(stored, "east-force")["status"] == "pending"  # nothing was stored


def test_only_the_chosen_decisions_fields_count(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    sign_in(client, "west.reviewer", "en")
    page = client.get(f"/applications/{application['id']}").text
    # Checkpoints are picked from a list of the ones near the route, by name.
    assert 'name="via" value="W-GATE"' in page
    assert 'id="via" name="via" dir="ltr"' not in page  # no typed codes any more
    west = review_of(application, "west-command")
    # "Approve" with a condition ticked and a reason chosen (both hidden): a plain approval.
    response = client.post(
        f"/reviews/{west['id']}/decision",
        data={
            "csrf": csrf_of(page),
            "expected_version": str(west["lock_version"]),
            "decision": "approve",
            "daylight": "1",
            "reason_code": "route_closed",
            "note": "typed, then changed my mind",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    seen = client.get(
        f"/api/v1/applications/{application['id']}", headers=tokens("west.reviewer")
    ).json()
    decided = review_of(seen, "west-command")
    assert (decided["decision"], decided["conditions"], decided["reason_code"]) == (
        "approve",
        [],
        None,
    )

    sign_in(client, "east.reviewer", "en")
    page = client.get(f"/applications/{application['id']}").text
    east = review_of(application, "east-force")
    response = client.post(
        f"/reviews/{east['id']}/decision",
        data={
            "csrf": csrf_of(page),
            "expected_version": str(east["lock_version"]),
            "decision": "approve_with_conditions",
            "via": ["BRIDGE-E", "E-GATE"],
            "escort": "1",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    seen = client.get(
        f"/api/v1/applications/{application['id']}", headers=tokens("east.reviewer")
    ).json()
    conditions = review_of(seen, "east-force")["conditions"]
    assert {c["kind"] for c in conditions} == {"escort_required", "via_checkpoints"}
    [via] = [c for c in conditions if c["kind"] == "via_checkpoints"]
    assert via["checkpoints"] == ["BRIDGE-E", "E-GATE"]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_contradiction_banner_is_worded_for_the_reader(
    client: TestClient, tokens: Tokens, clock: FixedClock, lang: str
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    east_rejects(client, tokens, application)
    words = WORDS[lang]
    sign_in(client, "trader", lang)
    trader_page = client.get(f"/applications/{application['id']}").text
    assert words["amend_or_appeal"] in trader_page
    for reviewer in ("west.reviewer", "east.reviewer"):
        sign_in(client, reviewer, lang)
        page = client.get(f"/applications/{application['id']}").text
        assert 'class="alert contradiction"' in page
        assert words["amend_or_appeal"] not in page


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_review_dropped_by_an_amendment_is_no_longer_required_never_rejected(
    client: TestClient,
    tokens: Tokens,
    clock: FixedClock,
    session: Session,
    capsys: pytest.CaptureFixture[str],
    lang: str,
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    east_rejects(client, tokens, application)
    amended = client.post(
        f"/api/v1/applications/{application['id']}/amendments",
        headers=tokens("trader"),
        json={"expected_version": 1, "route": ROADS["west-road"], "note": "west bank only"},
    )
    assert amended.status_code == 200, amended.text

    # The API: the standing in words, and no decision or reason left to read as a refusal.
    east = review_of(amended.json(), "east-force")
    assert east["status"] == "dropped"
    assert east["status_label"] == {"ar": "لم تعد مطلوبة", "en": "No longer required"}
    assert (east["decision"], east["reason_code"], east["reason_label"]) == (None, None, None)

    # The pages: the trader's application page and home.
    words = WORDS[lang]
    sign_in(client, "trader", lang)
    page = client.get(f"/applications/{application['id']}").text
    decisions = page[page.index("<tbody>") : page.index("</tbody>")]
    east_row = next(row for row in decisions.split("</tr>") if 'class="dropped"' in row)
    assert words["dropped"] in east_row
    assert words["rejected"] not in east_row
    home = client.get("/home").text
    assert words["dropped"] in home

    # The CLI.
    record = ClearanceRepository(session).application(application["id"])
    assert record is not None
    show(application_out(session, record))
    printed = capsys.readouterr().out
    east_line = next(line for line in printed.splitlines() if "east-force" in line)
    assert "no longer required" in east_line
    assert "rejected" not in east_line
    assert "route_closed" not in east_line
