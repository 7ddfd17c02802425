"""A new authority's signing key exists from its creation (made by the job worker within its
interval), so trust lists fetched before its first permit already hold it."""

from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tansiq.permits.keys import ALG_EDDSA, load_public_key
from tansiq.permits.trust import load_trust_list
from tests.conftest import Tokens


def authorities_in_trust_list(client: TestClient) -> set[str]:
    keys = [
        load_public_key(ALG_EDDSA, base64.b64decode(k))
        for k in client.get("/api/v1/governance-keys").json()
    ]
    trust = load_trust_list(client.get("/api/v1/trust-list").content, keys)
    return {entry.authority for entry in trust.entries}


def test_a_new_authority_is_in_the_trust_list_before_its_first_permit(
    client: TestClient, tokens: Tokens, hub: HubContext, clock: FixedClock
) -> None:
    created = client.post(
        "/api/v1/parties",
        json={"code": "river-police", "kind": "authority", "name_ar": "شرطة النهر"},
        headers=tokens("admin"),
    )
    assert created.status_code == 201, created.text
    before = authorities_in_trust_list(client)

    ran = build_runner(hub).run_due(hub.sessions, clock)

    assert "river-police" not in before
    assert ran >= 1
    assert "river-police" in authorities_in_trust_list(client)


def test_a_trader_gets_no_signing_key(
    client: TestClient, tokens: Tokens, hub: HubContext, clock: FixedClock
) -> None:
    created = client.post(
        "/api/v1/parties",
        json={"code": "bridge-traders", "kind": "trader", "name_en": "Bridge Traders"},
        headers=tokens("admin"),
    )
    assert created.status_code == 201, created.text

    build_runner(hub).run_due(hub.sessions, clock)

    assert "bridge-traders" not in authorities_in_trust_list(client)
