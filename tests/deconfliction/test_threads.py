"""Liaison threads through the HTTP API: party to party through the hub, about a notification
or free standing; templates rendered in each reader's language at display time (a checkpoint in
the reader's script, times in the deployment's zone), free text as written; delivery and read
receipts per party, with time and user; the outbox tells the other members; the ledger keeps a
digest of every message; bad input is coded and stores nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.ledger.models import LedgerEntryRecord
from tests.conftest import Tokens
from tests.deconfliction.conftest import movement, post

THREADS = "/api/v1/threads"
ARABIC = {"Accept-Language": "ar"}


def convoy(clock: FixedClock) -> dict[str, Any]:
    start = clock.now() + timedelta(hours=4)
    return {
        "template": "convoy_passes",
        "params": {
            "place": "BRIDGE-W",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        },
    }


def start(
    client: TestClient, headers: dict[str, str], body: dict[str, Any], status: int = 201
) -> Any:
    response = client.post(THREADS, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


def test_a_thread_about_a_movement_is_read_by_its_members_in_their_language(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    relief, west = tokens("relief"), tokens("west.liaison")
    filed = post(client, "/movements", relief, movement(clock))
    thread = start(
        client,
        relief,
        {
            "topic": "Convoy over the bridge",
            "members": ["west-command"],
            "notification": filed["id"],
            "message": convoy(clock),
        },
    )
    assert [m["party"] for m in thread["members"]] == ["river-relief", "west-command"]
    [first] = thread["messages"]
    # 2026-11-25 16:00 UTC is 19:00 in Damascus (UTC+3).
    assert first["rendered"].startswith("Our convoy passes Bridge, west end between 25 Nov")
    assert "19:00 (+03)" in first["rendered"]
    assert first["template"] == "convoy_passes"
    [receipt] = first["receipts"]
    assert receipt["party"] == "west-command"
    assert receipt["delivered_at"]
    assert receipt["read_at"] is None

    # The other member is told through its inbox, linked to the thread.
    inbox = client.get("/api/v1/inbox", headers=west).json()
    told = [e for e in inbox if e["subject"] == f"thread:{thread['id']}"]
    assert [e["kind"] for e in told] == ["deconfliction.thread_message"]
    assert "Our convoy" not in str(told)  # what was said stays on the hub

    # West reads it in Arabic: the checkpoint in Arabic script, the template in Arabic.
    listed = client.get(THREADS, headers=west).json()
    assert [(t["id"], t["unread"]) for t in listed] == [(thread["id"], 1)]
    seen = client.get(f"{THREADS}/{thread['id']}", headers=west | ARABIC).json()
    rendered = seen["messages"][0]["rendered"]
    assert "الجسر - الطرف الغربي" in rendered
    assert "Bridge" not in rendered
    # Its reading is now the receipt: when, and by whom.
    clock.advance(timedelta(minutes=1))
    again = client.get(f"{THREADS}/{thread['id']}", headers=relief).json()
    [receipt] = again["messages"][0]["receipts"]
    assert receipt["read_by"] == "west.liaison"
    assert receipt["read_at"] is not None
    assert client.get(THREADS, headers=west).json()[0]["unread"] == 0

    # Free text is shown as written, in every language.
    text = "<b>نعم</b> '; DROP TABLE parties; --"
    reply = client.post(f"{THREADS}/{thread['id']}/messages", json={"text": text}, headers=west)
    assert reply.status_code == 201, reply.text
    shown = client.get(f"{THREADS}/{thread['id']}", headers=relief | ARABIC).json()
    assert shown["messages"][-1]["rendered"] == text
    assert shown["messages"][-1]["user"] == "west.liaison"
    by_notification = client.get(
        THREADS, params={"notification": filed["id"]}, headers=relief
    ).json()
    assert [t["id"] for t in by_notification] == [thread["id"]]


def test_a_thread_about_a_notification_holds_only_the_parties_it_concerns(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    relief = tokens("relief")
    filed = post(client, "/movements", relief, movement(clock))
    refused = start(
        client,
        relief,
        {
            "topic": "Convoy",
            "members": ["west-command", "municipality"],
            "notification": filed["id"],
            "message": {"template": "received"},
        },
        422,
    )
    assert refused["error"]["code"] == "thread.party_not_concerned"
    # Free standing, the municipality may take part.
    start(
        client,
        relief,
        {"topic": "Water", "members": ["municipality"], "message": {"text": "Hello"}},
    )


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"members": ["west-command"], "message": {"template": "nope"}}, "thread.template_unknown"),
        (
            {"members": ["west-command"], "message": {"template": "confirm_patrol"}},
            "thread.template_params",
        ),
        (
            {
                "members": ["west-command"],
                "message": {"template": "delayed", "params": {"place": "x", "time": "tomorrow"}},
            },
            "thread.time_invalid",
        ),
        (
            {
                "members": ["west-command"],
                "message": {
                    "template": "delayed",
                    "params": {"place": "x", "time": "2026-11-25T10:00:00"},
                },
            },
            "thread.time_invalid",
        ),
        (
            {"members": ["west-command"], "message": {"template": "received", "text": "hi"}},
            "thread.message_empty",
        ),
        ({"members": ["west-command"], "message": {"text": "   "}}, "thread.message_empty"),
        ({"members": ["river-relief"], "message": {"text": "hi"}}, "thread.members_invalid"),
        ({"members": ["hub"], "message": {"text": "hi"}}, "thread.party_unknown"),
        ({"members": ["wadi-transport"], "message": {"text": "hi"}}, "thread.party_unknown"),
        ({"members": ["nobody"], "message": {"text": "hi"}}, "thread.party_unknown"),
        (
            {"members": ["west-command"], "notification": 999, "message": {"text": "hi"}},
            "notification.not_found",
        ),
    ],
)
def test_bad_input_is_coded_and_stores_nothing(
    client: TestClient, tokens: Tokens, session: Session, body: dict[str, Any], code: str
) -> None:
    response = client.post(THREADS, json={"topic": "t", **body}, headers=tokens("relief"))
    assert response.status_code in (404, 422), response.text
    assert response.json()["error"]["code"] == code
    assert client.get(THREADS, headers=tokens("relief")).json() == []


def test_who_may_write(client: TestClient, tokens: Tokens) -> None:
    body = {"topic": "t", "members": ["west-command"], "message": {"text": "hi"}}
    for user in ("trader", "admin", "west.reviewer", "east.officer"):
        assert client.post(THREADS, json=body, headers=tokens(user)).status_code == 403, user
    thread = start(client, tokens("relief"), body)
    path = f"{THREADS}/{thread['id']}/messages"
    # A member party's reviewer reads but does not speak; another party does not even see it.
    assert client.post(path, json={"text": "x"}, headers=tokens("west.reviewer")).status_code == 403
    assert client.post(path, json={"text": "x"}, headers=tokens("east.admin")).status_code == 404
    assert client.post(path, json={"text": "x"}, headers=tokens("west.admin")).status_code == 201


def test_every_message_is_on_the_ledger_as_a_digest_only(
    client: TestClient, tokens: Tokens, session: Session
) -> None:
    body = {"topic": "t", "members": ["west-command"], "message": {"text": "a secret place"}}
    thread = start(client, tokens("relief"), body)
    client.get(f"{THREADS}/{thread['id']}", headers=tokens("west.liaison"))
    entries = session.scalars(
        select(LedgerEntryRecord).where(LedgerEntryRecord.subject == f"thread:{thread['id']}")
    ).all()
    kinds = [e.kind for e in entries]
    assert kinds == [
        "deconfliction.thread_started",
        "deconfliction.thread_message",
        "deconfliction.thread_read",
    ]
    assert all(e.content is None and len(e.digest) == 32 for e in entries)


def test_templates_are_listed_in_the_callers_language(client: TestClient, tokens: Tokens) -> None:
    found = client.get(f"{THREADS}/templates", headers=tokens("relief") | ARABIC).json()
    convoy = next(t for t in found if t["id"] == "convoy_passes")
    assert [p["name"] for p in convoy["params"]] == ["place", "start", "end"]
    assert "{place}" in convoy["text"]
    counts = client.get(f"{THREADS}/counts", headers=tokens("municipality")).json()
    assert counts == {"threads": 0, "messages": 0}
