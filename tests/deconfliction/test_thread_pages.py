"""The liaison thread pages through HTTP: start a thread about a movement with the template
picker, read it in Arabic (the checkpoint in Arabic script, times in the deployment's zone),
reply with free text shown as written, see each party's receipt; the inbox links every
deconfliction message to its page; a coded error keeps the form."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.deconfliction.conftest import movement, post
from tests.web.pages import csrf_of, sign_in


def test_start_a_thread_with_a_template_read_it_in_arabic_and_reply(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    filed = post(client, "/movements", tokens("relief"), movement(clock))
    sign_in(client, "relief")
    form = client.get(f"/threads/new?notification={filed['id']}")
    assert form.status_code == 200
    assert f"M-{filed['id']}" in form.text
    assert "West Command" in form.text
    assert "Jisr al-Wadi Municipality" not in form.text  # not concerned by the movement
    started = client.post(
        "/threads/new",
        data={
            "csrf": csrf_of(form.text),
            "notification": str(filed["id"]),
            "topic": "Crossing at the bridge",
            "members": "west-command",
            "template": "convoy_passes",
            "place": "BRIDGE-W",
            "start": "2026-11-25T19:00",  # typed in Damascus time
            "end": "2026-11-25T20:00",
            "text": "ignored for a template",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    where = started.headers["location"]
    mine = client.get(where)
    assert "Our convoy passes Bridge, west end between 25 Nov 2026, 19:00 (+03)" in mine.text
    assert "Not read yet" in mine.text

    client.cookies.clear()
    sign_in(client, "west.liaison", "ar")
    inbox = client.get("/inbox")
    assert f'href="{where}"' in inbox.text
    assert f'href="/deconfliction/{filed["id"]}"' in inbox.text  # the notification's message
    listed = client.get("/threads")
    assert "Crossing at the bridge" in listed.text
    page = client.get(where)
    assert "الجسر - الطرف الغربي" in page.text
    assert "Bridge, west end" not in page.text
    reply = client.post(
        f"{where}/messages",
        data={"csrf": csrf_of(page.text), "template": "", "text": "<b>تم</b> الاستلام"},
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text

    client.cookies.clear()
    sign_in(client, "relief")
    again = client.get(where)
    assert "&lt;b&gt;تم&lt;/b&gt; الاستلام" in again.text
    assert "read by west.liaison" in again.text
    one = client.get(f"/deconfliction/{filed['id']}")
    assert "Crossing at the bridge" in one.text


def test_a_coded_error_keeps_the_form(client: TestClient, tokens: Tokens) -> None:
    sign_in(client, "relief")
    form = client.get("/threads/new")
    refused = client.post(
        "/threads/new",
        data={
            "csrf": csrf_of(form.text),
            "topic": "Water point",
            "members": "municipality",
            "template": "delayed",
            "place": "the old mill",
            "time": "",
        },
    )
    assert refused.status_code == 422
    assert "thread.template_params" in refused.text
    assert 'value="the old mill"' in refused.text
    assert re.search(r'value="municipality" checked', refused.text)


def test_a_reader_who_may_not_write_sees_no_form(client: TestClient, tokens: Tokens) -> None:
    body = {"topic": "t", "members": ["west-command"], "message": {"text": "hello"}}
    thread = client.post("/api/v1/threads", json=body, headers=tokens("relief")).json()
    for user in ("west.reviewer", "admin"):
        client.cookies.clear()
        sign_in(client, user)
        page = client.get(f"/threads/{thread['id']}")
        assert page.status_code == 200
        assert "hello" in page.text
        assert "/messages" not in page.text
