"""Signed permits end to end over HTTP: issue, QR image, offline verify from what the API
serves, revoke, sync the revocation, verify again; the printed page; outside signatures and
keys; and who may suspend, reinstate or revoke."""

from __future__ import annotations

import base64
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from tansiq.core.clock import FixedClock
from tansiq.permits.keys import ALG_EDDSA, load_public_key
from tansiq.permits.trust import load_revocations, load_trust_list
from tansiq.verifier.image import read_qr_text
from tansiq.verifier.verify import VerdictStatus, verify
from tests.clearances.conftest import ROADS, Tokens, application_body, decide, review_of, submit


def approved(client: TestClient, tokens: Tokens, clock: FixedClock) -> Any:
    application = submit(client, tokens("trader"), application_body(clock))
    decide(
        client,
        tokens("west.reviewer"),
        review_of(application, "west-command"),
        decision="approve_with_conditions",
        conditions=[{"kind": "daylight_only"}],
    )
    return decide(
        client, tokens("east.reviewer"), review_of(application, "east-force"), decision="approve"
    ).json()


def offline_data(client: TestClient, since: int = 0) -> tuple[Any, Any]:
    keys = [
        load_public_key(ALG_EDDSA, base64.b64decode(k))
        for k in client.get("/api/v1/governance-keys").json()
    ]
    trust = load_trust_list(client.get("/api/v1/trust-list").content, keys)
    revocations = load_revocations(
        client.get("/api/v1/revocations", params={"since": since}).content, keys
    )
    return trust, revocations


def test_issue_qr_verify_revoke_verify(
    client: TestClient, tokens: Tokens, clock: FixedClock, tmp_path: Path
) -> None:
    permit = approved(client, tokens, clock)["permits"][0]
    trader = tokens("trader")
    token = client.get(f"/api/v1/permits/{permit['id']}/token", headers=trader).json()
    assert token["complete"] is True
    assert token["required"] == token["signatures"] == 2
    png = client.get(f"/api/v1/permits/{permit['id']}/qr.png", headers=trader)
    assert png.headers["content-type"] == "image/png"
    (tmp_path / "qr.png").write_bytes(png.content)
    text = read_qr_text(tmp_path / "qr.png")
    assert text == token["token"]

    trust, revocations = offline_data(client)
    at = clock.now() + timedelta(hours=2)
    verdict = verify(
        text,
        trust=trust,
        revocations=revocations,
        at=at,
        checkpoint="BRIDGE-W",
        data_as_of=clock.now(),
    )
    assert verdict.status is VerdictStatus.VALID, verdict
    assert verdict.claims is not None
    assert verdict.claims.checkpoints == ("W-GATE", "BRIDGE-W", "BRIDGE-E", "E-GATE")
    assert "0123" not in text  # the ID number never travels
    off = verify(
        text,
        trust=trust,
        revocations=revocations,
        at=at,
        checkpoint="W-NORTH",
        data_as_of=clock.now(),
    )
    assert off.status is VerdictStatus.OFF_ROUTE

    revoked = client.post(
        f"/api/v1/permits/{permit['id']}/revoke",
        headers=tokens("east.reviewer"),
        json={"reason_code": "security_concern", "note": "Seal broken"},
    )
    assert revoked.status_code == 200
    trust, revocations = offline_data(client)
    again = verify(text, trust=trust, revocations=revocations, at=at, data_as_of=clock.now())
    assert again.status is VerdictStatus.REVOKED


