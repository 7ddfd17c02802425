"""A fresh demo town has something to show: its two closures are in the public Atom feed, the
advisories list."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tansiq.context import HubContext
from tansiq.db.unit_of_work import unit_of_work
from tansiq.demo.incidents import load_demo_incidents
from tests.conftest import Tokens
from tests.incidents.conftest import get
from tests.incidents.test_cap_api import ATOM, feed_entries


def test_the_demo_publishes_a_road_closure_and_a_checkpoint_closure(
    client: TestClient, hub: HubContext, tokens: Tokens
) -> None:
    assert feed_entries(client) == []
    with unit_of_work(hub.sessions) as session:
        recorded = load_demo_incidents(session, hub.settings, hub.clock)
    assert [reference[:4] for reference in recorded] == ["INC-", "ADV-", "ADV-", "ADV-"]

    titles = sorted(entry.findtext(f"{ATOM}title", "") for entry in feed_entries(client))
    assert len(titles) == 2
    assert titles[0].startswith("Checkpoint closed")
    assert "Quarry Road" in titles[0]
    assert titles[1].startswith("Road closed")
    current = get(client, "/api/v1/advisories?current=true", tokens("trader"))
    assert sorted((a["kind"], a["public"]) for a in current) == [
        ("area_unsafe", False),
        ("checkpoint_closed", True),
        ("road_closed", True),
    ]
    [closure] = [a for a in current if a["kind"] == "checkpoint_closed"]
    assert closure["checkpoint"] == "E-QUARRY"
