"""The deconfliction figures (issue 14): how each party answered the notifications that
reached it, counted by hand from a story told through the API, on the dashboard, the API, the
CSV file and the cases behind each figure; and the migration's back-fill makes the same
tallies from the same records."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.tallies.models import TallyRecord
from tests.conftest import Tokens
from tests.deconfliction.conftest import movement, post
from tests.deconfliction.test_journey import run_jobs
from tests.web.pages import sign_in

PERIOD = "from=2026-11-25&to=2026-11-26"
LIAISON = ("notified", "acknowledged", "ack_time", "unacknowledged")
MIGRATION = (
    Path(__file__).resolve().parents[2] / "src/tansiq/migrations/versions/0020_liaison_figures.py"
)


def story(client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock) -> int:
    """An emergency movement reaches West and East; West answers with a concern after ten
    minutes, East never does and is escalated at the thirty-minute deadline."""
    filed = post(client, "/movements", tokens("relief"), movement(clock, emergency=True))
    clock.advance(timedelta(minutes=10))
    post(
        client,
        f"/notifications/{filed['id']}/acknowledgement",
        tokens("west.liaison"),
        {"version": 1, "answer": "received_with_concern", "concern": "timing", "note": "x"},
    )
    clock.advance(timedelta(minutes=20))
    run_jobs(hub, clock)
    return int(filed["id"])


def figures(client: TestClient, headers: dict[str, str]) -> Any:
    response = client.get(f"/api/v1/figures?{PERIOD}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def cases(client: TestClient, headers: dict[str, str], query: str) -> Any:
    response = client.get(f"/api/v1/figures/cases?{PERIOD}&{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["cases"]


def test_each_party_answering_is_counted_by_hand(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    number = story(client, hub, tokens, clock)
    found = figures(client, tokens("municipality"))
    rows = {row["party"]: row for row in found["parties"]}
    assert set(rows) == {"west-command", "east-force"}
    west, east = rows["west-command"], rows["east-force"]
    assert (west["notified"], west["acknowledged"], west["unacknowledged"]) == (1, 1, 0)
    assert west["acknowledged_by_answer"] == [{"reason": "timing", "count": 1}]
    assert (west["median_seconds"], west["p90_seconds"]) == (600.0, 600.0)  # a bucket's edge
    assert (east["notified"], east["acknowledged"], east["unacknowledged"]) == (1, 0, 1)
    assert east["median_seconds"] is None
    totals = found["party_totals"]
    assert (totals["notified"], totals["acknowledged"], totals["unacknowledged"]) == (2, 1, 1)
    assert totals["timed_answers"] == 1

    # An authority sees its own row and the totals over all.
    own = figures(client, tokens("west.liaison"))
    assert [row["party"] for row in own["parties"]] == ["west-command"]
    assert own["party_totals"]["notified"] == 2

    # The cases: the hub's operator sees the notification behind each figure.
    shown = cases(client, tokens("admin"), "figure=unacknowledged")
    assert [(c["reference"], c["authority"], c["notification"]) for c in shown] == [
        (f"M-{number}", "east-force", number)
    ]
    assert shown[0]["url"] == f"/api/v1/deconfliction/notifications/{number}"
    answered = cases(client, tokens("admin"), "figure=acknowledged&reason=timing")
    assert [c["reason"] for c in answered] == ["timing"]
    assert cases(client, tokens("admin"), "figure=acknowledged&reason=received") == []
    # A party reached sees the cases of the notifications that reached it.
    assert len(cases(client, tokens("east.admin"), "figure=notified")) == 1
    # The municipality, reached by nothing, sees the counts only.
    assert cases(client, tokens("municipality"), "figure=notified") == []
    # An authority may not open another party's cases.
    other = client.get(
        f"/api/v1/figures/cases?{PERIOD}&figure=notified&authority=east-force",
        headers=tokens("west.liaison"),
    )
    assert other.status_code == 403
    unknown = client.get(
        f"/api/v1/figures/cases?{PERIOD}&figure=notified&authority=nobody",
        headers=tokens("admin"),
    )
    assert unknown.status_code in (400, 404, 422)
    assert "error" in unknown.json()


def test_dashboard_csv_and_cases_page_show_them_in_both_languages(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock
) -> None:
    number = story(client, hub, tokens, clock)
    sign_in(client, "admin", "ar")
    page = client.get(f"/figures?{PERIOD}")
    assert page.status_code == 200
    assert 'id="by-party"' in page.text
    assert "figure=unacknowledged" in page.text
    sign_in(client, "admin", "en")
    page = client.get(f"/figures?{PERIOD}")
    assert "Unacknowledged at the deadline" in page.text
    assert "Half acknowledged within" in page.text
    listed = client.get(f"/figures/cases?{PERIOD}&figure=unacknowledged")
    assert listed.status_code == 200
    assert f'href="/deconfliction/{number}"' in listed.text
    sheet = client.get(f"/figures.csv?{PERIOD}").content.decode("utf-8-sig")
    assert ",party,east-force," in sheet
    assert ",all_parties,,All parties,unacknowledged," in sheet


def test_the_back_fill_makes_the_tallies_the_services_made(
    client: TestClient, hub: HubContext, tokens: Tokens, clock: FixedClock, session: Session
) -> None:
    story(client, hub, tokens, clock)

    def liaison_tallies() -> set[tuple[object, ...]]:
        rows = session.scalars(select(TallyRecord).where(TallyRecord.figure.in_(LIAISON)))
        return {(r.span, r.day, r.figure, r.party_id, r.reason, r.bucket, r.count) for r in rows}

    made = liaison_tallies()
    assert {row[2] for row in made} == set(LIAISON)
    session.execute(delete(TallyRecord).where(TallyRecord.figure.in_(LIAISON)))
    spec = importlib.util.spec_from_file_location("liaison_figures_migration", MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    migration._back_fill(session.connection())
    session.expire_all()
    assert liaison_tallies() == made
