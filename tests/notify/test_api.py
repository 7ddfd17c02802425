"""The inbox and the parties' endpoints through the HTTP API: need-to-know, read marks,
languages, who may manage endpoints, coded errors for bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tansiq.core.clock import FixedClock
from tansiq.core.i18n import N_
from tansiq.notify import service
from tansiq.notify.domain import (
    BadEmailAddress,
    BadWebhookUrl,
    WebhookHostNotAllowed,
    check_email_address,
    check_webhook_url,
)
from tansiq.parties import access
from tansiq.parties.domain import PartyKind, Principal, Role
from tansiq.parties.repository import PartyRepository
from tansiq.parties.service import get_party
from tests.factories import token_for

HOSTILE = "<b>قافلة</b>'; DROP TABLE notify_events; -- {party} %s \u202e"
TITLE = N_('No party "{party}".')
BODY = N_("A party code is 2 to 40 lowercase letters, digits, '-' or '_'.")


def notify(session: Session, clock: FixedClock, code: str, value: str = "x") -> int:
    event = service.notify_party(
        session,
        party_id=get_party(session, code).id,
        kind="clearance.decision_needed",
        title=TITLE,
        body=BODY,
        params={"party": value},
        subject="application:7",
        clock=clock,
    )
    session.commit()
    return event.id


def test_the_inbox_shows_only_the_callers_party_newest_first_with_read_marks(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    first = notify(session, clock, "west-command", "first")
    second = notify(session, clock, "west-command", HOSTILE)
    east = notify(session, clock, "east-force", "secret east business")
    reviewer = token_for(session, clock, "west.reviewer")
    admin = token_for(session, clock, "west.admin")

    listed = client.get("/api/v1/inbox", headers={**reviewer, "Accept-Language": "en"})
    assert listed.status_code == 200, listed.text
    items = listed.json()
    assert [item["id"] for item in items] == [second, first]
    assert "secret east business" not in listed.text
    assert items[0]["params"] == {"party": HOSTILE}
    assert items[0]["title"] == f'No party "{HOSTILE}".'
    assert items[0]["kind"] == "clearance.decision_needed"
    assert items[0]["subject"] == "application:7"
    assert [item["read"] for item in items] == [False, False]

    marked = client.post(f"/api/v1/inbox/{second}/read", headers=reviewer)
    assert marked.status_code == 204
    assert client.post(f"/api/v1/inbox/{second}/read", headers=reviewer).status_code == 204
    mine = client.get("/api/v1/inbox", headers=reviewer).json()
    theirs = client.get("/api/v1/inbox", headers=admin).json()
    assert [item["read"] for item in mine] == [True, False]
    assert mine[0]["read_at"] is not None
    assert [item["read"] for item in theirs] == [False, False]

    paged = client.get("/api/v1/inbox", params={"before": second, "limit": 1}, headers=reviewer)
    assert [item["id"] for item in paged.json()] == [first]

    refused = client.post(f"/api/v1/inbox/{east}/read", headers=reviewer)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "notify.event_not_found"
    missing = client.post("/api/v1/inbox/99999999/read", headers=reviewer)
    assert missing.json()["error"]["code"] == "notify.event_not_found"


def test_the_inbox_speaks_the_readers_language(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    notify(session, clock, "wadi-transport", "أ")
    trader = token_for(session, clock, "trader")
    arabic = client.get("/api/v1/inbox", headers={**trader, "Accept-Language": "ar"}).json()
    english = client.get("/api/v1/inbox", params={"lang": "en"}, headers=trader).json()
    assert arabic[0]["title"] == 'لا توجد جهة "أ".'
    assert english[0]["title"] == 'No party "أ".'


@pytest.mark.parametrize(
    ("profile", "title"), [("ar", 'لا توجد جهة "أ".'), ("en", 'No party "أ".')]
)
def test_without_a_language_asked_the_inbox_speaks_the_users_profile_language(
    client: TestClient, session: Session, clock: FixedClock, profile: str, title: str
) -> None:
    notify(session, clock, "wadi-transport", "أ")
    trader = token_for(session, clock, "trader")
    user = PartyRepository(session).user_by_username("trader")
    assert user is not None
    user.locale = profile
    session.commit()
    answer = client.get("/api/v1/inbox", headers=trader)
    assert answer.status_code == 200, answer.text
    assert answer.json()[0]["title"] == title
    # The request's own choice still wins over the profile.
    other = "en" if profile == "ar" else "ar"
    asked = client.get("/api/v1/inbox", params={"lang": other}, headers=trader).json()
    assert asked[0]["title"] != title


@pytest.mark.parametrize(
    "path",
    ["/api/v1/inbox/0/read", "/api/v1/inbox/99999999999999999999/read", "/api/v1/inbox/x/read"],
)
def test_bad_event_ids_get_coded_errors(
    client: TestClient, session: Session, clock: FixedClock, path: str
) -> None:
    response = client.post(path, headers=token_for(session, clock, "trader"))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "request.invalid"


def test_the_inbox_needs_a_token(client: TestClient) -> None:
    assert client.get("/api/v1/inbox").status_code == 401


def test_party_admins_manage_webhooks_and_see_the_secret_once(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    admin = token_for(session, clock, "west.admin")
    base = "/api/v1/parties/west-command/webhooks"
    created = client.post(
        base, json={"url": " https://west.example/hooks ", "description": HOSTILE}, headers=admin
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_")
    assert hook["url"] == "https://west.example/hooks"

    listed = client.get(base, headers=admin)
    assert [h["id"] for h in listed.json()] == [hook["id"]]
    assert "secret" not in listed.text
    assert hook["secret"] not in listed.text

    assert client.delete(f"{base}/{hook['id']}", headers=admin).status_code == 204
    assert client.get(base, headers=admin).json() == []
    again = client.delete(f"{base}/{hook['id']}", headers=admin)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "notify.webhook_not_found"


@pytest.mark.parametrize(
    ("username", "status"),
    [("west.admin", 200), ("admin", 200), ("west.reviewer", 403), ("east.admin", 403)],
)
def test_only_the_partys_admins_or_the_hub_admin_manage_its_endpoints(
    client: TestClient, session: Session, clock: FixedClock, username: str, status: int
) -> None:
    headers = token_for(session, clock, username)
    for kind in ("webhooks", "email-addresses", "deliveries"):
        response = client.get(f"/api/v1/parties/west-command/{kind}", headers=headers)
        assert response.status_code == status, (kind, response.text)


def test_another_partys_endpoint_cannot_be_deleted_through_ones_own(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    west = token_for(session, clock, "west.admin")
    east = token_for(session, clock, "east.admin")
    hook = client.post(
        "/api/v1/parties/west-command/webhooks", json={"url": "https://w.example/"}, headers=west
    ).json()
    response = client.delete(f"/api/v1/parties/east-force/webhooks/{hook['id']}", headers=east)
    assert response.status_code == 404
    assert len(client.get("/api/v1/parties/west-command/webhooks", headers=west).json()) == 1


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://x.example/", "notify.bad_webhook_url"),
        ("https://", "notify.bad_webhook_url"),
        ("javascript:alert(1)", "notify.bad_webhook_url"),
        ("https://u:p@x.example/", "notify.bad_webhook_url"),
        # Longer than the schema allows: refused by the request parser before the service.
        ("x" * 3000, "request.invalid"),
    ],
)
def test_bad_webhook_urls_get_coded_errors(
    client: TestClient, session: Session, clock: FixedClock, url: str, code: str
) -> None:
    response = client.post(
        "/api/v1/parties/west-command/webhooks",
        json={"url": url},
        headers=token_for(session, clock, "west.admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_email_addresses_are_registered_once_and_can_return_after_removal(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    admin = token_for(session, clock, "trader")
    base = "/api/v1/parties/wadi-transport/email-addresses"
    created = client.post(base, json={"address": "Dispatch@Wadi.EXAMPLE"}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["address"] == "Dispatch@wadi.example"
    twice = client.post(base, json={"address": "Dispatch@wadi.example"}, headers=admin)
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "notify.email_exists"
    bad = client.post(base, json={"address": "not an address <x@y>"}, headers=admin)
    assert bad.json()["error"]["code"] == "notify.bad_email"

    address_id = created.json()["id"]
    assert client.delete(f"{base}/{address_id}", headers=admin).status_code == 204
    assert client.get(base, headers=admin).json() == []
    gone = client.delete(f"{base}/{address_id}", headers=admin)
    assert gone.json()["error"]["code"] == "notify.email_not_found"
    back = client.post(base, json={"address": "Dispatch@wadi.example"}, headers=admin)
    assert back.json()["id"] == address_id


def test_deliveries_are_listed_for_the_partys_admins(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    admin = token_for(session, clock, "west.admin")
    client.post(
        "/api/v1/parties/west-command/webhooks", json={"url": "https://w.example/"}, headers=admin
    )
    event_id = notify(session, clock, "west-command")
    [delivery] = client.get("/api/v1/parties/west-command/deliveries", headers=admin).json()
    assert delivery["event_id"] == event_id
    assert delivery["channel"] == "webhook"
    assert delivery["status"] == "pending"


def test_email_registration_is_refused_when_the_hub_sends_no_email(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    client.app.state.hub.settings = client.app.state.hub.settings.model_copy(  # type: ignore[attr-defined]
        update={"smtp_host": None}
    )
    response = client.post(
        "/api/v1/parties/wadi-transport/email-addresses",
        json={"address": "a@b.example"},
        headers={**token_for(session, clock, "trader"), "Accept-Language": "ar"},
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "notify.email_off"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://127.0.0.1:8000/", WebhookHostNotAllowed),
        ("http://localhost/", WebhookHostNotAllowed),
        ("http://[::1]/", WebhookHostNotAllowed),
        ("http://[::ffff:10.0.0.1]/", WebhookHostNotAllowed),
        ("http://169.254.169.254/latest", WebhookHostNotAllowed),
        ("https://hub.internal/", WebhookHostNotAllowed),
        ("https://example.org:0/", BadWebhookUrl),
        ("https://example.org:99999/", BadWebhookUrl),
        ("https://[broken/", BadWebhookUrl),
    ],
)
def test_webhook_urls_to_private_places_are_refused(url: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        check_webhook_url(url, allow_private=False)


def test_public_and_allowed_private_webhook_urls_pass() -> None:
    assert check_webhook_url("https://8.8.8.8/x", allow_private=False) == "https://8.8.8.8/x"
    assert check_webhook_url("http://127.0.0.1:9/", allow_private=True) == "http://127.0.0.1:9/"


@pytest.mark.parametrize("address", ["", "a@b", "a b@c.example", "a@b.example\r\nBcc: x@y.z"])
def test_bad_email_addresses(address: str) -> None:
    with pytest.raises(BadEmailAddress):
        check_email_address(address)


@pytest.mark.parametrize("kind", list(PartyKind))
def test_access_to_notification_endpoints(kind: PartyKind) -> None:
    own, other = 1, 2
    for role in Role:
        principal = Principal(
            user_id=1, username="u", party_id=own, party_kind=kind, roles=frozenset({role})
        )
        hub_admin = kind is PartyKind.HUB and role is Role.ADMIN
        assert access.can_manage_notifications(principal, own) is (role is Role.ADMIN)
        assert access.can_manage_notifications(principal, other) is hub_admin
