"""The trader's pages through HTTP: a new application by checkpoints or by a drawn line, the
live route check, amend, appeal, withdraw and my permits; every bad input answered with a
coded message and the form as it was typed; CSRF and need-to-know on every form."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.clearances.conftest import (
    ROADS,
    Tokens,
    all_approve,
    application_body,
    east_rejects,
    submit,
)
from tests.web.pages import csrf_of, sign_in

HOSTILE = "<script>alert(1)</script>' OR 1=1; -- «سمير»"


def _form(clock: FixedClock, **overrides: Any) -> dict[str, Any]:
    start = clock.now() + timedelta(hours=1)
    data: dict[str, Any] = {
        "client_reference": "web-test-0001",
        "origin": "West Gate depot",
        "destination": "سوق الحبوب",
        "route_mode": "checkpoints",
        "checkpoint": ["W-GATE", "BRIDGE-W", "BRIDGE-E", "E-GATE"],
        "route": "",
        "corridor_m": "200",
        "vehicle_plate": "12 345 AB",
        "vehicle_kind": "truck",
        "vehicle_vin": "",
        "vehicle_container": "",
        "driver_name_ar": "سمير الحلبي",
        "driver_name_latin": "Samir al-Halabi",
        "driver_id_number": "0123456789",
        "cargo_description": ["Wheat flour", "Lentils"],
        "cargo_hs_code": ["", ""],
        "cargo_quantity": ["400", "20"],
        "cargo_unit": ["bags", "pallets"],
        "cargo_gross_mass_kg": ["20400", "9000"],
        "cargo_un_number": ["", ""],
        "seals": "",
        "valid_from": start.strftime("%Y-%m-%dT%H:%M"),
        "valid_until": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "action": "submit",
    }
    data.update(overrides)
    return data


def _open(client: TestClient, user: str = "trader", lang: str = "en") -> str:
    sign_in(client, user, lang)
    page = client.get("/applications/new")
    assert page.status_code == 200
    return csrf_of(page.text)


def _new(client: TestClient, data: dict[str, Any]) -> Any:
    return client.post("/applications/new", data=data, follow_redirects=False)


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_new_application_form_in_either_language(
    client: TestClient, lang: str, direction: str
) -> None:
    sign_in(client, "trader", lang)
    page = client.get("/applications/new")
    assert page.status_code == 200
    assert f'<html lang="{lang}" dir="{direction}">' in page.text
    assert ("نقطة التفتيش" in page.text or "نقطة تفتيش" in page.text) is (lang == "ar")
    assert ("Checkpoints in order" in page.text) is (lang == "en")
    assert 'value="W-GATE"' in page.text
    assert "UTC" in page.text
    assert "<script>" not in page.text
    assert 'src="/assets/trader.js"' in page.text


def test_submitting_by_checkpoints_opens_a_review_per_authority(
    client: TestClient, clock: FixedClock
) -> None:
    csrf = _open(client)
    done = _new(client, _form(clock, csrf=csrf))
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert 'data-status="in_review"' in page.text
    # Without a script, the resulting page names the authorities that must decide.
    assert "West Command" in page.text
    assert "East Force" in page.text
    assert 'href="' + done.headers["location"] + '/amend"' in page.text


def test_hostile_text_round_trips_escaped(client: TestClient, clock: FixedClock) -> None:
    csrf = _open(client, lang="ar")
    done = _new(client, _form(clock, csrf=csrf, origin=HOSTILE, driver_name_latin=HOSTILE))
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert HOSTILE not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#39; OR 1=1; -- «سمير»" in page.text
    amend = client.get(done.headers["location"] + "/amend")
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&#39; OR 1=1; -- «سمير»"' in amend.text


@pytest.mark.parametrize(
    ("overrides", "status", "codes"),
    [
        # An edit operation naming a row that is not there leaves the form as it was.
        ({"op": "cp-up-99999999999999999999"}, 200, []),
        ({"op": "cargo-remove-x"}, 200, []),
        ({"valid_from": "0001-01-01T00:00+01:00"}, 422, ["form.invalid", "form.bad_time"]),
        ({"valid_until": "9999-12-31T23:59"}, 422, ["application.invalid", "window.too_long"]),
        ({"corridor_m": "nan"}, 422, ["form.invalid", "form.number"]),
        ({"corridor_m": "1e400"}, 422, ["form.invalid", "form.number"]),
        ({"route_mode": "drawn", "route": "[]"}, 422, ["form.invalid", "route.invalid"]),
        (
            {"route_mode": "drawn", "route": '{"type": "Point", "coordinates": [1, 2]}'},
            422,
            ["route.invalid"],
        ),
        ({"checkpoint": ["W-GATE"] * 60}, 422, ["route.invalid"]),
        (
            {"vehicle_kind": "spaceship", "cargo_unit": ["ounces", "bags"]},
            422,
            ["form.invalid", "form.choice"],
        ),
        ({"client_reference": ""}, 422, ["form.invalid"]),
    ],
)
def test_odd_input_is_never_a_server_error(
    client: TestClient,
    clock: FixedClock,
    overrides: dict[str, Any],
    status: int,
    codes: list[str],
) -> None:
    csrf = _open(client)
    page = _new(client, _form(clock, csrf=csrf, **overrides))
    assert page.status_code == status, page.text
    for code in codes:
        assert f'data-code="{code}"' in page.text, code
    if not codes:
        assert 'data-code="form.invalid"' not in page.text
    checked = client.post(
        "/applications/new/route-check", data=_form(clock, csrf=csrf, **overrides)
    )
    assert checked.status_code == 200


def test_a_huge_body_is_refused_before_it_is_read(client: TestClient, clock: FixedClock) -> None:
    csrf = _open(client)
    page = _new(client, _form(clock, csrf=csrf, origin="x" * (2 * 1024 * 1024)))
    assert page.status_code == 413


def test_a_drawn_route_and_a_draft(client: TestClient, clock: FixedClock) -> None:
    csrf = _open(client)
    data = _form(
        clock,
        csrf=csrf,
        route_mode="drawn",
        route=json.dumps(ROADS["bridge-road"]),
        action="draft",
        client_reference="web-test-drawn",
    )
    done = _new(client, data)
    assert done.status_code == 303, done.text
    page = client.get(done.headers["location"])
    assert 'data-status="draft"' in page.text
    sent = client.post(done.headers["location"] + "/submit", data={"csrf": csrf_of(page.text)})
    assert sent.status_code == 200
    assert 'data-status="in_review"' in sent.text


def test_bad_input_comes_back_coded_with_everything_typed(
    client: TestClient, clock: FixedClock
) -> None:
    csrf = _open(client, lang="ar")
    data = _form(
        clock,
        csrf=csrf,
        origin=HOSTILE,
        destination="",
        vehicle_plate="!",
        driver_name_latin=HOSTILE,
        cargo_quantity=["lots", "20"],
        checkpoint=["W-GATE", "NOWHERE"],
        valid_until="tomorrow",
    )
    page = _new(client, data)
    assert page.status_code == 422
    assert 'dir="rtl"' in page.text
    assert 'data-code="form.invalid"' in page.text
    assert 'data-code="form.number"' in page.text
    assert 'data-code="form.bad_time"' in page.text
    assert 'data-code="form.required"' in page.text
    assert HOSTILE not in page.text  # escaped, never markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#39; OR 1=1; -- «سمير»" in page.text
    assert 'value="lots"' in page.text
    assert 'value="tomorrow"' in page.text
    assert 'value="Lentils"' in page.text
    assert 'aria-invalid="true"' in page.text
    # The service's own checks come back the same way once the form reads.
    fixed = dict(
        data,
        destination="Market",
        cargo_quantity=["400", "20"],
        valid_until=_form(clock)["valid_until"],
    )
    page = _new(client, fixed)
    assert page.status_code == 422
    assert 'data-code="application.invalid"' in page.text
    assert 'data-code="vehicle.bad_plate"' in page.text
    assert 'data-code="checkpoint.not_found"' in page.text
    # Every entry of the error summary links to a field on the page.
    targets = re.findall(r'<li><a href="#([^"]+)">', page.text)
    assert len(targets) >= 2
    for target in targets:
        assert f'id="{target}"' in page.text, target
    assert '<option value="NOWHERE" selected>' in page.text  # kept, though unknown


def test_a_malformed_drawn_route_is_a_coded_error_and_nothing_is_lost(
    client: TestClient, clock: FixedClock
) -> None:
    csrf = _open(client)
    data = _form(clock, csrf=csrf, route_mode="drawn", route='{"type": "LineString", "coord')
    page = _new(client, data)
    assert page.status_code == 422
    assert 'data-code="route.invalid"' in page.text
    assert "{&#34;type&#34;: &#34;LineString&#34;, &#34;coord" in page.text
    one_point = json.dumps({"type": "LineString", "coordinates": [[41.04, 34.4]]})
    page = _new(client, dict(data, route=one_point))
    assert page.status_code == 422
    assert 'data-code="route.invalid"' in page.text
    nowhere = json.dumps({"type": "LineString", "coordinates": [[10, 10], [10.1, 10.1]]})
    page = _new(client, dict(data, route=nowhere))
    assert page.status_code == 422
    assert 'data-code="application.no_authority"' in page.text
    assert 'value="0123456789"' in page.text


def test_list_edits_work_without_a_script(client: TestClient, clock: FixedClock) -> None:
    csrf = _open(client)
    data = _form(clock, csrf=csrf, op="cp-up-1")
    page = _new(client, data)
    assert page.status_code == 200
    order = re.findall(r'<option value="([A-Z-]+)" selected>', page.text)
    assert order == ["BRIDGE-W", "W-GATE", "BRIDGE-E", "E-GATE"]
    page = _new(client, dict(data, op="cargo-add"))
    assert page.text.count('name="cargo_description"') == 3
    page = _new(client, dict(data, op="cp-remove-0"))
    assert re.findall(r'<option value="([A-Z-]+)" selected>', page.text) == [
        "BRIDGE-W",
        "BRIDGE-E",
        "E-GATE",
    ]
    # The route check: the authorities appear on the page itself.
    page = _new(client, dict(data, op="route-check"))
    assert 'data-code="west-command"' in page.text
    assert 'data-code="east-force"' in page.text


def test_the_route_check_answers_json_for_the_script(client: TestClient, clock: FixedClock) -> None:
    csrf = _open(client, lang="ar")
    found = client.post("/applications/new/route-check", data=_form(clock, csrf=csrf))
    assert found.status_code == 200
    body = found.json()
    assert [a["code"] for a in body["authorities"]] == ["west-command", "east-force"]
    assert body["authorities"][0]["name"] == "القيادة الغربية"
    assert "BRIDGE-W" in [c["code"] for c in body["checkpoints"]]
    assert body["route"]["type"] == "LineString"
    few = client.post(
        "/applications/new/route-check", data=_form(clock, csrf=csrf, checkpoint=["W-GATE"])
    )
    assert few.status_code == 200
    assert few.json()["error"]["code"] == "application.too_few_checkpoints"
    bad = client.post(
        "/applications/new/route-check",
        data=_form(clock, csrf=csrf, route_mode="drawn", route="[1, 2"),
    )
    assert bad.json()["error"]["code"] == "route.invalid"
    forged = client.post("/applications/new/route-check", data=_form(clock, csrf="forged"))
    assert forged.status_code == 403
    assert forged.json()["error"]["code"] == "csrf.invalid"
    client.cookies.clear()
    anonymous = client.post("/applications/new/route-check", data=_form(clock, csrf=csrf))
    assert anonymous.status_code == 401
    sign_in(client, "west.reviewer")
    page = client.get("/home")
    reviewer = client.post(
        "/applications/new/route-check", data=_form(clock, csrf=csrf_of(page.text))
    )
    assert reviewer.status_code == 403


def test_forms_without_their_csrf_token_are_refused(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    _open(client)
    base = f"/applications/{application['id']}"
    for path in ("/applications/new", base + "/amend", base + "/appeal", base + "/withdraw"):
        refused = client.post(path, data=_form(clock, csrf="forged"))
        assert refused.status_code == 403, path
        assert 'data-code="csrf.invalid"' in refused.text
    assert client.post(base + "/submit", data={}).status_code == 403
    assert 'data-status="in_review"' in client.get(base).text


def test_another_partys_application_is_refused(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    base = f"/applications/{application['id']}"
    csrf = _open(client, user="relief")
    for path in ("/amend", "/appeal", "/withdraw"):
        assert client.get(base + path).status_code == 404
    refused = client.post(base + "/withdraw", data={"csrf": csrf, "reason": "mine now"})
    assert refused.status_code == 404
    sign_in(client, "west.reviewer")
    assert client.get(base + "/amend").status_code == 403
    assert client.get("/applications/new").status_code == 403
    assert client.get("/permits").status_code == 403


def test_amend_is_prefilled_and_reopens_the_review(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    base = f"/applications/{application['id']}"
    sign_in(client, "trader", "ar")
    page = client.get(base + "/amend")
    assert page.status_code == 200
    assert 'value="West Gate depot"' in page.text
    assert 'value="CSQU3054383"' in page.text
    assert 'value="110100"' in page.text
    assert 'name="expected_version" value="1"' in page.text
    assert 'name="route_mode" value="drawn" checked' in page.text  # the API sent a line
    assert "LineString" in page.text
    form = _amend_form(page.text)
    same = client.post(base + "/amend", data=form)
    assert same.status_code == 422
    assert 'data-code="application.no_change"' in same.text
    changed = client.post(base + "/amend", data=dict(form, destination="East Gate", note=HOSTILE))
    assert changed.status_code == 200
    assert "East Gate" in changed.text
    stale = client.post(base + "/amend", data=dict(form, destination="Elsewhere"))
    assert stale.status_code == 409
    assert 'data-code="application.stale_version"' in stale.text
    assert 'value="Elsewhere"' in stale.text


def _amend_form(html: str) -> dict[str, Any]:
    """The amend page's fields as the browser would send them (inputs, selects, textareas)."""
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input [^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', html):
        data.setdefault(name, []).append(_unescape(value))
    for name, body in re.findall(r'<select [^>]*?name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data.setdefault(name, []).append(chosen.group(1) if chosen else "")
    for name, value in re.findall(
        r'<textarea [^>]*?name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S
    ):
        data.setdefault(name, []).append(_unescape(value))
    checked = re.search(r'name="route_mode" value="(\w+)" checked', html)
    assert checked is not None
    data["route_mode"] = [checked.group(1)]
    data.pop("op", None)
    data.pop("action", None)
    data["action"] = ["amend"]
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


def _unescape(text: str) -> str:
    return html.unescape(text)


def test_appeal_a_rejection_and_withdraw(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    base = f"/applications/{application['id']}"
    east = east_rejects(client, tokens, application, note="Bridge closed")
    sign_in(client, "trader", "en")
    page = client.get(base + "/appeal")
    assert page.status_code == 200
    assert "East Force" in page.text
    empty = client.post(
        base + "/appeal",
        data={"csrf": csrf_of(page.text), "review_id": str(east["id"]), "grounds": ""},
    )
    assert empty.status_code == 422
    assert 'data-code="form.invalid"' in empty.text
    sent = client.post(
        base + "/appeal",
        data={"csrf": csrf_of(page.text), "review_id": str(east["id"]), "grounds": HOSTILE},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    again = client.post(
        base + "/appeal",
        data={"csrf": csrf_of(page.text), "review_id": str(east["id"]), "grounds": "again"},
    )
    assert again.status_code == 409
    assert 'data-code="appeal.not_rejected"' in again.text  # under appeal: pending again
    assert ">again</textarea>" in again.text
    page = client.get(base + "/withdraw")
    assert page.status_code == 200
    gone = client.post(
        base + "/withdraw",
        data={"csrf": csrf_of(page.text), "reason": HOSTILE},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    shown = client.get(base)
    assert 'data-status="withdrawn"' in shown.text
    closed = client.post(base + "/withdraw", data={"csrf": csrf_of(shown.text), "reason": ""})
    assert closed.status_code == 409


def test_my_permits_show_the_qr_and_a_print_button(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(client, tokens("trader"), application_body(clock))
    all_approve(client, tokens, application)
    sign_in(client, "trader", "ar")
    page = client.get("/permits")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox=' in page.text
    link = re.search(r'href="(/permits/\d+/print)" class="button print"', page.text)
    assert link is not None
    assert client.get(link.group(1)).status_code == 200
    assert "<script>" not in page.text


def test_no_permits_yet(client: TestClient) -> None:
    sign_in(client, "trader", "en")
    page = client.get("/permits")
    assert page.status_code == 200
    assert "No permits yet." in page.text
