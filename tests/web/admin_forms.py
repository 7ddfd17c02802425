"""Posting the administrator's forms in tests: post from a page with its CSRF token, expect a
coded refusal with nothing stored, count rows, read the session cookie."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.web.pages import csrf_of

HOSTILE = "<script>alert(1)</script>'; DROP TABLE parties; -- قوة"


def post(client: TestClient, page: str, action: str, data: dict[str, Any]) -> Any:
    form = client.get(page)
    assert form.status_code == 200, form.text
    return client.post(action, data={"csrf": csrf_of(form.text), **data}, follow_redirects=False)


def session_data(client: TestClient) -> dict[str, Any]:
    """What the signed session cookie holds (it is signed, not encrypted)."""
    cookie = client.cookies.get("tansiq_session") or ""
    secret = client.app.state.hub.settings.secret_key  # type: ignore[attr-defined]
    data: dict[str, Any] = URLSafeTimedSerializer(secret, salt="tansiq-session").loads(cookie)
    return data


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def coded(
    client: TestClient,
    page: str,
    data: dict[str, Any],
    *,
    status: int,
    code: str,
    action: str | None = None,
) -> Any:
    """Post ``data`` from ``page``'s form (to ``action``, by default the page itself): answered
    with ``status`` and the coded error ``code``."""
    response = post(client, page, action or page, data)
    assert response.status_code == status, response.text
    assert f'data-code="{code}"' in response.text
    return response


def refused(
    client: TestClient,
    session: Session,
    model: Any,
    page: str,
    data: dict[str, Any],
    *,
    status: int,
    code: str,
) -> Any:
    """``coded``, and no ``model`` row stored."""
    before = count(session, model)
    response = coded(client, page, data, status=status, code=code)
    assert count(session, model) == before
    return response
