"""A browser that reaches a bad address gets the error as a page in its language (coded, with
the site's headers); API clients keep getting the coded JSON body."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PAGE = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/no-such-page", 404, "not_found"),
        ("/applications/abc", 422, "request.invalid"),
        ("/applications/99999999999", 422, "request.invalid"),
        ("/permits/%3Cscript%3E/print", 422, "request.invalid"),
    ],
)
def test_a_browser_gets_a_coded_error_page(
    client: TestClient, path: str, status: int, code: str
) -> None:
    client.cookies.set("tansiq_lang", "ar")
    response = client.get(path, headers=PAGE)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="ar" dir="rtl">' in response.text
    assert f'data-code="{code}"' in response.text
    assert "<script>" not in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_api_clients_keep_the_json_error(client: TestClient) -> None:
    for path in ("/api/v1/applications/abc", "/no-such-page"):
        response = client.get(path, headers={"accept": "application/json"})
        assert response.headers["content-type"] == "application/json"
        assert "code" in response.json()["error"]
    html_asking = client.get("/api/v1/no-such-thing", headers=PAGE)
    assert html_asking.headers["content-type"] == "application/json"


def test_a_page_form_too_large_is_refused_with_a_page(client: TestClient) -> None:
    limit = client.app.state.hub.settings.max_body_bytes  # type: ignore[attr-defined]
    response = client.post(
        "/login",
        content=b"username=" + b"a" * (limit + 1),
        headers={**PAGE, "content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert 'data-code="request.too_large"' in response.text
