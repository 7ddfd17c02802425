"""The administrator's signing keys page through HTTP: rotate, retire, register an outside key,
and who may."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.permits.models import SigningKeyRecord
from tests.web.admin_forms import coded, post
from tests.web.pages import csrf_of, sign_in

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
