"""The administrator's devices page through HTTP: a device's token shown once, other
authorities' devices refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.checkpoints.models import DeviceRecord
from tests.web.admin_forms import coded, post, session_data
from tests.web.pages import csrf_of, sign_in

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
    assert "o" not in session_data(client)  # taken from the session, not kept in it
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
