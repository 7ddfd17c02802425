"""Parties, users and tokens through the HTTP API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.demo.service import DEMO_PASSWORD
from tests.factories import token_for


def sign_in(client: TestClient, username: str, password: str = DEMO_PASSWORD) -> Any:
    return client.post(
        "/api/v1/auth/tokens", json={"username": username, "password": password, "name": "cli"}
    )


def test_sign_in_returns_a_token_that_works(client: TestClient) -> None:
    response = sign_in(client, "West.Reviewer")
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    assert token.startswith("tq_")

    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["user"]["username"] == "west.reviewer"
    assert me["user"]["roles"] == ["reviewer"]
    assert me["party"]["code"] == "west-command"
    assert me["party"]["name"]["ar"] == "القيادة الغربية"


@pytest.mark.parametrize(
    ("username", "password"), [("trader", "wrong-password"), ("nobody", DEMO_PASSWORD)]
)
def test_wrong_credentials_are_refused_alike(
    client: TestClient, username: str, password: str
) -> None:
    response = sign_in(client, username, password)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth.bad_credentials"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("", "auth.required"),
        ("Bearer", "auth.required"),
        ("Bearer tq_forged", "auth.bad_token"),
        ("Basic dXNlcjpwYXNz", "auth.required"),
        ("Bearer " + "x" * 5000, "auth.bad_token"),
    ],
)
def test_missing_or_forged_tokens_are_refused(client: TestClient, header: str, code: str) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code


def test_revoked_and_expired_tokens_stop_working(client: TestClient, clock: FixedClock) -> None:
    issued = sign_in(client, "trader").json()
    headers = {"Authorization": f"Bearer {issued['token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200

    assert client.delete(f"/api/v1/auth/tokens/{issued['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).json()["error"]["code"] == "auth.bad_token"

    other = sign_in(client, "trader").json()
    clock.advance(timedelta(days=91))
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {other['token']}"})
    assert response.json()["error"]["code"] == "auth.bad_token"


def test_nobody_revokes_another_partys_token(client: TestClient) -> None:
    victim = sign_in(client, "trader").json()
    attacker = {"Authorization": f"Bearer {sign_in(client, 'east.admin').json()['token']}"}
    response = client.delete(f"/api/v1/auth/tokens/{victim['id']}", headers=attacker)
    assert response.status_code == 403


def test_hub_admin_creates_parties_with_bilingual_names(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    admin = token_for(session, clock, "admin")
    body = {
        "code": "foreign-troops",
        "kind": "authority",
        "name_ar": "القوات الأجنبية",
        "name_en": "Foreign Troops",
    }

    created = client.post("/api/v1/parties", json=body, headers=admin)
    again = client.post("/api/v1/parties", json=body, headers=admin)

    assert created.status_code == 201, created.text
    assert created.json()["name"] == {"ar": "القوات الأجنبية", "en": "Foreign Troops"}
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "party.exists"
    listed = client.get("/api/v1/parties", params={"kind": "authority"}, headers=admin).json()
    assert [p["code"] for p in listed] == ["east-force", "foreign-troops", "west-command"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": "Bad Code!", "kind": "trader", "name_en": "x"}, "party.bad_code"),
        ({"code": "ok-code", "kind": "trader", "name_en": " ", "name_ar": "\x00"}, "name.required"),
        ({"code": "ok-code", "kind": "warlord", "name_en": "x"}, "request.invalid"),
        ({"code": "ok-code", "kind": "trader", "name_en": "x" * 201}, "request.invalid"),
    ],
)
def test_bad_parties_get_coded_errors(
    client: TestClient, session: Session, clock: FixedClock, body: dict[str, str], code: str
) -> None:
    response = client.post("/api/v1/parties", json=body, headers=token_for(session, clock, "admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code


def test_only_the_hub_creates_parties(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    response = client.post(
        "/api/v1/parties",
        json={"code": "x-party", "kind": "trader", "name_en": "x"},
        headers=token_for(session, clock, "west.admin"),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "auth.forbidden"


def test_party_admin_creates_users_with_roles_their_kind_allows(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    west = token_for(session, clock, "west.admin")
    user = {
        "username": "west.reviewer2",
        "display_name": "مراجع ثانٍ",
        "password": "long-enough-pw",
        "roles": ["reviewer", "checkpoint_officer"],
        "locale": "ar",
    }

    created = client.post("/api/v1/parties/west-command/users", json=user, headers=west)
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["checkpoint_officer", "reviewer"]
    assert sign_in(client, "west.reviewer2", "long-enough-pw").status_code == 201

    applicant = {**user, "username": "west.trader", "roles": ["applicant"]}
    refused = client.post("/api/v1/parties/west-command/users", json=applicant, headers=west)
    assert refused.json()["error"]["code"] == "party.role_not_allowed"

    elsewhere = client.post(
        "/api/v1/parties/east-force/users", json={**user, "username": "spy"}, headers=west
    )
    assert elsewhere.status_code == 403

    weak = client.post(
        "/api/v1/parties/west-command/users",
        json={**user, "username": "weak.user", "password": "short"},
        headers=west,
    )
    assert weak.json()["error"]["code"] == "user.weak_password"

    taken = client.post("/api/v1/parties/west-command/users", json=user, headers=west)
    assert taken.status_code == 409


def test_members_see_their_own_partys_users_only(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    trader = token_for(session, clock, "trader")
    own = client.get("/api/v1/parties/wadi-transport/users", headers=trader)
    other = client.get("/api/v1/parties/west-command/users", headers=trader)
    assert [u["username"] for u in own.json()] == ["trader"]
    assert other.status_code == 403
    assert "password" not in own.text


def test_errors_are_never_500_for_unknown_paths_and_methods(client: TestClient) -> None:
    missing = client.get("/api/v1/nowhere", headers={"Accept-Language": "ar"})
    wrong = client.put("/api/v1/me")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "غير موجود."
    assert missing.headers["content-language"] == "ar"
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "request.method_not_allowed"


def test_security_headers_and_offline_docs(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert docs.headers["x-content-type-options"] == "nosniff"
    health = client.get("/health").json()
    assert health["status"] == "ok"
