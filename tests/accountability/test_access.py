"""Who sees which figures, and which cases behind them; bad requests get coded errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.accountability.conftest import PERIOD, Scenario
from tests.clearances.conftest import Tokens
from tests.web.pages import sign_in


@pytest.mark.parametrize(
    ("user", "authorities", "checkpoints"),
    [
        ("admin", {"west-command", "east-force"}, 8),
        ("municipality", {"west-command", "east-force"}, 8),
        ("east.reviewer", {"east-force"}, 4),
        ("west.officer", {"west-command"}, 4),
    ],
)
def test_an_authority_sees_its_own_rows_and_the_totals(
    client: TestClient,
    tokens: Tokens,
    scenario: Scenario,
    user: str,
    authorities: set[str],
    checkpoints: int,
) -> None:
    response = client.get(f"/api/v1/figures?{PERIOD}", headers=tokens(user))
    assert response.status_code == 200, response.text
    found = response.json()
    assert {row["authority"] for row in found["authorities"]} == authorities
    assert len(found["checkpoints"]) == checkpoints
    # The totals are over every authority, whoever reads them.
    assert found["totals"]["received"] == 6
    assert found["checkpoint_totals"]["passages"] == 3


@pytest.mark.parametrize("user", ["trader", "relief"])
def test_traders_and_organisations_see_no_figures(
    client: TestClient, tokens: Tokens, scenario: Scenario, user: str
) -> None:
    for path in ("/api/v1/figures", "/api/v1/figures/csv", "/api/v1/figures/cases?figure=received"):
        response = client.get(path, headers=tokens(user))
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "auth.forbidden"
    sign_in(client, user)
    assert client.get("/figures").status_code == 403
    assert 'href="/figures"' not in client.get("/home").text


def test_an_authority_may_not_ask_for_another(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    response = client.get(
        f"/api/v1/figures?authority=west-command&{PERIOD}", headers=tokens("east.reviewer")
    )
    assert response.status_code == 403
    listed = client.get(
        "/api/v1/figures/cases?figure=received&authority=west-command", headers=tokens("east.admin")
    )
    assert listed.status_code == 403


def test_the_cases_are_only_those_the_reader_may_see(
    client: TestClient, tokens: Tokens, scenario: Scenario
) -> None:
    def listed(user: str, query: str) -> set[int]:
        response = client.get(f"/api/v1/figures/cases?{query}&{PERIOD}", headers=tokens(user))
        assert response.status_code == 200, response.text
        return {case["application"] for case in response.json()["cases"]}

    everything = {scenario.a, scenario.b, scenario.c, scenario.d}
    assert listed("admin", "figure=received&authority=west-command") == everything
    # The municipality counts all four, but may open only those appealed, overdue or that it
    # was told about (B: West's own checkpoint refused the permit West signed).
    assert listed("municipality", "figure=received&authority=west-command") == {
        scenario.a,
        scenario.b,
        scenario.d,
    }
    # East sees the cases of its own authority only, whatever it asks for.
    assert listed("east.reviewer", "figure=received") == {scenario.a, scenario.d}

    # The scans: an authority those at its checkpoints; the municipality the flagged ones.
    def scans(user: str, query: str) -> int:
        response = client.get(f"/api/v1/figures/cases?{query}&{PERIOD}", headers=tokens(user))
        assert response.status_code == 200, response.text
        return len(response.json()["cases"])

    assert scans("east.reviewer", "figure=passages") == 1
    assert scans("west.officer", "figure=passages") == 2
    assert scans("municipality", "figure=passages") == 1  # the suspected clone
    assert scans("municipality", "figure=contradictions") == 1


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-11-30&to=2026-11-01", 422, "figures.bad_period"),
        ("from=2020-01-01&to=2026-11-01", 422, "figures.period_too_long"),
        ("from=30-11-2026", 422, "request.invalid"),
        ("authority=nobody", 404, "figures.unknown_authority"),
        ("authority=wadi-transport", 404, "figures.unknown_authority"),
    ],
)
def test_a_bad_period_or_authority_is_a_coded_error(
    client: TestClient, tokens: Tokens, query: str, status: int, code: str
) -> None:
    response = client.get(f"/api/v1/figures?{query}", headers=tokens("admin"))
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    arabic = client.get(f"/api/v1/figures?{query}&lang=ar", headers=tokens("admin"))
    assert arabic.json()["error"]["message"] != response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("figure=nonsense", "request.invalid"),
        ("figure=refused&reason=upheld", "figures.unknown_reason"),
        ("figure=passages&reason=route_closed", "figures.unknown_reason"),
        ("figure=overdue&reason=route_closed", "figures.unknown_reason"),
    ],
)
def test_a_bad_figure_or_reason_is_a_coded_error(
    client: TestClient, tokens: Tokens, query: str, code: str
) -> None:
    response = client.get(f"/api/v1/figures/cases?{query}", headers=tokens("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


def test_the_pages_show_bad_input_as_a_coded_error_page(client: TestClient) -> None:
    sign_in(client, "municipality")
    for path in (
        "/figures?from=yesterday",
        "/figures?from=2026-11-30&to=2026-11-01",
        "/figures/cases?figure=nonsense",
    ):
        page = client.get(path)
        assert page.status_code == 422, path
        assert "figures." in page.text
    assert 'href="/figures"' in client.get("/home").text


@pytest.mark.parametrize(
    "query", ["to=0001-01-01", "from=9999-12-31", "from=1999-12-31&to=2000-01-02"]
)
def test_days_no_hub_can_have_are_refused(client: TestClient, tokens: Tokens, query: str) -> None:
    response = client.get(f"/api/v1/figures?{query}", headers=tokens("admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "figures.day_out_of_range"
