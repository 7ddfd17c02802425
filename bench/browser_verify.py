"""The checkpoint app's verify in the browser, against the three bare WebCrypto Ed25519 checks
it contains: DESIGN §5's bar for offline verify, measured where officers run it.

The same 3-signature permit as bench/verify.py. The app's own scripts (web/assets/checkpoint)
are served on 127.0.0.1 and run in Debian's Chromium (headless). In one page, interleaved so
frequency drift hits both alike:

* full: ``verify(text, ...)`` from the token text (Base45, the browser's inflate, strict CBOR,
  claims, trust lookups, three WebCrypto signature checks, revocation, time and data age), with
  the trust list and revocations loaded once, as the app keeps them;
* bare: three ``crypto.subtle.verify`` calls on the same signatures and signed bytes, with the
  keys already imported.

Prints a table, then ``result: browser_verify_ratio = <full median / bare median>`` (bar <= 2)
and ``result: browser_verifies_per_s``. Stops by itself; listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import functools
import shutil
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from playwright.sync_api import sync_playwright

import report
from tansiq.permits.keys import raw_public_key
from tansiq.permits.token import decode
from tansiq.permits.trust import (
    RevocationDelta,
    sign_revocation_delta,
    sign_trust_list,
)
from verify import AUTHORITIES, NOW, permit, signer, trust_list

ROUNDS = 2_000
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

MEASURE = """async ([gov, trust, deltas, text, checks, rounds, at]) => {
  const BLOCK = 20;
  const v = await import("/checkpoint/verify.js");
  const keys = await v.governanceKeys(gov.map(v.fromBase64));
  const list = await v.loadTrustList(v.fromBase64(trust), keys);
  const state = await v.loadRevocations(deltas.map(v.fromBase64), keys);
  const options = {trust: list, revocations: state, at, dataAsOf: state.asOf,
                   maxDataAge: 24 * 3600e3};
  const first = await v.verify(text, options);
  if (first.status !== "valid") return {error: first.status + " " + first.reason};
  const bare = [];
  for (const c of checks) {
    const key = await crypto.subtle.importKey(
      "raw", v.fromBase64(c.key), {name: "Ed25519"}, false, ["verify"]);
    bare.push([key, v.fromBase64(c.signature), v.fromBase64(c.data)]);
  }
  // Blocks of BLOCK rounds: the browser's timer is coarse (0.1 ms), a block is not.
  const full = [], three = [];
  for (let b = 0; b < rounds / BLOCK; b++) {
    let start = performance.now();
    for (let i = 0; i < BLOCK; i++) await v.verify(text, options);
    full.push((performance.now() - start) / BLOCK);
    start = performance.now();
    for (let i = 0; i < BLOCK; i++) {
      for (const [key, signature, data] of bare) {
        if (!await crypto.subtle.verify({name: "Ed25519"}, key, signature, data)) {
          return {error: "bare signature did not verify"};
        }
      }
    }
    three.push((performance.now() - start) / BLOCK);
  }
  return {full, three};
}"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No request log: the figures are the output."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    machine = report.start()
    machine.versions["chromium"] = chromium_version()
    out = report.Tee()  # prints, and keeps the lines for docs/performance.md
    signers = [signer(name) for name in AUTHORITIES]
    governance = signer("governance")
    text = permit(signers)
    trust = sign_trust_list(trust_list(signers), governance)
    delta = sign_revocation_delta(RevocationDelta(seq=1, issued_at=NOW), governance)
    decoded = decode(text)
    checks = [
        {
            "key": _b64(raw_public_key(s.private_key.public_key())),
            "signature": _b64(sig.signature),
            "data": _b64(decoded.to_be_signed(sig)),
        }
        for s, sig in zip(signers, decoded.signatures, strict=True)
    ]
    static = resources.files("tansiq") / "web" / "assets"
    handler = functools.partial(QuietHandler, directory=str(static))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/tansiq.css")
            answer: dict[str, Any] = page.evaluate(
                MEASURE,
                [
                    [_b64(raw_public_key(governance.private_key.public_key()))],
                    _b64(trust),
                    [_b64(delta)],
                    text,
                    checks,
                    ROUNDS,
                    int(NOW.timestamp() * 1000),
                ],
            )
            browser.close()
    finally:
        server.shutdown()
    if "error" in answer:
        raise SystemExit(f"the benchmark permit does not verify in the browser: {answer['error']}")
    full, three = answer["full"], answer["three"]
    out(f"{'what (browser)':<28}{'median ms':>11}{'p90 ms':>9}{'p99 ms':>9}")
    for name, samples in (("full verify from text", full), ("3 bare WebCrypto verifies", three)):
        out(
            f"{name:<28}{_quantile(samples, 0.5):>11.3f}"
            f"{_quantile(samples, 0.9):>9.3f}{_quantile(samples, 0.99):>9.3f}"
        )
    out(f"rounds: {ROUNDS}, timed in blocks of 20 (the browser's timer is coarsened)")
    ratio = _quantile(full, 0.5) / max(_quantile(three, 0.5), 1e-9)
    machine.finish()
    out(f"result: browser_verify_ratio = {ratio:.2f}")
    out(f"result: browser_verifies_per_s = {1000 / _quantile(full, 0.5):.0f}")
    if "--no-write" not in sys.argv:
        report.write_section("browser_verify", "Offline verify (browser)", machine, out.lines)


def chromium_version() -> str:
    try:
        found = subprocess.run(  # noqa: S603 - the browser the bench drives
            [CHROMIUM, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return "absent"
    return found.stdout.strip().split()[-1] if found.stdout.strip() else "unknown"


if __name__ == "__main__":
    main()
