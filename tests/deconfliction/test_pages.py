"""The deconfliction pages through HTTP: notify a movement and a site with the form (check
first, then notify), the list of what concerns my party with deadlines, the acknowledge
button, the notifier's view per party; coded errors keep the form; need-to-know holds."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.deconfliction.conftest import movement, post
from tests.web.pages import csrf_of, sign_in

FORM = {
    "kind": "movement",
    "checkpoints": "W-GATE, BRIDGE-W, BRIDGE-E, E-GATE",
    "route": "",
    "corridor_m": "200",
    "start": "2026-11-25T16:00",
    "end": "2026-11-25T18:00",
    "repeat": "",
    "until": "",
    "vehicles": "2",
    "vehicle_kind": "ambulance",
    "purpose": "medical_evacuation",
    "markings": "Red crescent <b>",
    "contact": "+963 11 555 0100",
    "place": "West Gate",
    "note": "",
}


def test_notify_a_movement_with_the_form_then_acknowledge_it(client: TestClient) -> None:
    sign_in(client, "relief")
    page = client.get("/deconfliction/new")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    checked = client.post("/deconfliction/new", data={**FORM, "csrf": csrf, "op": "check"})
    assert checked.status_code == 200, checked.text
    assert "West Command" in checked.text
    assert "East Force" in checked.text
    assert "Operates the checkpoint West Gate" in checked.text
    filed = client.post("/deconfliction/new", data={**FORM, "csrf": csrf}, follow_redirects=False)
    assert filed.status_code == 303, filed.text
    where = filed.headers["location"]
    number = int(where.rsplit("/", 1)[1])
    mine = client.get(where)
    assert "Red crescent &lt;b&gt;" in mine.text
    assert mine.text.count("Not yet acknowledged") == 2
    assert "a receipt, never a permission" in mine.text

    client.cookies.clear()
    sign_in(client, "west.liaison", "ar")
    listed = client.get("/deconfliction")
    assert f"M-{number}" in listed.text
    assert "لم يُقَرّ باستلامه بعد" in listed.text
    one = client.get(where)
    acked = client.post(
        f"{where}/acknowledge",
        data={"csrf": csrf_of(one.text), "version": "1", "concern": "timing", "note": "تمرين"},
        follow_redirects=False,
    )
    assert acked.status_code == 303, acked.text

    client.cookies.clear()
    sign_in(client, "relief")
    view = client.get(where).text
    assert "Received with concern" in view
    assert "تمرين" in view
    assert "by west.liaison" in view
    assert "Owns the zone" in view


def test_a_refused_form_keeps_what_was_typed(client: TestClient) -> None:
    sign_in(client, "relief")
    csrf = csrf_of(client.get("/deconfliction/new").text)
    bad = {**FORM, "place": "East Gate", "csrf": csrf}
    refused = client.post("/deconfliction/new", data=bad)
    assert refused.status_code == 422
    assert "location.place_mismatch" in refused.text
    assert 'value="Red crescent &lt;b&gt;"' in refused.text
    junk = client.post("/deconfliction/new", data={**FORM, "vehicles": "many", "csrf": csrf})
    assert junk.status_code == 422
    assert "vehicles" in junk.text


def test_notify_a_site_by_coordinates(client: TestClient) -> None:
    sign_in(client, "relief")
    csrf = csrf_of(client.get("/deconfliction/new?kind=site").text)
    site = {
        "kind": "site",
        "csrf": csrf,
        "name": "River clinic",
        "site_type": "clinic",
        "lon": "41.12",
        "lat": "34.41",
        "radius_m": "150",
        "reconfirm_days": "14",
        "contact": "+963 11 555 0102",
        "place": "",
        "note": "",
    }
    filed = client.post("/deconfliction/new", data=site, follow_redirects=False)
    assert filed.status_code == 303, filed.text
    view = client.get(filed.headers["location"]).text
    assert "Who has read this site" in view
    assert "Re-confirm the site" in view


def test_pages_keep_need_to_know(client: TestClient, tokens: Tokens, clock: FixedClock) -> None:
    filed = post(client, "/movements", tokens("relief"), movement(clock))
    sign_in(client, "municipality")
    assert client.get(f"/deconfliction/{filed['id']}").status_code == 404
    overview = client.get("/deconfliction")
    assert overview.status_code == 200
    assert f"M-{filed['id']}" not in overview.text
    assert re.search(r"Active movements: 1", overview.text)
