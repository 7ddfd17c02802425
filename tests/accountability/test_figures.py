"""The figures equal a count by hand: on the dashboard, in the API and in the CSV file."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.accountability.conftest import PERIOD, Scenario
from tests.clearances.conftest import Tokens
from tests.web.pages import sign_in

HOUR = 3600.0

# Counted by hand from the scenario's story (tests/accountability/conftest.py).
WEST = {
    "received": 4,  # A, B, C, D
    "decided": 3,  # C refused, A and B approved
    "approved": 2,
    "refused": 1,
    "overdue": 1,  # D
    "appealed": 0,
    "revoked": 1,  # B's permit
}
EAST = {
    "received": 2,  # A, D
    "decided": 2,  # A refused, then refused again on appeal
    "approved": 0,
    "refused": 2,
    "overdue": 1,  # D
    "appealed": 1,  # upheld
    "revoked": 0,
}
TOTALS = {key: WEST[key] + EAST[key] for key in WEST}
# Times to decision, tallied as each decision is taken: West 0:30, 1:00, 2:00; East 3:00 (its
# first refusal) and 2:00 (the appeal, opened at T0+4:00, decided at T0+6:00). Each on an edge
# of a time bucket, so the reported "within" times are exact.
WEST_TIMES = (1 * HOUR, 2 * HOUR)  # median: 2nd of 3; 90th percentile: 3rd of 3
EAST_TIMES = (2 * HOUR, 3 * HOUR)  # 1st and 2nd of 2
TOTAL_TIMES = (2 * HOUR, 3 * HOUR)  # of 0:30, 1:00, 2:00, 2:00, 3:00: the 3rd and the 5th
CHECKPOINTS = {
    "W-GATE": {"passages": 2, "refusals": 0, "overrides": 0, "contradictions": 0, "clones": 0},
    "W-SOUTH": {"passages": 0, "refusals": 1, "overrides": 0, "contradictions": 1, "clones": 0},
    "E-GATE": {"passages": 1, "refusals": 1, "overrides": 1, "contradictions": 0, "clones": 1},
}
CHECKPOINT_TOTALS = {"passages": 3, "refusals": 2, "overrides": 1, "contradictions": 1, "clones": 1}


def figures(client: TestClient, headers: dict[str, str], query: str = PERIOD) -> Any:
    response = client.get(f"/api/v1/figures?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def counts(row: dict[str, Any], keys: Any) -> dict[str, int]:
    return {key: row[key] for key in keys}


def test_the_api_equals_the_count_by_hand(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    found = figures(client, tokens("municipality"))
    rows = {row["authority"]: row for row in found["authorities"]}
    assert counts(rows["west-command"], WEST) == WEST
    assert counts(rows["east-force"], EAST) == EAST
    assert counts(found["totals"], TOTALS) == TOTALS
    assert found["totals"]["authority"] is None
    west, east, totals = rows["west-command"], rows["east-force"], found["totals"]
    assert (west["median_seconds"], west["p90_seconds"]) == pytest.approx(WEST_TIMES)
    assert (east["median_seconds"], east["p90_seconds"]) == pytest.approx(EAST_TIMES)
    assert (totals["median_seconds"], totals["p90_seconds"]) == pytest.approx(TOTAL_TIMES)
    assert (west["timed_decisions"], east["timed_decisions"], totals["timed_decisions"]) == (
        3,
        2,
        5,
    )
    assert west["refused_by_reason"] == [{"reason": "incomplete_documents", "count": 1}]
    assert east["refused_by_reason"] == [{"reason": "route_closed", "count": 2}]
    assert east["appeals_by_outcome"] == [{"reason": "upheld", "count": 1}]
    assert west["revoked_by_reason"] == [{"reason": "cargo_mismatch", "count": 1}]
    places = {row["checkpoint"]: row for row in found["checkpoints"]}
    for code, expected in CHECKPOINTS.items():
        assert counts(places[code], expected) == expected, code
    assert counts(found["checkpoint_totals"], CHECKPOINT_TOTALS) == CHECKPOINT_TOTALS
    assert places["W-SOUTH"]["refusals_by_reason"] == [{"reason": "cargo_mismatch", "count": 1}]
    assert places["E-GATE"]["overrides_by_reason"] == [{"reason": "supervisor_order", "count": 1}]
    assert places["E-GATE"]["authority"] == "east-force"


def test_a_period_without_the_events_counts_nothing(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    found = figures(client, tokens("admin"), "from=2026-10-01&to=2026-11-24")
    assert all(value == 0 for key, value in found["totals"].items() if key in TOTALS)
    assert found["totals"]["median_seconds"] is None
    assert found["checkpoint_totals"]["passages"] == 0
    # The overdue flags came on the second day only.
    second_day = figures(client, tokens("admin"), "from=2026-11-26&to=2026-11-26")
    assert (second_day["totals"]["overdue"], second_day["totals"]["received"]) == (2, 0)


def cases(client: TestClient, headers: dict[str, str], path: str) -> list[dict[str, Any]]:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()["cases"]
    return listed


def test_each_figure_links_to_its_cases(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    admin = tokens("admin")
    found = figures(client, admin)
    rows = {row["authority"]: row for row in found["authorities"]}
    for code, expected in (("west-command", WEST), ("east-force", EAST)):
        for figure, count in expected.items():
            listed = cases(client, admin, rows[code]["cases"][figure])
            assert len(listed) == count, (code, figure)
    refused = cases(client, admin, rows["west-command"]["cases"]["refused"])
    assert [(c["application"], c["reason"]) for c in refused] == [
        (scenario.c, "incomplete_documents")
    ]
    assert {
        c["application"] for c in cases(client, admin, rows["west-command"]["cases"]["received"])
    } == {
        scenario.a,
        scenario.b,
        scenario.c,
        scenario.d,
    }
    places = {row["checkpoint"]: row for row in found["checkpoints"]}
    for code, expected in CHECKPOINTS.items():
        for figure, count in expected.items():
            assert len(cases(client, admin, places[code]["cases"][figure])) == count, (code, figure)
    (clone,) = cases(client, admin, places["E-GATE"]["cases"]["clones"])
    assert (clone["permit"], clone["checkpoint"]) == ("P-000042", "E-GATE")
    by_reason = cases(
        client, admin, f"/api/v1/figures/cases?figure=appealed&reason=upheld&{PERIOD}"
    )
    assert [c["application"] for c in by_reason] == [scenario.a]
    assert cases(client, admin, f"/api/v1/figures/cases?figure=appealed&reason=open&{PERIOD}") == []


def test_the_csv_equals_the_count_by_hand(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    response = client.get(f"/api/v1/figures/csv?{PERIOD}", headers=tokens("admin"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    shown = {
        (row["scope"], row["code"], row["figure"]): row["value"]
        for row in table
        if not row["reason"]
    }
    for code, expected in (("west-command", WEST), ("east-force", EAST), ("", TOTALS)):
        scope = "authority" if code else "all_authorities"
        for figure, count in expected.items():
            assert shown[(scope, code, figure)] == str(count), (code, figure)
    assert shown[("authority", "west-command", "median_hours")] == "1.0"
    assert shown[("all_authorities", "", "p90_hours")] == "3.0"
    for code, expected in CHECKPOINTS.items():
        for figure, count in expected.items():
            assert shown[("checkpoint", code, figure)] == str(count), (code, figure)
    reasons = {
        (row["code"], row["figure"], row["reason"]): row["value"] for row in table if row["reason"]
    }
    assert reasons[("east-force", "refused", "route_closed")] == "2"
    assert reasons[("E-GATE", "overrides", "supervisor_order")] == "1"


def test_the_csv_speaks_arabic_and_guards_against_formulas(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    response = client.get(f"/api/v1/figures/csv?{PERIOD}&lang=ar", headers=tokens("admin"))
    text = response.content.decode("utf-8-sig")
    assert "القيادة الغربية" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


LINK = re.compile(r'<a href="(/figures/cases\?[^"]+)">([^<]+)</a>')


def dashboard_links(html: str) -> dict[str, str]:
    return {href.replace("&amp;", "&"): text for href, text in LINK.findall(html)}


def test_the_dashboard_equals_the_count_by_hand(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    sign_in(client, "municipality")
    page = client.get(f"/figures?{PERIOD}")
    assert page.status_code == 200, page.text
    links = dashboard_links(page.text)
    for code, expected in (("west-command", WEST), ("east-force", EAST)):
        for figure, count in expected.items():
            href = f"/figures/cases?figure={figure}&{PERIOD}&authority={code}"
            assert links[href] == str(count), href
    for figure, count in TOTALS.items():
        assert links[f"/figures/cases?figure={figure}&{PERIOD}"] == str(count), figure
    for code, expected in CHECKPOINTS.items():
        for figure, count in expected.items():
            href = f"/figures/cases?figure={figure}&{PERIOD}&checkpoint={code}"
            assert links[href] == str(count), href
    assert '<svg class="chart"' in page.text
    assert 'role="img"' in page.text
    drill = client.get(f"/figures/cases?figure=refused&{PERIOD}&authority=east-force")
    assert drill.status_code == 200
    assert drill.text.count(f'href="/applications/{scenario.a}"') == 2


def test_the_dashboard_in_arabic_is_right_to_left(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    sign_in(client, "admin", lang="ar")
    page = client.get(f"/figures?{PERIOD}")
    assert page.status_code == 200, page.text
    assert 'dir="rtl"' in page.text
    assert "القيادة الغربية" in page.text
    # Mirrored: the charts run right to left, names from the right edge.
    assert 'direction="rtl"' in page.text
    assert 'direction="ltr"' not in page.text
    csv_file = client.get(f"/figures.csv?{PERIOD}")
    assert csv_file.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv_file.headers["content-disposition"]
