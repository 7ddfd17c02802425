"""The municipality's view (issue 11 item 9, issue 14 item 5): its home lists the applications
it follows with why and their routes on a map, and the contradictions it is told of worded for
the municipality; every message in its inbox is worded for it and links to a page it may open."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.checkpoints.test_sync import device, event, push
from tests.clearances.conftest import (
    ROADS,
    Tokens,
    application_body,
    decide,
    east_rejects,
    review_of,
    submit,
)
from tests.web.pages import sign_in

LINK = re.compile(r'<a href="(/[^"]*)">')
WORDS = {
    "en": {
        "line": "West Command</bdi> signed permit",
        "checkpoint": "South Road",
        "reason": "Cargo does not match the manifest",
        "refused": "Refused by a signer",
        "appeal": "Appeal",
        "overdue": "Decision overdue",
    },
    "ar": {
        "line": "القيادة الغربية</bdi> التصريح",
        "checkpoint": "طريق الجنوب",
        "reason": "الحمولة لا تطابق البيان",
        "refused": "رفضته جهة موقِّعة",
        "appeal": "تظلّم",
        "overdue": "تأخّر القرار",
    },
}


def _refused_by_its_signer(client: TestClient, tokens: Tokens, clock: FixedClock) -> Any:
    """West approves an application on the west road; its own checkpoint W-SOUTH refuses the
    permit; the same permit is seen at West Gate and East Gate minutes apart."""
    application = submit(
        client,
        tokens("trader"),
        application_body(clock, client_reference="signed-1", route=ROADS["west-road"]),
    )
    decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    )
    ref = f"P-{application['id']:06d}"
    refusal = event(
        clock.now(), permit=ref, action="refusal", reason_code="cargo_mismatch", note="Seal broken"
    )
    assert (
        push(client, device(client, tokens, "W-SOUTH", "west.admin"), [refusal])["contradictions"]
        == 1
    )
    start = clock.now() - timedelta(hours=3)
    push(client, device(client, tokens, "W-GATE", "west.admin"), [event(start, permit=ref)])
    copy = event(start + timedelta(minutes=2), permit=ref)
    east_gate = device(client, tokens, "E-GATE", "east.admin")
    assert push(client, east_gate, [copy])["clones_suspected"] == 1
    return application


def _appealed(client: TestClient, tokens: Tokens, clock: FixedClock) -> Any:
    application = submit(
        client, tokens("trader"), application_body(clock, client_reference="appealed-1")
    )
    east = east_rejects(client, tokens, application)
    appealed = client.post(
        f"/api/v1/applications/{application['id']}/appeals",
        headers=tokens("trader"),
        json={"review_id": east["id"], "grounds": "The bridge reopened"},
    )
    assert appealed.status_code == 201, appealed.text
    return application


def _overdue(client: TestClient, tokens: Tokens, clock: FixedClock, hub: HubContext) -> Any:
    application = submit(
        client,
        tokens("trader"),
        application_body(clock, client_reference="late-1", route=ROADS["west-road"]),
    )
    clock.advance(timedelta(days=2))
    build_runner(hub).run_due(hub.sessions, hub.clock)
    return application


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_municipalitys_home_shows_what_it_follows_and_the_contradictions(
    client: TestClient, tokens: Tokens, clock: FixedClock, lang: str
) -> None:
    refused = _refused_by_its_signer(client, tokens, clock)
    appealed = _appealed(client, tokens, clock)
    quiet = submit(client, tokens("trader"), application_body(clock, client_reference="quiet"))
    words = WORDS[lang]

    sign_in(client, "municipality", lang)
    home = client.get("/home", follow_redirects=False)
    assert (home.status_code, home.headers["location"]) == (303, "/oversight")
    page = client.get("/oversight").text
    contradictions = page[page.index("oversight-contradictions") : page.index("followed-title")]
    # Worded for the municipality, names in the reader's script, the reason in words.
    assert words["line"] in contradictions
    assert words["checkpoint"] in contradictions
    assert words["reason"] in contradictions
    assert "Seal broken" in contradictions
    assert "cargo_mismatch" not in contradictions
    assert "W-SOUTH" not in contradictions
    assert f'href="/applications/{refused["id"]}"' in contradictions

    followed = page[page.index("followed-title") :]
    assert f'href="/applications/{refused["id"]}"' in followed
    assert f'href="/applications/{appealed["id"]}"' in followed
    assert f'href="/applications/{quiet["id"]}"' not in followed  # nothing to follow there
    assert words["refused"] in followed
    assert words["appeal"] in followed
    assert 'data-why="copy"' in followed
    # Their routes on the map.
    found = re.search(r"data-map='([^']*)'", page)
    assert found is not None
    shown = {
        f["properties"].get("name")
        for f in json.loads(html.unescape(found.group(1)))["features"]
        if f["properties"]["kind"] == "route"
    }
    assert shown == {refused["reference"], appealed["reference"]}


def test_only_the_municipality_has_this_home(client: TestClient) -> None:
    sign_in(client, "west.reviewer", "en")
    assert client.get("/oversight", follow_redirects=False).headers["location"] == "/home"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_message_the_municipality_gets_is_its_own_and_opens(
    client: TestClient, tokens: Tokens, clock: FixedClock, hub: HubContext, lang: str
) -> None:
    _refused_by_its_signer(client, tokens, clock)
    _appealed(client, tokens, clock)
    _overdue(client, tokens, clock, hub)
    kinds = {m["kind"] for m in client.get("/api/v1/inbox", headers=tokens("municipality")).json()}
    assert kinds >= {
        "checkpoint.contradiction_seen",
        "checkpoint.clone_suspected",
        "appeal.opened",
        "application.overdue",
    }

    sign_in(client, "municipality", lang)
    inbox = client.get("/inbox").text
    messages = inbox.split('<li class="card message')[1:]
    assert len(messages) >= len(kinds)
    for message in messages:
        links = [link for link in LINK.findall(message) if link.startswith("/applications/")]
        assert links, f"a message with no page to open: {message[:200]}"
        for link in links:
            opened = client.get(link)
            assert opened.status_code == 200, (link, opened.status_code)
    # In the reader's language: names in its script, the reason in words, no ISO time.
    told = next(m for m in messages if "Seal broken" in m)
    assert WORDS[lang]["checkpoint"] in told
    assert WORDS[lang]["reason"] in told
    assert "cargo_mismatch" not in told
    assert "T12:" not in told
    if lang == "ar":
        assert "West Command" not in told
    # Worded for the municipality: never "your checkpoint", "your authority".
    assert "Your checkpoint" not in inbox
    assert "your authority" not in inbox
    assert "نقطة التفتيش التابعة لكم" not in inbox
