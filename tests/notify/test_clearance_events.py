"""A clearance's events reach the trader's own systems: a real webhook receiver and a real
SMTP server, both on 127.0.0.1, fed by the job runner — and never the driver's ID number."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient

from tansiq.cli.worker import build_runner
from tansiq.context import HubContext
from tansiq.core.clock import FixedClock
from tests.clearances.conftest import Tokens, application_body, decide, review_of, submit
from tests.notify.conftest import Receiver, SmtpServer


def test_permit_issued_reaches_the_traders_webhook_and_mailbox(
    client: TestClient,
    hub: HubContext,
    tokens: Tokens,
    clock: FixedClock,
    receiver: Receiver,
    smtp: SmtpServer,
) -> None:
    trader = tokens("trader")
    hook = client.post(
        "/api/v1/parties/wadi-transport/webhooks",
        headers=trader,
        json={"url": receiver.url, "description": "dispatch system"},
    )
    assert hook.status_code == 201, hook.text
    receiver.secrets.append(hook.json()["secret"])
    mail = client.post(
        "/api/v1/parties/wadi-transport/email-addresses",
        headers=trader,
        json={"address": "dispatch@wadi.example"},
    )
    assert mail.status_code == 201, mail.text

    application = submit(client, trader, application_body(clock))
    for authority, reviewer in (("west-command", "west.reviewer"), ("east-force", "east.reviewer")):
        decide(client, tokens(reviewer), review_of(application, authority), decision="approve")
    hub.settings = hub.settings.model_copy(update={"smtp_port": smtp.port})
    clock.advance(timedelta(seconds=1))
    build_runner(hub).run_due(hub.sessions, clock, limit=500)

    kinds = [json.loads(body)["kind"] for body in receiver.accepted.values()]
    assert "permit.issued" in kinds
    assert kinds.count("application.approved_by") == 2
    assert all(request.signature_ok for request in receiver.requests)
    bodies = b"".join(receiver.accepted.values())
    assert b"0123456789" not in bodies
    assert b"0123-456-789" not in bodies
    subjects = [str(message["Subject"]) for message in smtp.mailbox.messages]
    assert any("P-" in subject for subject in subjects), subjects
