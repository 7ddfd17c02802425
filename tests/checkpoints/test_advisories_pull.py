"""The device pull carries the incidents and advisories a checkpoint's officer needs offline:
those near the checkpoint (within ``checkpoint_advisory_radius_m``) and those on the route of a
permit expected there, at any distance, signed under the governance key; not those far away
and on no expected route, not refuted incidents, not advisories that ended. The CLI device
keeps them, lists them after a sync, and names them in the verdict of an affected permit."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tansiq.checkpoints.advisory_bundle import AdvisoryBundle, load_advisory_bundle
from tansiq.checkpoints.client import DeviceStore
from tansiq.cli.advisory_lines import held_lines, route_warning_lines
from tansiq.cli.main import cli
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale
from tansiq.permits.keys import ALG_EDDSA, load_public_key
from tansiq.settings import Settings
from tests.checkpoints.test_device import device_token, enrolled, transport
from tests.conftest import SECRET_KEY, Tokens
from tests.incidents.conftest import ON_EAST_ROAD, incident, post, road_closure
from tests.incidents.test_impact import permit_on

HERE = "BRIDGE-W"
AT_THE_BRIDGE = {"type": "Point", "coordinates": [41.0985, 34.4005]}


@pytest.fixture
def settings() -> Settings:
    """A small radius: the Bridge Road closure, 4 km west, comes only as a permit's."""
    return Settings(
        database_url="sqlite://",
        max_body_bytes=1024 * 1024,
        secret_key=SECRET_KEY,
        checkpoint_advisory_radius_m=1000,
    )


def _pull(client: TestClient, device: str) -> dict[str, Any]:
    answer = client.get("/api/v1/sync/pull", headers={"Authorization": f"Device {device}"})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _bundle(client: TestClient, signed: str, checkpoint: str = HERE) -> AdvisoryBundle:
    keys = [
        load_public_key(ALG_EDDSA, base64.b64decode(k))
        for k in client.get("/api/v1/governance-keys").json()
    ]
    return load_advisory_bundle(base64.b64decode(signed), keys, checkpoint=checkpoint)


def test_the_pull_carries_what_is_near_and_what_is_on_expected_routes(
    client: TestClient, tokens: Tokens, clock: FixedClock, tmp_path: Path
) -> None:
    permit = permit_on(client, tokens, clock, "bridge-road")
    cti = f"P-{permit['application_id']:06d}"
    closure = post(client, "/api/v1/advisories", tokens("west.liaison"), road_closure(clock))
    here = post(
        client,
        "/api/v1/incidents",
        tokens("west.liaison"),
        incident(clock, location=AT_THE_BRIDGE, description="Shots heard at the bridge"),
    )
    # An armed clash 3 km east, within its reach of the permit's corridor: carried (the truck
    # goes that way), but it closes no road, so no verdict warns of it.
    beside = post(
        client, "/api/v1/incidents", tokens("west.liaison"), incident(clock, location=ON_EAST_ROAD)
    )
    far = post(
        client,
        "/api/v1/incidents",
        tokens("west.liaison"),
        incident(clock, location=ON_EAST_ROAD, event_type="accident", sub_type="traffic_accident"),
    )
    device = device_token(client, tokens, HERE, "west.admin")

    pulled = _pull(client, device)
    assert [e["permit"] for e in pulled["expected"]] == [cti]
    bundle = _bundle(client, pulled["advisories"])
    assert bundle.checkpoint == HERE
    assert bundle.issued_at == clock.now()
    found = {item.reference: item for item in bundle.items}
    assert set(found) == {f"ADV-{closure['id']}", f"INC-{here['id']}", f"INC-{beside['id']}"}
    assert f"INC-{far['id']}" not in found  # 3 km away and touching no expected route
    assert found[f"INC-{beside['id']}"].permits == ()
    road = found[f"ADV-{closure['id']}"]
    assert (road.kind, road.type, road.permits) == ("advisory", "road_closed", (cti,))
    assert 3400 < road.distance_m < 3600  # from 41.06 to 41.098 east, at 34.4 north
    assert road.party == ("القيادة الغربية", "West Command")
    near = found[f"INC-{here['id']}"]
    assert (near.kind, near.state, near.permits) == ("incident", "unverified", ())
    assert near.distance_m < 100
    assert near.description == "Shots heard at the bridge"
    # Another checkpoint's device may not pass this bundle for its own.
    with pytest.raises(Exception, match="damaged"):
        _bundle(client, pulled["advisories"], checkpoint="E-GATE")

    # The CLI device keeps it with the rest, verified, and says so.
    store = DeviceStore(tmp_path / "device.sqlite")
    terminal = enrolled(store, client, device)
    terminal.sync()
    held = terminal.advisories()
    assert held is not None
    assert {i.reference for i in held.items} == set(found)
    listed = held_lines(held, clock.now(), Locale.EN, HERE)
    assert listed[0].startswith("3 incidents or advisories near this checkpoint")
    assert any("Road closed" in line and "Severe" in line for line in listed)
    warned = route_warning_lines(held, cti, [HERE], clock.now(), Locale.AR)
    assert warned[0] == "! الطريق متأثر: على طريق هذا التصريح"
    assert f"ADV-{closure['id']}" in warned[1]
    assert route_warning_lines(held, "P-999999", ["E-GATE"], clock.now(), Locale.EN) == []
    # Past its window the closure no longer counts, offline too.
    later = clock.now() + timedelta(days=3)
    assert route_warning_lines(held, cti, [HERE], later, Locale.EN) == []
    store.close()


