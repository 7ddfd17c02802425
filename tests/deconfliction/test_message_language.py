"""Deconfliction's inbox messages in one language each (issue 11 item 12): the zones,
checkpoints and parties a notice names are written in the reader's script, and a concern in
the reader's words, whoever filed or answered in whichever language."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.conftest import Tokens
from tests.deconfliction.conftest import movement, post
from tests.deconfliction.test_journey import run_jobs

LATIN = re.compile(r"[A-Za-z]{3,}")


def inbox(client: TestClient, headers: dict[str, str], lang: str, kind: str) -> Any:
    answer = client.get("/api/v1/inbox", headers={**headers, "Accept-Language": lang})
    assert answer.status_code == 200, answer.text
    return next(e for e in answer.json() if e["kind"] == kind)


def words(text: str) -> list[str]:
    """The Latin words of ``text`` other than references (M-12) and times' digits."""
    return LATIN.findall(re.sub(r"\b[A-Z]{1,3}-\d+\b", "", text))


def test_every_deconfliction_notice_reads_in_one_language(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    relief, west = tokens("relief"), tokens("west.liaison")
    filed = post(client, "/movements", relief, movement(clock, emergency=True))
    reached = inbox(client, west, "ar", "deconfliction.notified")
    assert words(reached["title"] + reached["body"]) == []
    assert "البوابة الغربية" in reached["body"]  # West Gate, in the reader's script
    english = inbox(client, west, "en", "deconfliction.notified")
    assert "West Gate" in english["body"]
    assert "البوابة" not in english["body"]

    post(
        client,
        f"/notifications/{filed['id']}/acknowledgement",
        west,
        {"version": 1, "answer": "received_with_concern", "concern": "timing", "note": "ملاحظة"},
    )
    concern = inbox(client, relief, "ar", "deconfliction.concern")
    assert words(concern["title"] + concern["body"]) == []
    assert "timing" not in concern["body"]
    assert "القيادة الغربية" in concern["title"]
    assert (
        "clashes with our own activity"
        in inbox(client, relief, "en", "deconfliction.concern")["body"]
    )

    clock.advance(timedelta(minutes=30))
    run_jobs(hub, clock)
    flagged = inbox(client, relief, "ar", "deconfliction.unacknowledged")
    assert words(flagged["title"] + flagged["body"]) == []
