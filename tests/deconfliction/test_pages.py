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
    # The times are read on the town's clock, as the form says; no field says UTC.
    assert "Enter times in Syria Time (UTC+03:00)." in page.text
    assert "(UTC)" not in page.text
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


def test_the_conflicts_page_shows_the_shift_and_applies_it_in_one_action(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    from tests.deconfliction.conftest import NORTH_SOUTH

    first = post(client, "/movements", tokens("relief"), movement(clock))
    crossing = post(
        client,
        "/movements",
        tokens("west.liaison"),
        movement(clock, checkpoints=None, route=NORTH_SOUTH),
    )
    assert crossing["conflicts"]
    sign_in(client, "west.liaison")
    page = client.get("/deconfliction/conflicts")
    assert page.status_code == 200
    assert f"Meets M-{first['id']}" in page.text
    assert "Proposed shift" in page.text
    applied = client.post(
        f"/deconfliction/conflicts/{crossing['id']}/shift",
        data={"csrf": csrf_of(page.text), "version": "1"},
        follow_redirects=False,
    )
    assert applied.status_code == 303, applied.text
    after = client.get(applied.headers["location"])
    assert f"M-{crossing['id']}" not in after.text  # the shift cleared every conflict
    assert "None of your party&#39;s active notifications has a conflict." in after.text
    shifted = client.get(f"/api/v1/deconfliction/notifications/{crossing['id']}",
                         headers=tokens("west.liaison")).json()  # fmt: skip
    assert shifted["version"] == 2
    assert shifted["conflicts"] == []

    # Another party that notified nothing sees no conflict of others; Arabic works.
    client.cookies.clear()
    sign_in(client, "east.admin", "ar")
    other = client.get("/deconfliction/conflicts")
    assert other.status_code == 200
    assert f"M-{first['id']}" not in other.text


def test_weekly_repetition_on_the_form(client: TestClient, tokens: Tokens) -> None:
    sign_in(client, "relief")
    page = client.get("/deconfliction/new")
    assert 'value="weekly"' in page.text
    assert "Wednesday" in page.text
    filed = client.post(
        "/deconfliction/new",
        data={
            **FORM,
            "csrf": csrf_of(page.text),
            "repeat": "weekly",
            "until": "2026-12-09",
            "weekdays": ["2", "4"],  # Wednesdays and Fridays; 2026-11-25 is a Wednesday
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303, filed.text
    number = int(filed.headers["location"].rsplit("/", 1)[1])
    shown = client.get(f"/api/v1/deconfliction/notifications/{number}", headers=tokens("relief"))
    starts = [start[:10] for start, _ in shown.json()["occurrences"]]
    assert starts == ["2026-11-25", "2026-11-27", "2026-12-02", "2026-12-04", "2026-12-09"]

    no_days = client.post(
        "/deconfliction/new",
        data={**FORM, "csrf": csrf_of(page.text), "repeat": "weekly", "until": "2026-12-09"},
    )
    assert no_days.status_code == 422
    assert "repetition.no_days" in no_days.text


def test_the_check_counts_conflicts_and_proposes_the_shift(client: TestClient) -> None:
    sign_in(client, "relief")
    csrf = csrf_of(client.get("/deconfliction/new").text)
    filed = client.post("/deconfliction/new", data={**FORM, "csrf": csrf}, follow_redirects=False)
    assert filed.status_code == 303, filed.text
    client.cookies.clear()
    sign_in(client, "west.liaison")
    csrf = csrf_of(client.get("/deconfliction/new").text)
    # The same road at the same time: one conflict, cleared by starting once the other ends.
    checked = client.post("/deconfliction/new", data={**FORM, "csrf": csrf, "op": "check"})
    assert checked.status_code == 200, checked.text
    assert "Conflicts with notifications already active: 1" in checked.text
    assert "Proposed shift: 120 minutes later clears every conflict." in checked.text
    # Whom it conflicts with is not named before filing.
    assert f"M-{filed.headers['location'].rsplit('/', 1)[1]}" not in checked.text
