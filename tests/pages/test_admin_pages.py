"""The administrator's pages through HTTP: each form's happy path, its coded error with the
typed values kept, CSRF refused, need-to-know (non-admins and other authorities' admins
refused), and zone map uploads refused feature by feature with nothing stored."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tansiq.checkpoints.models import DeviceRecord
from tansiq.geo.models import CheckpointRecord, ZoneMapRecord
from tansiq.parties.models import PartyRecord, UserRecord
from tansiq.parties.repository import PartyRepository
from tansiq.permits.models import SigningKeyRecord
from tests.pages.conftest import csrf_of, sign_in

HOSTILE = "<script>alert(1)</script>'; DROP TABLE parties; -- قوة"
SQUARE = [[41.0, 34.3], [41.02, 34.3], [41.02, 34.32], [41.0, 34.32], [41.0, 34.3]]
BOWTIE = [[41.0, 34.3], [41.02, 34.32], [41.02, 34.3], [41.0, 34.32], [41.0, 34.3]]


def zone_map(*rings: list[list[float]], names: tuple[str, ...] = ()) -> str:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [ring]},
            "properties": {"name_en": names[i] if i < len(names) else f"Zone {i}"},
        }
        for i, ring in enumerate(rings)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def post(client: TestClient, page: str, action: str, data: dict[str, Any]) -> Any:
    form = client.get(page)
    assert form.status_code == 200, form.text
    return client.post(action, data={"csrf": csrf_of(form.text), **data}, follow_redirects=False)


def _session_data(client: TestClient) -> dict[str, Any]:
    """What the signed session cookie holds (it is signed, not encrypted)."""
    cookie = client.cookies.get("tansiq_session") or ""
    secret = client.app.state.hub.settings.secret_key  # type: ignore[attr-defined]
    data: dict[str, Any] = URLSafeTimedSerializer(secret, salt="tansiq-session").loads(cookie)
    return data


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def coded(
    client: TestClient,
    page: str,
    data: dict[str, Any],
    *,
    status: int,
    code: str,
    action: str | None = None,
) -> Any:
    """Post ``data`` from ``page``'s form (to ``action``, by default the page itself): answered
    with ``status`` and the coded error ``code``."""
    response = post(client, page, action or page, data)
    assert response.status_code == status, response.text
    assert f'data-code="{code}"' in response.text
    return response


def refused(
    client: TestClient,
    session: Session,
    model: Any,
    page: str,
    data: dict[str, Any],
    *,
    status: int,
    code: str,
) -> Any:
    """``coded``, and no ``model`` row stored."""
    before = count(session, model)
    response = coded(client, page, data, status=status, code=code)
    assert count(session, model) == before
    return response


# -- who may see the pages --


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(
    "page",
    [
        "/admin",
        "/admin/parties",
        "/admin/parties/hub/users",
        "/admin/zones",
        "/admin/checkpoints",
        "/admin/devices",
        "/admin/keys",
    ],
)
def test_every_admin_page_renders_in_both_languages(
    client: TestClient, page: str, lang: str
) -> None:
    sign_in(client, "admin", lang)
    response = client.get(page)
    assert response.status_code == 200, response.text
    assert f'lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in response.text
    assert "<script>" not in response.text
    assert ("الإدارة" in response.text) is (lang == "ar")


@pytest.mark.parametrize("page", ["/admin", "/admin/parties", "/admin/zones", "/admin/keys"])
def test_a_user_without_the_admin_role_is_refused(client: TestClient, page: str) -> None:
    sign_in(client, "west.reviewer")
    response = client.get(page)
    assert response.status_code == 403
    assert 'data-code="auth.forbidden"' in response.text


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/admin/zones", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/zones"


def test_an_authority_admin_sees_only_their_own_authority(client: TestClient) -> None:
    sign_in(client, "west.admin")
    for page in ("/admin/zones", "/admin/checkpoints", "/admin/devices", "/admin/keys"):
        text = client.get(page).text
        assert 'data-authority="east-force"' not in text, page
        if page != "/admin/zones":  # the zones page's map draws every checkpoint as context
            assert "BRIDGE-E" not in text, page
    parties = client.get("/admin/parties").text
    assert 'data-party="west-command"' in parties
    assert 'data-party="east-force"' not in parties
    assert 'action="/admin/parties"' not in parties  # only the hub's admins create parties


# -- parties and users --


def test_the_hub_admin_creates_a_party(client: TestClient, session: Session) -> None:
    sign_in(client, "admin")
    response = post(
        client,
        "/admin/parties",
        "/admin/parties",
        {"code": "north-guard", "kind": "authority", "name_ar": "حرس الشمال", "name_en": "North"},
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert 'data-party="north-guard"' in page.text
    assert session.scalar(select(PartyRecord).where(PartyRecord.code == "north-guard"))


def test_a_bad_party_keeps_the_typed_values_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "admin", "ar")
    response = refused(
        client,
        session,
        PartyRecord,
        "/admin/parties",
        {"code": "Bad Code!", "kind": "trader", "name_ar": HOSTILE, "name_en": ""},
        status=422,
        code="party.bad_code",
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert HOSTILE not in response.text
    assert 'value="Bad Code!"' in response.text
    assert '<option value="trader" selected>' in response.text


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        # No name: the bilingual name is checked first.
        ({"code": "east-force", "kind": "authority"}, 422, "name.required"),
        ({"code": "east-force", "kind": "authority", "name_en": "East"}, 409, "party.exists"),
        ({"code": "x-y", "kind": "army", "name_en": "X"}, 422, "form.bad_choice"),
    ],
)
def test_a_duplicate_party_and_a_wrong_kind_are_coded(
    client: TestClient, data: dict[str, str], status: int, code: str
) -> None:
    sign_in(client, "admin")
    coded(client, "/admin/parties", data, status=status, code=code)


def test_only_the_hub_admin_creates_parties(client: TestClient, session: Session) -> None:
    sign_in(client, "west.admin")
    refused(
        client,
        session,
        PartyRecord,
        "/admin/parties",
        {"code": "rogue", "kind": "authority", "name_en": "Rogue"},
        status=403,
        code="auth.forbidden",
    )


def test_a_form_without_csrf_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, "admin")
    before = count(session, PartyRecord)
    response = client.post(
        "/admin/parties", data={"code": "sneaky", "kind": "trader", "name_en": "Sneaky"}
    )
    assert response.status_code == 403
    assert 'data-code="csrf.invalid"' in response.text
    assert count(session, PartyRecord) == before


def test_an_admin_creates_a_user_with_a_generated_password_shown_once(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin")
    page = "/admin/parties/west-command/users"
    response = post(
        client,
        page,
        page,
        {"username": "west.new", "display_name": "New officer", "roles": ["checkpoint_officer"]},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == page  # a reload creates nobody twice
    found = re.search(r'id="generated-password">([^<]+)<', client.get(page).text)
    assert found is not None
    assert len(found.group(1)) >= 10
    assert found.group(1) not in client.get(page).text
    user = PartyRepository(session).user_by_username("west.new")
    assert user is not None
    assert [r.role for r in user.roles] == ["checkpoint_officer"]


def test_a_role_the_partys_kind_may_not_hold_is_refused_with_values_kept(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "admin", "ar")
    page = "/admin/parties/wadi-transport/users"
    response = refused(
        client,
        session,
        UserRecord,
        page,
        {
            "username": "trader.two",
            "display_name": "سائق",
            "roles": ["applicant", "reviewer"],
            "password": "a-long-enough-password",
        },
        status=422,
        code="party.role_not_allowed",
    )
    assert 'value="trader.two"' in response.text
    assert 'value="سائق"' in response.text
    assert 'value="applicant" checked' in response.text
    assert "a-long-enough-password" not in response.text  # never echoed back


def test_a_short_password_and_no_role_are_coded(client: TestClient) -> None:
    sign_in(client, "admin")
    page = "/admin/parties/river-relief/users"
    coded(
        client,
        page,
        {"username": "relief.two", "display_name": "R", "roles": ["liaison"], "password": "short"},
        status=422,
        code="user.weak_password",
    )
    none = post(client, page, page, {"username": "relief.two", "display_name": "R"})
    assert 'data-code="user.no_roles"' in none.text


def test_another_partys_admin_may_not_see_or_add_users(client: TestClient) -> None:
    sign_in(client, "east.admin")
    page = client.get("/admin/parties/west-command/users")
    assert page.status_code == 403
    form = client.get("/admin/parties/east-force/users")
    response = client.post(
        "/admin/parties/west-command/users",
        data={
            "csrf": csrf_of(form.text),
            "username": "mole",
            "display_name": "Mole",
            "roles": ["admin"],
            "password": "a-long-enough-password",
        },
    )
    assert response.status_code == 403
    assert 'data-code="auth.forbidden"' in response.text


def test_an_unknown_party_is_a_coded_404(client: TestClient) -> None:
    sign_in(client, "admin")
    response = client.get("/admin/parties/nobody/users")
    assert response.status_code == 404
    assert 'data-code="party.not_found"' in response.text


# -- zone maps --


def test_a_good_zone_map_is_stored_and_shown_on_the_map(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin")
    response = post(
        client,
        "/admin/zones",
        "/admin/zones",
        {
            "authority": "west-command",
            "document": zone_map(SQUARE, names=("Hill post",)),
            "source_name": "hill.geojson",
            "valid_from": "2026-12-01T00:00",
        },
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert 'role="status"' in page.text
    assert "Hill post" in page.text  # in the map's data
    assert 'class="uploaded"' in page.text
    assert 'data-state="future"' in page.text


def test_malformed_geojson_shows_every_feature_problem_and_stores_nothing(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin", "ar")
    document = zone_map(SQUARE, BOWTIE, names=("Good field", "Crossed field"))
    response = refused(
        client,
        session,
        ZoneMapRecord,
        "/admin/zones",
        {"authority": "west-command", "document": document, "source_name": "bad.geojson"},
        status=422,
        code="geojson.invalid",
    )
    assert 'data-feature="1" data-code="geojson.self_intersection"' in response.text
    assert "Crossed field" in response.text
    assert "Good field" not in response.text.split('admin-table problems"')[1].split("</table>")[0]
    assert "&#34;Crossed field&#34;" in response.text  # the text is kept, escaped


@pytest.mark.parametrize(
    ("document", "code"),
    [
        ("", "geojson.missing"),
        ("{not json", "geojson.not_json"),
        ("[" * 5000, "geojson.not_json"),
        ('"text"', "geojson.invalid"),
        ('{"type": "FeatureCollection", "features": []}', "geojson.invalid"),
        ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}', "geojson"),
    ],
)
def test_unreadable_zone_maps_are_coded_never_a_500(
    client: TestClient, session: Session, document: str, code: str
) -> None:
    sign_in(client, "west.admin")
    before = count(session, ZoneMapRecord)
    response = post(
        client, "/admin/zones", "/admin/zones", {"authority": "west-command", "document": document}
    )
    assert response.status_code == 422, response.text
    assert f'data-code="{code}' in response.text
    assert count(session, ZoneMapRecord) == before


def test_a_bad_time_and_an_end_before_the_start_are_coded(client: TestClient) -> None:
    sign_in(client, "west.admin")
    bad = post(
        client,
        "/admin/zones",
        "/admin/zones",
        {"authority": "west-command", "document": zone_map(SQUARE), "valid_from": "tomorrow"},
    )
    assert 'data-code="form.bad_time"' in bad.text
    assert 'value="tomorrow"' in bad.text
    backwards = post(
        client,
        "/admin/zones",
        "/admin/zones",
        {
            "authority": "west-command",
            "document": zone_map(SQUARE),
            "valid_from": "2027-01-01T00:00",
            "valid_until": "2026-01-01T00:00",
        },
    )
    assert 'data-code="zone_map.bad_validity"' in backwards.text


def test_another_authoritys_zones_are_refused(client: TestClient, session: Session) -> None:
    sign_in(client, "east.admin")
    refused(
        client,
        session,
        ZoneMapRecord,
        "/admin/zones",
        {"authority": "west-command", "document": zone_map(SQUARE)},
        status=403,
        code="auth.forbidden",
    )


def test_a_body_over_the_limit_is_a_coded_413_on_the_page(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin", "ar")
    before = count(session, ZoneMapRecord)
    response = client.post(
        "/admin/zones", data={"authority": "west-command", "document": "x" * (1024 * 1024 + 1)}
    )
    assert response.status_code == 413
    assert 'data-code="request.too_large"' in response.text
    assert 'dir="rtl"' in response.text
    assert count(session, ZoneMapRecord) == before


# -- checkpoints --


def test_an_admin_adds_a_checkpoint_and_closes_and_reopens_it(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin")
    response = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints",
        {
            "code": "W-HILL",
            "authority": "west-command",
            "name_ar": "التل",
            "name_en": "Hill",
            "lat": "34.41",
            "lon": "41.03",
        },
    )
    assert response.status_code == 303, response.text
    assert 'data-checkpoint="W-HILL"' in client.get("/admin/checkpoints").text
    closed = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints/W-HILL/status",
        {"status": "closed", "reason": "Road works"},
    )
    assert closed.status_code == 303
    record = session.scalar(select(CheckpointRecord).where(CheckpointRecord.code == "W-HILL"))
    assert record is not None
    assert (record.status, record.status_reason) == ("closed", "Road works")
    reopened = post(
        client, "/admin/checkpoints", "/admin/checkpoints/W-HILL/status", {"status": "open"}
    )
    assert reopened.status_code == 303


def test_closing_without_a_reason_is_coded(client: TestClient) -> None:
    sign_in(client, "west.admin")
    coded(
        client,
        "/admin/checkpoints",
        {"status": "closed"},
        status=422,
        code="checkpoint.reason_required",
        action="/admin/checkpoints/W-GATE/status",
    )


@pytest.mark.parametrize(
    ("values", "status", "code"),
    [
        ({"code": "W-GATE", "lat": "34.4", "lon": "41.0"}, 409, "checkpoint.exists"),
        ({"code": "W-NEW", "lat": "north", "lon": "41.0"}, 422, "geojson.invalid"),
        ({"code": "W-NEW", "lat": "nan", "lon": "inf"}, 422, "geojson.invalid"),
        ({"code": "W-NEW", "lat": "134.4", "lon": "41.0"}, 422, "geojson.invalid"),
        ({"code": "bad code!", "lat": "34.4", "lon": "41.0"}, 422, "checkpoint.import_invalid"),
    ],
)
def test_a_bad_checkpoint_is_coded_with_values_kept(
    client: TestClient, session: Session, values: dict[str, str], status: int, code: str
) -> None:
    sign_in(client, "west.admin")
    response = refused(
        client,
        session,
        CheckpointRecord,
        "/admin/checkpoints",
        {"authority": "west-command", "name_en": HOSTILE, **values},
        status=status,
        code=code,
    )
    assert f'value="{values["lat"]}"' in response.text
    assert HOSTILE not in response.text


def test_another_authoritys_checkpoint_is_refused(client: TestClient, session: Session) -> None:
    sign_in(client, "east.admin")
    response = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints",
        {"code": "E-WEST", "authority": "west-command", "name_en": "X", "lat": "34", "lon": "41"},
    )
    assert response.status_code == 403
    status = post(
        client,
        "/admin/checkpoints",
        "/admin/checkpoints/W-GATE/status",
        {"status": "closed", "reason": "mine now"},
    )
    assert status.status_code == 403
    record = session.scalar(select(CheckpointRecord).where(CheckpointRecord.code == "W-GATE"))
    assert record is not None
    assert record.status == "open"


# -- devices --


def test_a_registered_device_shows_its_token_once_with_the_enrol_link(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin")
    response = post(
        client, "/admin/devices", "/admin/devices", {"checkpoint": "W-GATE", "name": "Gate phone"}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/devices"  # a reload registers nothing
    shown = client.get("/admin/devices").text
    token = re.search(r'id="device-token">(tqd_[^<]+)<', shown)
    assert token is not None
    assert f'href="/checkpoint#enrol={token.group(1)}"' in shown
    assert "o" not in _session_data(client)  # taken from the session, not kept in it
    listing = client.get("/admin/devices").text
    assert token.group(1) not in listing
    assert "Gate phone" in listing
    device = session.scalar(select(DeviceRecord).where(DeviceRecord.name == "Gate phone"))
    assert device is not None
    confirm = client.get(f"/admin/devices/{device.id}/revoke")
    assert confirm.status_code == 200
    revoked = client.post(
        f"/admin/devices/{device.id}/revoke",
        data={"csrf": csrf_of(confirm.text)},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    session.refresh(device)
    assert device.revoked_at is not None


def test_devices_of_another_authority_are_refused(client: TestClient, session: Session) -> None:
    sign_in(client, "west.admin")
    made = post(
        client, "/admin/devices", "/admin/devices", {"checkpoint": "W-GATE", "name": "Mine"}
    )
    assert made.status_code == 303
    device = session.scalar(select(DeviceRecord).where(DeviceRecord.name == "Mine"))
    assert device is not None
    client.cookies.clear()
    sign_in(client, "east.admin")
    assert client.get(f"/admin/devices/{device.id}/revoke").status_code == 403
    refused = post(client, "/admin/devices", f"/admin/devices/{device.id}/revoke", {})
    assert refused.status_code == 403
    foreign = post(
        client, "/admin/devices", "/admin/devices", {"checkpoint": "W-GATE", "name": "Spy"}
    )
    assert foreign.status_code == 403
    unknown = coded(
        client,
        "/admin/devices",
        {"checkpoint": "NOPE", "name": "X"},
        status=404,
        code="checkpoint.not_found",
    )
    assert 'value="X"' in unknown.text
    session.refresh(device)
    assert device.revoked_at is None


# -- keys --


def test_an_authority_admin_rotates_and_retires_its_key(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "west.admin")
    rotated = post(client, "/admin/keys", "/admin/keys/west-command/rotation", {})
    assert rotated.status_code == 303, rotated.text
    kid = rotated.headers["location"].split("done=")[1]
    page = client.get(rotated.headers["location"])
    assert f'data-kid="{kid}" data-status="active"' in page.text
    assert 'href="/api/v1/trust-list"' in page.text
    confirm = client.get(f"/admin/keys/west-command/{kid}/retire")
    assert confirm.status_code == 200
    retired = client.post(
        f"/admin/keys/west-command/{kid}/retire",
        data={"csrf": csrf_of(confirm.text)},
        follow_redirects=False,
    )
    assert retired.status_code == 303
    record = session.scalar(select(SigningKeyRecord).where(SigningKeyRecord.kid == kid))
    assert record is not None
    assert record.status == "retired"


def test_the_hub_admin_sees_keys_but_may_not_rotate_them(client: TestClient) -> None:
    sign_in(client, "admin")
    page = client.get("/admin/keys")
    assert 'action="/admin/keys/west-command/rotation"' not in page.text
    coded(
        client,
        "/admin/keys",
        {},
        status=403,
        code="auth.forbidden",
        action="/admin/keys/west-command/rotation",
    )


def test_a_bad_external_key_is_coded_with_values_kept(client: TestClient) -> None:
    sign_in(client, "west.admin")
    response = coded(
        client,
        "/admin/keys",
        {"alg": "-8", "public_key": "not-b64!"},
        status=422,
        code="permit.public_key_invalid",
        action="/admin/keys/west-command",
    )
    assert 'value="not-b64!"' in response.text
    wrong = post(client, "/admin/keys", "/admin/keys/west-command", {"alg": "x", "public_key": ""})
    assert 'data-code="form.bad_choice"' in wrong.text


def test_another_authoritys_key_is_refused(client: TestClient) -> None:
    sign_in(client, "east.admin")
    refused = post(client, "/admin/keys", "/admin/keys/west-command/rotation", {})
    assert refused.status_code == 403


@pytest.mark.parametrize("page", ["/admin", "/admin/zones", "/admin/keys", "/admin/checkpoints"])
def test_an_admin_of_a_party_that_is_no_authority_sees_nothing_to_manage(
    client: TestClient, page: str
) -> None:
    sign_in(client, "municipality", "ar")
    response = client.get(page)
    assert response.status_code == 200
    assert 'action="/admin/zones"' not in response.text
    assert "data-authority=" not in response.text


@pytest.mark.parametrize(
    ("page", "status"),
    [
        ("/admin/zones?uploaded=abc", 200),
        ("/admin/zones?uploaded=" + "9" * 5000, 200),
        ("/admin/zones?uploaded=-1", 200),
        ("/admin/devices?revoked=%00", 200),
        ("/admin/parties?created=" + "<b>" * 30, 200),
        # A party code that names no party is a page that does not exist.
        ("/admin/parties/%3Cscript%3E/users", 404),
        ("/admin/keys?done=" + "x" * 5000, 200),
    ],
)
def test_tampered_links_never_give_a_500(client: TestClient, page: str, status: int) -> None:
    sign_in(client, "admin")
    response = client.get(page)
    assert response.status_code == status, response.text
    assert "<b>" not in response.text
    assert "<script>" not in response.text


def test_hostile_text_in_a_users_name_is_stored_verbatim_and_shown_escaped(
    client: TestClient, session: Session
) -> None:
    sign_in(client, "admin")
    page = "/admin/parties/river-relief/users"
    response = post(
        client,
        page,
        page,
        {"username": "relief.two", "display_name": HOSTILE, "roles": ["liaison"]},
    )
    assert response.status_code == 303
    shown = client.get(page).text
    assert HOSTILE not in shown
    assert "&lt;script&gt;" in shown
    user = PartyRepository(session).user_by_username("relief.two")
    assert user is not None
    assert user.display_name == HOSTILE
