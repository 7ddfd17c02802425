"""The reviewer's side of the pages: why their authority is required (zones named in the table,
drawn heavier on the map), contested ground on the map, their decision history, and inbox
messages that lead to the application they are about."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.clearances.conftest import Tokens, application_body, east_rejects, review_of, submit
from tests.web.pages import sign_in

MAP = re.compile(r"data-map='([^']*)'")


def _map_of(page: str) -> dict[str, Any]:
    found = MAP.search(page)
    assert found is not None, "no map on the page"
    document: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    return document


def test_the_reviewer_sees_which_zones_made_their_authority_required(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    west = review_of(application, "west-command")
    zones = [z["name_en"] for z in west["required_by"]["zones"]]
    assert zones, "the demo route crosses west-command's zones"
    sign_in(client, "west.reviewer", "en")
    page = client.get(f"/applications/{application['id']}").text
    assert "Required because of" in page
    for name in zones:
        assert html.escape(name) in page
    features = _map_of(page)["features"]
    required = {f["properties"]["name"] for f in features if f["properties"].get("required")}
    assert required == set(zones)
    kinds = {f["properties"]["kind"] for f in features}
    assert {"zone", "checkpoint", "route"} <= kinds
    assert "Zones that made your authority required" in page


def test_contested_ground_is_its_own_feature_and_named_in_the_legend(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    sign_in(client, "trader", "ar")
    page = client.get(f"/applications/{application['id']}").text
    contested = [f for f in _map_of(page)["features"] if f["properties"]["kind"] == "contested"]
    # The demo's west and east zones overlap in one strip along the river.
    [strip] = contested
    assert strip["properties"]["authorities"] == ["east-force", "west-command"]
    assert strip["geometry"]["type"] == "Polygon"
    assert "متنازع عليها" in page
    assert "Zones that made your authority required" not in page  # a trader reviews nothing


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_decision_history_lists_only_my_authoritys_decisions(
    client: TestClient, tokens: Tokens, clock: FixedClock, lang: str
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    east_rejects(client, tokens, application, note="<b>جسر</b> مغلق")
    sign_in(client, "east.reviewer", lang)
    history = client.get("/reviews/history")
    assert history.status_code == 200
    assert application["reference"] in history.text
    assert "route_closed" in history.text
    assert "&lt;b&gt;جسر&lt;/b&gt;" in history.text  # a note is text, never markup
    assert ("الطريق مغلق" in history.text) is (lang == "ar")
    sign_in(client, "west.reviewer", lang)
    assert application["reference"] not in client.get("/reviews/history").text
    sign_in(client, "trader", lang)
    assert client.get("/reviews/history", follow_redirects=False).status_code == 303


def test_an_inbox_message_links_to_its_application(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    sign_in(client, "west.reviewer", "en")
    page = client.get("/inbox").text
    assert f'href="/applications/{application["id"]}"' in page


def test_the_traders_home_says_why_an_authority_refused(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    east_rejects(client, tokens, application)
    sign_in(client, "trader", "ar")
    home = client.get("/home").text
    assert "الطريق مغلق" in home
    assert '<code dir="ltr">route_closed</code>' in home
