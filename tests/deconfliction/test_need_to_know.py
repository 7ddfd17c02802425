"""Need-to-know, over every role and every read path: a notification, its geometry, its
acknowledgements and conflicts reach only its notifier, the parties it reached and the hub
operator; observers and the municipality see counts. Every read of a site's location by
another party is recorded for its notifier. Deliveries go out through a real webhook receiver
on 127.0.0.1, and only to the parties reached."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.settings import Settings
from tests.conftest import SECRET_KEY, Tokens
from tests.deconfliction.conftest import API, movement, post, site
from tests.notify.conftest import Receiver, free_port
from tests.web.pages import sign_in

EVERY_USER = [
    "admin",
    "west.admin",
    "west.reviewer",
    "west.officer",
    "west.liaison",
    "east.admin",
    "east.reviewer",
    "east.officer",
    "municipality",
    "trader",
    "relief",
]
# The clinic lies in the east bank sector only, away from every checkpoint.
REACHED = {"east.admin", "east.reviewer", "east.officer"}
NOTIFIER = {"relief"}
HUB = {"admin"}


@pytest.fixture
def settings() -> Settings:
    return Settings(
        database_url="sqlite://",
        max_body_bytes=1024 * 1024,
        secret_key=SECRET_KEY,
        webhook_allow_private=True,
        delivery_timeout_s=2.0,
    )


@pytest.fixture
def receivers() -> Iterator[dict[str, Receiver]]:
    running = {
        party: Receiver(free_port()) for party in ("east-force", "west-command", "wadi-transport")
    }
    for receiver in running.values():
        receiver.start()
    yield running
    for receiver in running.values():
        receiver.stop()


def test_a_site_is_seen_only_by_its_notifier_the_parties_reached_and_the_hub(
    client: TestClient,
    hub: HubContext,
    tokens: Tokens,
    clock: FixedClock,
    receivers: dict[str, Receiver],
) -> None:
    for party, admin in (
        ("east-force", "east.admin"),
        ("west-command", "west.admin"),
        ("wadi-transport", "trader"),
    ):
        hook = client.post(
            f"/api/v1/parties/{party}/webhooks",
            headers=tokens(admin),
            json={"url": receivers[party].url, "description": "operations room"},
        )
        assert hook.status_code == 201, hook.text
        receivers[party].secrets.append(hook.json()["secret"])

    clinic = post(client, "/sites", tokens("relief"), site())
    number = clinic["id"]
    assert [a["party"] for a in clinic["acknowledgements"]] == ["east-force"]

    for user in EVERY_USER:
        headers = tokens(user)
        may_see = user in REACHED | NOTIFIER | HUB
        one = client.get(f"{API}/notifications/{number}", headers=headers)
        assert one.status_code == (200 if may_see else 404), user
        if may_see:
            body = one.json()
            assert body["geometry"]["coordinates"] == [41.12, 34.41]
            parties = [a["party"] for a in body["acknowledgements"]]
            assert parties == ["east-force"], user
        listed = client.get(f"{API}/notifications", headers=headers).json()
        assert (number in [n["id"] for n in listed]) == may_see, user
        incoming = client.get(f"{API}/incoming", headers=headers).json()
        assert (number in [i["notification"]["id"] for i in incoming]) == (user in REACHED), user
        reads = client.get(f"{API}/sites/{number}/reads", headers=headers)
        assert reads.status_code == (200 if user in NOTIFIER | HUB else 403 if may_see else 404), (
            user
        )
        summary = client.get(f"{API}/summary", headers=headers)
        assert summary.status_code == 200
        assert summary.json()["active_sites"] == 1
        assert "41.12" not in summary.text
        inbox = client.get("/api/v1/inbox", headers=headers).json()
        told = [e for e in inbox if e["subject"] == f"notification:{number}"]
        assert bool(told) == (user in REACHED), user

    # Every read of the location by another party is there for the notifier, with who and when.
    reads = client.get(f"{API}/sites/{number}/reads", headers=tokens("relief")).json()
    readers = {(r["party"], r["user"]) for r in reads}
    assert readers == {
        ("east-force", "east.admin"),
        ("east-force", "east.reviewer"),
        ("east-force", "east.officer"),
        ("hub", "admin"),
    }
    assert all(r["via"] == "api" and r["read_at"] for r in reads)

    # The outbox: only the reached party's system hears of it, signed.
    clock.advance(timedelta(seconds=1))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)
    east = [json.loads(body) for body in receivers["east-force"].accepted.values()]
    assert [event["kind"] for event in east] == ["deconfliction.notified"]
    assert all(r.signature_ok for r in receivers["east-force"].requests)
    assert receivers["west-command"].requests == []
    assert receivers["wadi-transport"].requests == []
    text = json.dumps(east, ensure_ascii=False)
    assert "S-" in text
    assert "يُرجى الإقرار" in text  # rendered in Arabic as well as English


def test_a_movement_near_a_site_conflicts_and_the_place_counts_as_a_read(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    clinic = post(client, "/sites", tokens("relief"), site())
    near = {"type": "LineString", "coordinates": [[41.115, 34.40], [41.125, 34.42]]}
    patrol = post(
        client, "/movements", tokens("west.liaison"), movement(clock, checkpoints=None, route=near)
    )
    [found] = patrol["conflicts"]
    assert found["other"] == clinic["id"]
    assert found["other_kind"] == "site"
    # The site's notifier is reached because of the conflict, and sees it from its side too.
    assert "river-relief" in [a["party"] for a in patrol["acknowledgements"]]
    reads = client.get(f"{API}/sites/{clinic['id']}/reads", headers=tokens("relief")).json()
    assert {"party": "west-command", "via": "conflict"}.items() <= reads[-1].items()
    # East (reached by both) sees neither conflict: where two meet is for their notifiers.
    east_view = client.get(f"{API}/notifications/{patrol['id']}", headers=tokens("east.admin"))
    assert east_view.json()["conflicts"] == []
    assert east_view.json()["shift"] is None


def test_a_site_reminds_then_lapses_unless_reconfirmed(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    relief = tokens("relief")
    first = post(client, "/sites", relief, site())
    second = post(
        client, "/sites", relief, site(geometry={"type": "Point", "coordinates": [41.15, 34.38]})
    )
    clock.advance(timedelta(days=5))
    post(client, f"/sites/{second['id']}/reconfirmation", relief, {})
    for _ in range(3):
        clock.advance(timedelta(days=1))
        build_runner(hub).run_due(hub.sessions, clock, limit=500)
    lapsed = client.get(f"{API}/notifications/{first['id']}", headers=relief).json()
    assert lapsed["status"] == "lapsed"
    standing = client.get(f"{API}/notifications/{second['id']}", headers=relief).json()
    assert standing["status"] == "active"
    kinds = [e["kind"] for e in client.get("/api/v1/inbox", headers=relief).json()]
    assert kinds.count("deconfliction.site_reminder") == 2  # 3 days and 1 day before
    assert kinds.count("deconfliction.lapsed") == 1
    east = [e["kind"] for e in client.get("/api/v1/inbox", headers=tokens("east.admin")).json()]
    assert east.count("deconfliction.lapsed") == 1


THREAD_READERS = REACHED | NOTIFIER | HUB  # the members' users, and the hub's operator


def test_a_thread_is_read_only_by_its_members_and_the_hub(
    client: TestClient,
    hub: HubContext,
    tokens: Tokens,
    clock: FixedClock,
    receivers: dict[str, Receiver],
) -> None:
    for party, admin in (
        ("east-force", "east.admin"),
        ("west-command", "west.admin"),
        ("wadi-transport", "trader"),
    ):
        hook = client.post(
            f"/api/v1/parties/{party}/webhooks",
            headers=tokens(admin),
            json={"url": receivers[party].url, "description": "operations room"},
        )
        assert hook.status_code == 201, hook.text
        receivers[party].secrets.append(hook.json()["secret"])
    clinic = post(client, "/sites", tokens("relief"), site())
    started = client.post(
        "/api/v1/threads",
        headers=tokens("relief"),
        json={
            "topic": "Clinic access",
            "members": ["east-force"],
            "notification": clinic["id"],
            "message": {"text": "The clinic's back gate is at the olive grove"},
        },
    )
    assert started.status_code == 201, started.text
    number = started.json()["id"]

    for user in EVERY_USER:
        headers = tokens(user)
        may_read = user in THREAD_READERS
        one = client.get(f"/api/v1/threads/{number}", headers=headers)
        assert one.status_code == (200 if may_read else 404), user
        assert ("olive grove" in one.text) == may_read, user
        listed = client.get("/api/v1/threads", headers=headers).json()
        assert ([t["id"] for t in listed] == [number]) == may_read, user
        about = client.get(
            "/api/v1/threads", params={"notification": clinic["id"]}, headers=headers
        )
        assert about.status_code == (200 if may_read else 404), user
        written = client.post(
            f"/api/v1/threads/{number}/messages", json={"text": "probe"}, headers=headers
        )
        speaks = user in {"relief", "east.admin"}
        assert written.status_code == (201 if speaks else 403 if may_read else 404), user
        counts = client.get("/api/v1/threads/counts", headers=headers)
        assert counts.status_code == 200
        assert "olive" not in counts.text
        inbox = client.get("/api/v1/inbox", headers=headers).json()
        told = [e for e in inbox if e["subject"] == f"thread:{number}"]
        assert bool(told) == (user in REACHED | NOTIFIER), user
        assert "olive" not in str(told)
        client.cookies.clear()
        sign_in(client, user)
        for page in (f"/threads/{number}", "/threads", f"/deconfliction/{clinic['id']}"):
            shown = client.get(page)
            listing = page == "/threads"
            assert shown.status_code == (200 if may_read or listing else 404), (user, page)
            assert ("Clinic access" in shown.text) == may_read, (user, page)
            assert ("olive grove" in shown.text) == (may_read and "threads/" in page), (user, page)
        client.cookies.clear()

    # The outbox: only the member party's system hears of it, signed, without the content.
    clock.advance(timedelta(seconds=1))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)
    east = [json.loads(body) for body in receivers["east-force"].accepted.values()]
    assert "deconfliction.thread_message" in [event["kind"] for event in east]
    assert "olive" not in json.dumps(east)
    assert all(r.signature_ok for r in receivers["east-force"].requests)
    assert receivers["west-command"].requests == []
    assert receivers["wadi-transport"].requests == []
