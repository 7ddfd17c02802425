"""The administrator's pages of parties and users through HTTP (and who may see any admin page):
each form's happy path, its coded error with the typed values kept, CSRF refused, and
need-to-know (non-admins and other parties' admins refused)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.parties.models import PartyRecord, UserRecord
from tansiq.parties.repository import PartyRepository
from tests.web.admin_forms import HOSTILE, coded, count, post, refused
from tests.web.pages import csrf_of, sign_in

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


# -- anything an admin may reach --


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
