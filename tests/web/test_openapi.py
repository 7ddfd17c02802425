"""The published contract: every operation documents its error statuses with the real error
body, the security schemes, the sync event's fields; 405 and a bad Content-Length are coded."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Tokens

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_every_error_status_is_documented_with_the_real_error_body(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert set(schemas["ErrorOut"]["required"]) == {"error"}
    assert {"code", "message"} <= set(schemas["ErrorBodyOut"]["required"])
    for method, path, operation in operations(document):
        errors = {s: r for s, r in operation["responses"].items() if s.startswith(("4", "5"))}
        assert "503" in errors, (method, path)
        for status, response in errors.items():
            assert response["content"]["application/json"]["schema"] == ERROR_REF, (path, status)


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("get", "/api/v1/me", {"401", "403", "503"}),
        ("post", "/api/v1/parties", {"400", "401", "403", "404", "409", "413", "422", "503"}),
        ("get", "/api/v1/parties/{code}", {"401", "403", "404", "422", "503"}),
        ("post", "/api/v1/auth/tokens", {"400", "401", "404", "409", "413", "422", "429", "503"}),
        ("get", "/api/v1/ledger/head", {"404", "503"}),  # none signed yet
        ("get", "/api/v1/reason-codes", {"503"}),
    ],
)
def test_statuses_follow_from_what_an_operation_takes(
    document: dict[str, Any], method: str, path: str, statuses: set[str]
) -> None:
    documented = {s for s in document["paths"][path][method]["responses"] if s[0] in "45"}
    assert documented == statuses


def test_authenticated_operations_name_their_security_scheme(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert schemes["device"]["in"] == "header"
    paths = document["paths"]
    assert paths["/api/v1/me"]["get"]["security"] == [{"bearer": []}]
    assert paths["/api/v1/sync/events"]["post"]["security"] == [{"device": []}]
    assert paths["/api/v1/sync/pull"]["get"]["security"] == [{"device": []}]
    assert "security" not in paths["/api/v1/trust-list"]["get"]
    # The token is the scheme's, not an undocumented header parameter.
    for _, _, operation in operations(document):
        names = {p["name"].lower() for p in operation.get("parameters", [])}
        assert "authorization" not in names


def test_the_sync_event_schema_has_its_fields(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/v1/sync/events"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ScanBatchIn"
    }
    schemas = document["components"]["schemas"]
    items = schemas["ScanBatchIn"]["properties"]["events"]["items"]
    assert items == {"$ref": "#/components/schemas/ScanEventIn"}
    event = schemas["ScanEventIn"]
    assert {"id", "scanned_at", "permit", "version", "verdict", "action"} <= set(event["required"])
    assert "field" in schemas["RejectedEventOut"]["properties"]


def test_a_method_not_allowed_is_coded_and_says_what_is(client: TestClient) -> None:
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "request.method_not_allowed"
    assert response.headers["Allow"] == "GET"


def test_a_405_allows_every_method_of_every_route_on_the_path(client: TestClient) -> None:
    """/api/v1/applications is two routes (the list and the submission): Allow names both."""
    response = client.delete("/api/v1/applications")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert client.put("/login").headers["Allow"] == "GET, POST"


def test_a_malformed_content_length_is_a_coded_400(client: TestClient, tokens: Tokens) -> None:
    response = client.post(
        "/api/v1/parties",
        content=b"{}",
        headers={**tokens("admin"), "Content-Type": "application/json", "Content-Length": "1x"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "request.bad_content_length"
    arabic = client.post(
        "/api/v1/auth/tokens?lang=ar",
        content=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": "-3"},
    )
    assert arabic.status_code == 400
    assert arabic.headers["Content-Language"] == "ar"
    assert arabic.json()["error"]["message"] != response.json()["error"]["message"]
