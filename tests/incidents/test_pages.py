"""The incidents' pages through HTTP, in both languages: report an incident drawn on the map,
find it with the filters, corroborate and refute it from other parties, issue a road closure
and see the alert on the affected application (with the link to amend it) and on the movement
it touches (the fragment the movement's page loads), watch an area and stop; a form refused
with a coded error keeps what was typed and stores nothing."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.deconfliction.conftest import movement
from tests.deconfliction.conftest import post as dc_post
from tests.incidents.conftest import BRIDGE_ROAD_STRETCH, get
from tests.incidents.test_impact import permit_on
from tests.web.pages import csrf_of, sign_in

NEAR_BRIDGE_ROAD = {"type": "Point", "coordinates": [41.055, 34.401]}


def _report(client: TestClient, clock: FixedClock, **fields: str) -> object:
    page = client.get("/incidents/new")
    assert page.status_code == 200
    form = {
        "csrf": csrf_of(page.text),
        "what": "armed_clash/exchange_of_fire",
        "occurred_at": (clock.now() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "time_precision": "minute",
        "relevant_until": "",
        "location": json.dumps(NEAR_BRIDGE_ROAD),
        "location_precision": "exact",
        "description": "Exchange of fire near the road",
        "confidence": "probable",
        "severity": "severe",
        **fields,
    }
    return client.post("/incidents/new", data=form, follow_redirects=False)


def test_report_find_corroborate_and_refute(client: TestClient, clock: FixedClock) -> None:
    sign_in(client, "west.liaison")
    reported = _report(client, clock)
    assert reported.status_code == 303, reported.text  # type: ignore[attr-defined]
    where = reported.headers["location"]  # type: ignore[attr-defined]
    number = int(where.rsplit("/", 1)[1])
    mine = client.get(where)
    assert f"INC-{number}" in mine.text
    assert "Exchange of fire near the road" in mine.text
    assert 'data-verification="unverified"' in mine.text
    assert "/corroborate" not in mine.text  # the reporting party does not judge its own

    listed = client.get("/incidents")
    assert f"INC-{number}" in listed.text
    assert client.get("/incidents?severity=minor").text.count(f"INC-{number}") == 0
    assert f"INC-{number}" in client.get("/incidents?type=armed_clash&verification=unverified").text
    assert f"INC-{number}" not in client.get("/incidents?shown=advisories").text

    client.cookies.clear()
    sign_in(client, "east.admin", "ar")
    page = client.get(where)
    assert "الحوادث والتنبيهات" in page.text  # the page in the reader's language
    judged = client.post(
        f"{where}/corroborate",
        data={"csrf": csrf_of(page.text), "note": "Our patrol heard it"},
        follow_redirects=False,
    )
    assert judged.status_code == 303, judged.text
    after = client.get(judged.headers["location"])
    assert 'data-verification="corroborated"' in after.text
    assert "Our patrol heard it" in after.text
    assert "/corroborate" not in after.text  # each party answers once

    client.cookies.clear()
    sign_in(client, "relief")
    page = client.get(where)
    refuted = client.post(
        f"{where}/refute", data={"csrf": csrf_of(page.text), "note": ""}, follow_redirects=False
    )
    assert refuted.status_code == 303, refuted.text
    assert 'data-verification="disputed"' in client.get(where).text

    # A party whose role reports nothing sees it, and no buttons.
    client.cookies.clear()
    sign_in(client, "trader")
    assert "/refute" not in client.get(where).text


def test_a_refused_report_keeps_the_form_and_stores_nothing(
    client: TestClient, clock: FixedClock, tokens: Tokens
) -> None:
    sign_in(client, "west.liaison")
    before = get(client, "/api/v1/incidents", tokens("admin"))
    refused = _report(client, clock, description="Call Ahmad on +963 944 123 456")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert "text.phone_number" in text
    assert "Call Ahmad on +963 944 123 456" in text  # kept, to be rewritten
    assert 'value="armed_clash/exchange_of_fire" selected' in text
    nothing = _report(client, clock, location="")
    assert "incident.location_missing" in nothing.text  # type: ignore[attr-defined]
    garbled = _report(client, clock, location="{not json")
    assert "incident.location_not_json" in garbled.text  # type: ignore[attr-defined]
    assert get(client, "/api/v1/incidents", tokens("admin")) == before


def test_a_road_closure_shows_on_the_affected_application_and_movement(
    client: TestClient, clock: FixedClock, tokens: Tokens
) -> None:
    permit = permit_on(client, tokens, clock, "bridge-road")
    across = dc_post(client, "/movements", tokens("relief"), movement(clock))
    sign_in(client, "west.liaison")
    page = client.get("/advisories/new")
    assert page.status_code == 200
    issued = client.post(
        "/advisories/new",
        data={
            "csrf": csrf_of(page.text),
            "kind": "road_closed",
            "checkpoint": "",
            "location": json.dumps(BRIDGE_ROAD_STRETCH),
            "valid_from": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "valid_until": (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "severity": "severe",
            "description": "Crater on the Bridge Road",
            "incident": "",
        },
        follow_redirects=False,
    )
    assert issued.status_code == 303, issued.text
    advisory = issued.headers["location"]
    reference = "ADV-" + advisory.rsplit("/", 1)[1]
    assert "Crater on the Bridge Road" in client.get(advisory).text

    # The trader's application: the alert, the route affected, the way to amend.
    client.cookies.clear()
    sign_in(client, "trader")
    application = client.get(f"/applications/{permit['application_id']}")
    assert application.status_code == 200
    assert reference in application.text
    assert "Route affected" in application.text
    assert f"/applications/{permit['application_id']}/amend" in application.text
    permits = client.get("/permits")
    assert (
        f'data-route-affected="true" href="/incidents/on/application/{permit["application_id"]}"'
        in permits.text
    )
    on = client.get(f"/incidents/on/application/{permit['application_id']}")
    assert reference in on.text

    # The movement's page loads incidents' fragment; the notifier sees the alert there.
    client.cookies.clear()
    sign_in(client, "relief")
    one = client.get(f"/deconfliction/{across['id']}")
    assert f'data-incident-alerts="/incidents/on/movement/{across["id"]}"' in one.text
    fragment = client.get(f"/incidents/on/movement/{across['id']}?fragment=1")
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<section")
    assert reference in fragment.text
    assert client.get(f"/incidents/on/movement/{across['id']}").status_code == 200

    # A party not told of it sees no alert on the movement.
    client.cookies.clear()
    sign_in(client, "trader")
    assert reference not in client.get(f"/incidents/on/movement/{across['id']}?fragment=1").text


def test_watch_an_area_and_stop(client: TestClient) -> None:
    sign_in(client, "relief", "ar")
    page = client.get("/watches")
    assert page.status_code == 200
    area = {
        "type": "Polygon",
        "coordinates": [
            [[41.04, 34.39], [41.07, 34.39], [41.07, 34.41], [41.04, 34.41], [41.04, 34.39]]
        ],
    }
    made = client.post(
        "/watches",
        data={"csrf": csrf_of(page.text), "name": "West bank depot", "location": json.dumps(area)},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    listed = client.get("/watches")
    found = re.search(r'data-watch="(\d+)"', listed.text)
    assert found is not None
    assert "West bank depot" in listed.text
    stopped = client.post(
        f"/watches/{found.group(1)}/stop",
        data={"csrf": csrf_of(listed.text)},
        follow_redirects=False,
    )
    assert stopped.status_code == 303
    assert "أُوقفت" in client.get("/watches").text or "متوقفة" in client.get("/watches").text


def test_the_pages_are_for_members_and_in_arabic(client: TestClient) -> None:
    assert client.get("/incidents", follow_redirects=False).status_code == 303
    sign_in(client, "trader", "ar")
    page = client.get("/incidents")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert "الحوادث والتنبيهات" in page.text
    assert client.get("/incidents/999999").status_code == 404