def test_printable_permit_in_both_languages(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    permit = approved(client, tokens, clock)["permits"][0]
    page = client.get(f"/api/v1/permits/{permit['id']}/print?lang=ar", headers=tokens("trader"))
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert "تصريح" in page.text
    assert "Movement permit" in page.text
    assert "<svg" in page.text
    assert "سمير الحلبي" in page.text
    assert "0123456789" not in page.text
    hidden = client.get(f"/api/v1/permits/{permit['id']}/print", headers=tokens("relief"))
    assert hidden.status_code == 404


def test_an_authority_signing_outside_the_hub(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    registered = client.post(
        "/api/v1/authorities/east-force/keys",
        headers=tokens("east.admin"),
        json={"alg": ALG_EDDSA, "public_key": base64.b64encode(public).decode()},
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["held_by_hub"] is False

    permit = approved(client, tokens, clock)["permits"][0]
    url = f"/api/v1/permits/{permit['id']}"
    pending = client.get(f"{url}/token", headers=tokens("trader")).json()
    assert pending["complete"] is False
    assert (pending["signatures"], pending["required"]) == (1, 2)

    request = client.get(f"{url}/signing-request", headers=tokens("east.reviewer")).json()
    wrong = client.post(
        f"{url}/signatures",
        headers=tokens("east.reviewer"),
        json={"signature": base64.b64encode(b"x" * 64).decode()},
    )
    assert wrong.json()["error"]["code"] == "permit.bad_signature", wrong.text
    signature = private.sign(base64.b64decode(request["to_be_signed"]))
    done = client.post(
        f"{url}/signatures",
        headers=tokens("east.reviewer"),
        json={"signature": base64.b64encode(signature).decode()},
    )
    assert done.json()["complete"] is True

    trust, revocations = offline_data(client)
    verdict = verify(
        done.json()["token"],
        trust=trust,
        revocations=revocations,
        at=clock.now() + timedelta(hours=2),
        data_as_of=clock.now(),
    )
    assert verdict.status is VerdictStatus.VALID, verdict


def test_rotation_keeps_old_signatures_valid(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    permit = approved(client, tokens, clock)["permits"][0]
    text = client.get(f"/api/v1/permits/{permit['id']}/token", headers=tokens("trader")).json()[
        "token"
    ]
    clock.advance(timedelta(minutes=5))
    rotated = client.post(
        "/api/v1/authorities/west-command/keys/rotation", headers=tokens("west.admin")
    )
    assert rotated.status_code == 201
    keys = client.get("/api/v1/authorities/west-command/keys", headers=tokens("west.admin"))
    assert sorted(k["status"] for k in keys.json()) == ["active", "retired"]
    trust, revocations = offline_data(client)
    verdict = verify(
        text,
        trust=trust,
        revocations=revocations,
        at=clock.now() + timedelta(hours=1),
        data_as_of=clock.now(),
    )
    assert verdict.status is VerdictStatus.VALID, verdict


def test_a_compromised_key_stops_everything_it_signed(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    permit = approved(client, tokens, clock)["permits"][0]
    text = client.get(f"/api/v1/permits/{permit['id']}/token", headers=tokens("trader")).json()[
        "token"
    ]
    keys = client.get("/api/v1/authorities/west-command/keys", headers=tokens("west.admin"))
    kid = keys.json()[0]["kid"]
    wrong = client.post(
        f"/api/v1/authorities/west-command/keys/{kid}/retirement",
        headers=tokens("east.admin"),
        json={"compromised": True},
    )
    assert wrong.status_code == 403
    done = client.post(
        f"/api/v1/authorities/west-command/keys/{kid}/retirement",
        headers=tokens("west.admin"),
        json={"compromised": True},
    )
    assert done.json()["status"] == "compromised"
    trust, revocations = offline_data(client)
    verdict = verify(
        text,
        trust=trust,
        revocations=revocations,
        at=clock.now() + timedelta(hours=2),
        data_as_of=clock.now(),
    )
    assert verdict.status is not VerdictStatus.VALID


def test_only_the_authoritys_own_admins_manage_its_keys(client: TestClient, tokens: Tokens) -> None:
    for user in ("admin", "east.admin", "west.reviewer"):
        response = client.post(
            "/api/v1/authorities/west-command/keys/rotation", headers=tokens(user)
        )
        assert response.status_code == 403, user


def test_one_es256_key_cannot_stand_for_two_authorities(client: TestClient, tokens: Tokens) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    forms = [
        key.public_bytes(serialization.Encoding.X962, form)
        for form in (
            serialization.PublicFormat.UncompressedPoint,
            serialization.PublicFormat.CompressedPoint,
        )
    ]
    first = client.post(
        "/api/v1/authorities/west-command/keys",
        headers=tokens("west.admin"),
        json={"alg": -7, "public_key": base64.b64encode(forms[0]).decode()},
    )
    second = client.post(
        "/api/v1/authorities/east-force/keys",
        headers=tokens("east.admin"),
        json={"alg": -7, "public_key": base64.b64encode(forms[1]).decode()},
    )
    assert first.status_code == 201
    assert second.status_code == 422


def test_revocation_and_suspension_by_a_signing_authority(
    client: TestClient, tokens: Tokens, clock: FixedClock
) -> None:
    application = submit(
        client, tokens("trader"), application_body(clock, route=ROADS["west-road"])
    )
    result = decide(
        client, tokens("west.reviewer"), review_of(application, "west-command"), decision="approve"
    ).json()
    permit = result["permits"][0]
    url = f"/api/v1/permits/{permit['id']}"

    # An authority that never reviewed it does not even learn the permit exists.
    not_signer = client.post(
        f"{url}/revoke",
        headers=tokens("east.reviewer"),
        json={"reason_code": "security_concern", "note": "x"},
    )
    assert not_signer.status_code == 404
    applicant = client.post(
        f"{url}/revoke", headers=tokens("trader"), json={"reason_code": "other", "note": "x"}
    )
    assert applicant.status_code == 403
    suspended = client.post(
        f"{url}/suspend",
        headers=tokens("west.reviewer"),
        json={"reason_code": "route_closed", "note": "Flooding"},
    )
    assert suspended.json()["status"] == "suspended"
    reinstated = client.post(
        f"{url}/reinstate",
        headers=tokens("west.admin"),
        json={"reason_code": "other", "note": "Road reopened"},
    )
    assert reinstated.json()["status"] == "active"
    revoked = client.post(
        f"{url}/revoke",
        headers=tokens("west.reviewer"),
        json={"reason_code": "cargo_mismatch", "note": "Seal broken"},
    )
    assert revoked.json()["status"] == "revoked"
    assert revoked.json()["status_reason_code"] == "cargo_mismatch"
    twice = client.post(
        f"{url}/revoke", headers=tokens("west.reviewer"), json={"reason_code": "cargo_mismatch"}
    )
    assert twice.json()["error"]["code"] == "permit.wrong_state"

    inbox = client.get("/api/v1/inbox", headers=tokens("trader")).json()
    kinds = [item["kind"] for item in inbox]
    assert "permit.revoked" in kinds
    assert "permit.issued" in kinds