def test_an_ended_advisory_and_a_refuted_incident_are_no_longer_carried(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    closing = post(
        client,
        "/api/v1/advisories",
        tokens("west.liaison"),
        road_closure(
            clock, geometry={"type": "LineString", "coordinates": [[41.095, 34.4], [41.1, 34.4]]}
        ),
    )
    rumour = post(
        client, "/api/v1/incidents", tokens("west.liaison"), incident(clock, location=AT_THE_BRIDGE)
    )
    device = device_token(client, tokens, HERE, "west.admin")
    before = {i.reference for i in _bundle(client, _pull(client, device)["advisories"]).items}
    assert before == {f"ADV-{closing['id']}", f"INC-{rumour['id']}"}

    post(client, f"/api/v1/advisories/{closing['id']}/withdrawal", tokens("west.liaison"), {})
    post(client, f"/api/v1/incidents/{rumour['id']}/refutation", tokens("east.admin"), {"note": ""})
    clock.advance(timedelta(minutes=1))
    after = _bundle(client, _pull(client, device)["advisories"])
    assert after.items == ()
    assert after.issued_at == clock.now()


def test_the_cli_lists_them_after_a_sync_and_warns_in_the_verdict(
    client: TestClient,
    tokens: Tokens,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    permit = permit_on(client, tokens, clock, "bridge-road")
    token = client.get(f"/api/v1/permits/{permit['id']}/token", headers=tokens("trader")).json()[
        "token"
    ]
    post(client, "/api/v1/advisories", tokens("west.liaison"), road_closure(clock))
    device = device_token(client, tokens, HERE, "west.admin")
    store = DeviceStore(tmp_path / "device.sqlite")
    enrolled(store, client, device, transport(client)).sync()
    store.close()
    clock.advance(timedelta(hours=2))  # the permit is in force now
    monkeypatch.setattr("tansiq.cli.checkpoint.SystemClock", lambda: clock)  # the terminal's time
    scanned = CliRunner().invoke(
        cli,
        [
            "checkpoint",
            "scan",
            token,
            "--checkpoint",
            HERE,
            "--queue",
            str(tmp_path / "device.sqlite"),
            "--device-token",
            device,
        ],
        env={"TANSIQ_LANG": "en"},
    )
    assert "VALID" in scanned.output, scanned.output
    assert "! Route affected: on this permit's route" in scanned.output
    assert "Road closed ADV-" in scanned.output
