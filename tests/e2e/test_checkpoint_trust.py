"""The checkpoint app's trust in the hub, in Debian's Chromium: it follows the governance key
across two rollovers from the key it was enrolled with, refuses a trust list signed by a key
nobody it trusts announced (saying so, its queue kept), and witnesses the ledger — refusing
and reporting a head whose history was rewritten. And its RFC 9162 verifier against the
Python one on random trees. In English and Arabic at phone width."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tansiq.app import WORDS
from tansiq.checkpoints.messages import WITNESS_ALARM
from tansiq.checkpoints.models import WitnessReportRecord
from tansiq.core.clock import FixedClock
from tansiq.core.i18n import Locale, translate
from tansiq.ledger.domain import EntryFacts, TreeHead
from tansiq.ledger.merkle import MerkleTree, verify_consistency, verify_inclusion
from tansiq.ledger.models import LedgerEntryRecord
from tansiq.permits.keys import Ed25519Signer
from tansiq.permits.ledger_heads import sign_ledger_head
from tansiq.permits.snapshots import roll_over
from tansiq.permits.trust import TrustList, sign_trust_list
from tansiq.web.text import labels
from tests.conftest import NOW, DatabaseFactory
from tests.e2e.browsing import (
    SIZES,
    Hub,
    Visit,
    approve_application,
    bearer,
    serving_hub,
    shoot,
    submit_application,
)

HERE = "BRIDGE-W"
HERE_NAMES = {"en": "Bridge, west end", "ar": "الجسر - الطرف الغربي"}


@pytest.fixture(scope="module")
def hub(databases: DatabaseFactory) -> Iterator[Hub]:
    with serving_hub(databases, "devtrust", FixedClock(NOW)) as served:
        yield served


def _session(hub: Hub) -> Session:
    return Session(hub.context.engine, expire_on_commit=False)


def _secret(hub: Hub) -> str | None:
    return hub.context.settings.secret_key


def _meta(page: Page, key: str) -> Any:
    return page.evaluate(
        """(key) => new Promise((resolve) => {
          const open = indexedDB.open("tansiq-checkpoint", 1);
          open.onsuccess = () => {
            const get = open.result.transaction("meta").objectStore("meta").get(key);
            get.onsuccess = () => resolve(get.result ?? null);
          };
        })""",
        key,
    )


class Officer:
    """A phone with the app enrolled as a new device of BRIDGE-W, and one permit."""

    def __init__(self, hub: Hub, browser: Browser, lang: str, reference: str) -> None:
        self.hub, self.t = hub, labels(Locale(lang), WORDS)
        width, height = SIZES["phone"]
        self.context = browser.new_context(
            base_url=hub.base,
            viewport={"width": width, "height": height},
            service_workers="block",  # every request passes page.route
        )
        api = self.context.request
        self.api = api
        result = approve_application(api, submit_application(api, reference))
        self.permit_id = result["permits"][0]["id"]
        self.token = api.get(
            f"/api/v1/permits/{self.permit_id}/token", headers=bearer(api, "trader")
        ).json()["token"]
        device = api.post(
            "/api/v1/devices",
            data={"checkpoint": HERE, "name": f"phone {reference}"},
            headers=bearer(api, "west.admin"),
        )
        assert device.status == 201, device.text()
        self.context.add_cookies([{"name": "tansiq_lang", "value": lang, "url": hub.base}])
        self.page = self.context.new_page()
        self.page.clock.set_fixed_time(hub.clock.now() + timedelta(hours=2))
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.goto(f"/checkpoint#enrol={device.json()['token']}")
        self.synced()

    def synced(self) -> None:
        expect(self.page.locator("#cp-message")).to_have_text(self.t["cp_synced"])

    def sync(self) -> None:
        self.page.evaluate("document.getElementById('cp-message').textContent = ''")
        self.page.click("#cp-sync")

    def permit(self, action: str) -> None:
        answer = self.api.post(
            f"/api/v1/permits/{self.permit_id}/{action}",
            data={"reason_code": "route_closed"},
            headers=bearer(self.api, "west.reviewer"),
        )
        assert answer.status == 200, answer.text()

    def verdict(self) -> None:
        self.page.fill("#cp-code", self.token)
        self.page.click("#cp-check-form button")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_app_follows_two_rollovers_and_refuses_an_unannounced_key(
    hub: Hub, browser: Browser, lang: str
) -> None:
    officer = Officer(hub, browser, lang, f"ROLLOVER-{lang}")
    page, t = officer.page, officer.t
    pinned = _meta(page, "governance")
    for _ in range(2):
        with _session(hub) as session:
            roll_over(session, _secret(hub), hub.clock)
            session.commit()
    officer.permit("suspend")  # signed by the newest key alone
    officer.sync()
    officer.synced()
    followed = _meta(page, "governance")
    assert followed[: len(pinned)] == pinned
    assert len(followed) == len(pinned) + 2
    officer.verdict()
    expect(page.locator("#cp-verdict")).to_have_attribute("data-status", "suspended")

    # Someone posing as the hub: its own "announcement" and a trust list it signs.
    forger = Ed25519Signer(Ed25519PrivateKey.generate())

    def forged(route: Route) -> None:
        answer = route.fetch().json()
        fake = sign_trust_list(TrustList(10_000, hub.clock.now(), []), forger)
        answer["governance_chain"].append(base64.b64encode(fake).decode())
        answer["trust_list"] = base64.b64encode(fake).decode()
        route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))

    before = _meta(page, "trust")
    page.route("**/api/v1/sync/pull*", forged)
    page.click("#cp-next")
    page.fill("#cp-code", "TQ1:not-a-permit")
    page.click("#cp-check-form button")
    page.select_option("#cp-refusal-reason", "other")
    page.fill("#cp-note", "forged hub")
    page.click("#cp-refusal-form button")  # queued, then a sync at once
    # The key's name keeps its own direction inside an Arabic sentence (an isolate).
    said = t["cp_governance_key_unknown"].replace("{kid}", f"\u2068{forger.kid.hex()}\u2069")
    expect(page.locator("#cp-message")).to_have_text(said)
    expect(page.locator("#cp-queue")).to_have_text(
        "1" if lang == "en" else page.evaluate("new Intl.NumberFormat('ar').format(1)")
    )
    assert _meta(page, "trust") == before
    shoot(page, "checkpoint-key-unannounced", lang, "phone")

    page.unroute("**/api/v1/sync/pull*")
    officer.sync()
    officer.synced()
    expect(page.locator("#cp-queue")).to_have_text(
        "0" if lang == "en" else page.evaluate("new Intl.NumberFormat('ar').format(0)")
    )
    assert officer.errors == [], officer.errors
    officer.context.close()


def _rewrite_entry(hub: Hub, seq: int) -> None:
    """An operator with the database rewrites an entry (its leaf recomputed so the rows agree)
    and signs a head over the rewritten tree."""
    with _session(hub) as session:
        entry = session.scalars(select(LedgerEntryRecord).where(LedgerEntryRecord.seq == seq)).one()
        facts = EntryFacts(
            kind=entry.kind,
            subject=(entry.subject + ":x")[-120:],
            recorded_at=entry.recorded_at,
            digest=entry.digest,
        )
        session.execute(
            update(LedgerEntryRecord)
            .where(LedgerEntryRecord.id == entry.id)
            .values(subject=facts.subject, leaf=facts.leaf())
        )
        session.commit()


def _head(hub: Hub) -> int:
    with _session(hub) as session:
        size = sign_ledger_head(session, _secret(hub), hub.clock).size
        session.commit()
    return size


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_app_refuses_a_rewritten_ledger_and_says_so(
    hub: Hub, browser: Browser, lang: str
) -> None:
    _head(hub)
    officer = Officer(hub, browser, lang, f"WITNESS-{lang}")
    page, t = officer.page, officer.t
    held = _meta(page, "ledgerHead")
    assert held is not None

    officer.permit("suspend")
    grown = _head(hub)
    officer.sync()
    officer.synced()
    assert _meta(page, "ledgerHead")["size"] == grown > held["size"]
    expect(page.locator("#cp-witness")).to_be_hidden()

    _rewrite_entry(hub, 2)
    officer.permit("reinstate")
    rewritten = _head(hub)
    with _session(hub) as session:
        reports_before = len(session.scalars(select(WitnessReportRecord)).all())
    officer.sync()
    warning = page.locator("#cp-witness")
    expect(warning).to_be_visible()
    opening = t["cp_witness_inconsistent"].split("{")[0]
    expect(warning).to_contain_text(opening)
    expect(page.locator("#cp-message")).to_have_text(t["cp_synced_with_warning"])
    assert _meta(page, "ledgerHead")["size"] == grown  # the rewritten head was refused
    with _session(hub) as session:
        reports = session.scalars(select(WitnessReportRecord)).all()
    assert len(reports) == reports_before + 1
    assert (reports[-1].code, reports[-1].held_size, reports[-1].seen_size) == (
        "witness.inconsistent",
        grown,
        rewritten,
    )
    shoot(page, "checkpoint-ledger-rewritten", lang, "phone")
    # The warning stays through a reload: it lives with the device's data.
    page.reload()
    page.wait_for_selector("#officer[data-ready=true]")
    expect(page.locator("#cp-witness")).to_contain_text(opening)
    assert officer.errors == [], officer.errors
    officer.context.close()

    # The municipality reads it in its inbox, in its language.
    visit = Visit(browser, hub.base, lang)
    visit.sign_in("municipality")
    visit.page.goto("/inbox")
    # The checkpoint by its name in the reader's script (Bridge, west end; الجسر - الطرف الغربي).
    name = HERE_NAMES[lang]
    title = translate(WITNESS_ALARM.title, Locale(lang), checkpoint=name)
    expect(visit.page.locator("main")).to_contain_text(title)
    shoot(visit.page, "inbox-witness-alarm", lang, "phone")
    visit.close()


def test_the_js_rfc9162_verifier_agrees_with_the_python_one(hub: Hub, browser: Browser) -> None:
    """Random trees: every consistency and inclusion proof the hub's tree gives is accepted by
    the app's verifier, and a proof with one byte changed, a wrong root or a wrong size is
    refused by both; the canonical head the app checks signatures over is the hub's."""
    rng = random.Random(9162)
    cases: list[dict[str, Any]] = []
    inclusions: list[dict[str, Any]] = []
    for _ in range(60):
        size = rng.randint(1, 300)
        leaves = [rng.randbytes(32) for _ in range(size)]
        tree = MerkleTree(leaves)
        old = rng.randint(0, size)
        path = tree.consistency_proof(old, size)
        roots = (tree.root(old), tree.root(size))
        variants = [(old, size, roots[0], roots[1], path)]
        if path:
            bad = [bytearray(p) for p in path]
            bad[rng.randrange(len(bad))][rng.randrange(32)] ^= 1
            variants.append((old, size, roots[0], roots[1], [bytes(p) for p in bad]))
            variants.append((old, size, roots[0], roots[1], path[:-1]))
        variants.append((old, size, roots[1] if old != size else bytes(32), roots[1], path))
        if old > 1:
            variants.append((old - 1, size, roots[0], roots[1], path))
        for a, b, ra, rb, p in variants:
            cases.append(
                {
                    "old": a,
                    "new": b,
                    "oldRoot": ra.hex(),
                    "newRoot": rb.hex(),
                    "path": [x.hex() for x in p],
                    "python": verify_consistency(a, b, ra, rb, p),
                }
            )
        index = rng.randrange(size)
        proof = tree.inclusion_proof(index, size)
        leaf = leaves[index]
        for i, lf in ((index, leaf), ((index + 1) % size, leaf)):
            inclusions.append(
                {
                    "index": i,
                    "size": size,
                    "leaf": lf.hex(),
                    "path": [x.hex() for x in proof],
                    "root": tree.root().hex(),
                    "python": verify_inclusion(i, size, lf, proof, tree.root()),
                }
            )
    heads = []
    for _ in range(20):
        head = TreeHead(
            size=rng.randint(0, 2**40),
            root=rng.randbytes(32),
            signed_at=NOW + timedelta(milliseconds=rng.randint(0, 10**12)),
        )
        millis = round(head.signed_at.timestamp() * 1000)
        heads.append(
            {"size": head.size, "root": head.root.hex(), "ms": millis, "hex": head.encoded().hex()}
        )
    assert any(c["python"] for c in cases)
    assert any(not c["python"] for c in cases)
    context = browser.new_context(base_url=hub.base)
    page = context.new_page()
    page.goto("/checkpoint")
    page.wait_for_selector("#officer[data-ready=true]")
    answers = page.evaluate(
        """async ([cases, inclusions, heads]) => {
          const w = await import("/assets/checkpoint/witness.js");
          const { hex } = await import("/assets/checkpoint/keys.js");
          const consistency = [];
          for (const c of cases) {
            consistency.push(await w.verifyConsistency(c.old, c.new, w.fromHex(c.oldRoot),
              w.fromHex(c.newRoot), c.path.map(w.fromHex)));
          }
          const inclusion = [];
          for (const c of inclusions) {
            inclusion.push(await w.verifyInclusion(c.index, c.size, w.fromHex(c.leaf),
              c.path.map(w.fromHex), w.fromHex(c.root)));
          }
          const encoded = heads.map((h) => hex(w.headBytes(h.size, w.fromHex(h.root), h.ms)));
          return { consistency, inclusion, encoded };
        }""",
        [cases, inclusions, heads],
    )
    assert answers["consistency"] == [c["python"] for c in cases]
    assert answers["inclusion"] == [c["python"] for c in inclusions]
    assert answers["encoded"] == [h["hex"] for h in heads]
    context.close()
