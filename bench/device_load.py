"""A checkpoint device's load of its revocation data: every signed delta since the hub began,
against one signed snapshot and the few deltas after it.

The device re-verifies what it holds each time it loads it (each scan of the CLI device, each
start of the app). A hub signs a delta at least hourly (the heartbeat), so a year is some 9,000
deltas. Built here with one governance key: ``--deltas`` deltas (one in ten revokes a permit,
the rest are heartbeats), folded into a snapshot, plus ``--after`` deltas after it. Both files
are loaded with ``load_revocations`` as the device does, interleaved, and must answer alike.

The same two files are then loaded by the app's own ``loadRevocations`` (web/assets/checkpoint,
WebCrypto) in Debian's Chromium, as the app does at every start; served on 127.0.0.1 only.

Prints ``result: load_deltas_ms``, ``result: load_snapshot_ms`` (medians), ``result:
snapshot_speedup``, and the same three with ``browser_`` in front.
"""

from __future__ import annotations

import argparse
import base64
import functools
import hashlib
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from importlib import resources

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import sync_playwright

import report
from browser_verify import CHROMIUM, QuietHandler
from tansiq.permits.keys import Ed25519Signer, raw_public_key
from tansiq.permits.trust import (
    RevocationDelta,
    RevocationEntry,
    RevocationState,
    RevocationStatus,
    load_revocations,
    revocations_file,
    sign_revocation_delta,
    sign_revocation_snapshot,
)

START = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)


def deltas(count: int, first: int, signer: Ed25519Signer) -> list[RevocationDelta]:
    made = []
    for seq in range(first, first + count):
        at = START + timedelta(hours=seq)
        entries: tuple[RevocationEntry, ...] = ()
        if seq % 10 == 0:
            status = RevocationStatus.REVOKED if seq % 20 == 0 else RevocationStatus.SUSPENDED
            entries = (RevocationEntry(f"P-{seq // 10:06d}", None, status, "route_closed", at),)
        made.append(RevocationDelta(seq=seq, issued_at=at, entries=entries))
    return made


BROWSER = """async ([gov, every, compact, rounds]) => {
  const t = await import("/checkpoint/trust.js");
  const { fromBase64 } = await import("/checkpoint/keys.js");
  const keys = await t.governanceKeys(gov.map(fromBase64));
  const files = [every, compact].map((items) => items.map(fromBase64));
  const times = [[], []];
  let seqs = [];
  for (let r = 0; r < rounds; r++) {
    for (const i of [0, 1]) {
      const start = performance.now();
      const state = await t.loadRevocations(files[i], keys);
      times[i].push(performance.now() - start);
      seqs[i] = [state.seq, state.asOf];
    }
  }
  return { times, seqs };
}"""


def _b64(items: list[bytes]) -> list[str]:
    return [base64.b64encode(item).decode() for item in items]


def in_browser(
    key: bytes, every: list[bytes], compact: list[bytes], rounds: int
) -> tuple[list[float], list[float]]:
    """Median-ready load times (ms) of both files by the app's own script in Chromium."""
    static = resources.files("tansiq") / "web" / "assets"
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(static))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/tansiq.css")
            answer = page.evaluate(
                BROWSER, [[base64.b64encode(key).decode()], _b64(every), _b64(compact), rounds]
            )
            browser.close()
    finally:
        server.shutdown()
    if answer["seqs"][0] != answer["seqs"][1]:
        raise SystemExit("in the browser, the snapshot does not reach where the deltas do")
    return answer["times"][0], answer["times"][1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deltas", type=int, default=9_000, help="deltas before the snapshot")
    parser.add_argument("--after", type=int, default=24, help="deltas after the snapshot")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="leave docs/performance.md")
    args = parser.parse_args(argv)
    machine = report.start()
    out = report.Tee()
    signer = Ed25519Signer(Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"gov").digest()))
    keys = [signer.private_key.public_key()]
    early = deltas(args.deltas, 1, signer)
    late = deltas(args.after, args.deltas + 1, signer)
    signed_early = [sign_revocation_delta(d, signer) for d in early]
    signed_late = [sign_revocation_delta(d, signer) for d in late]
    folded = RevocationState()
    for delta in early:
        folded.apply(delta)
    snapshot = sign_revocation_snapshot(folded.snapshot(), signer)
    every = revocations_file(signed_early + signed_late)
    compact = revocations_file([snapshot, *signed_late])

    full: list[float] = []
    short: list[float] = []
    clock = time.perf_counter
    for _ in range(args.rounds):
        start = clock()
        a = load_revocations(every, keys)
        full.append(clock() - start)
        start = clock()
        b = load_revocations(compact, keys)
        short.append(clock() - start)
    probes = [(f"P-{n:06d}", 1) for n in range(1, (args.deltas + args.after) // 10 + 2)]
    if (a.seq, a.as_of) != (b.seq, b.as_of) or any(
        a.status_of(*p) != b.status_of(*p) for p in probes
    ):
        raise SystemExit("the snapshot does not answer as the deltas do")
    out(f"{'file':<34}{'items':>8}{'bytes':>11}{'median ms':>11}")
    out(
        f"{'every delta':<34}{len(signed_early) + len(signed_late):>8}{len(every):>11}"
        f"{statistics.median(full) * 1e3:>11.1f}"
    )
    out(
        f"{'snapshot + deltas after it':<34}{1 + len(signed_late):>8}{len(compact):>11}"
        f"{statistics.median(short) * 1e3:>11.1f}"
    )
    out(
        f"revoked or suspended permits folded: {len(folded.snapshot().entries)}; rounds: "
        f"{args.rounds}"
    )
    web_full, web_short = in_browser(
        raw_public_key(keys[0]), signed_early + signed_late, [snapshot, *signed_late], args.rounds
    )
    out(
        f"browser (Chromium, WebCrypto): every delta {statistics.median(web_full):.1f} ms, "
        f"snapshot + deltas after it {statistics.median(web_short):.1f} ms"
    )
    machine.finish()
    out(f"result: load_deltas_ms = {statistics.median(full) * 1e3:.1f}")
    out(f"result: load_snapshot_ms = {statistics.median(short) * 1e3:.1f}")
    out(f"result: snapshot_speedup = {statistics.median(full) / statistics.median(short):.0f}")
    out(f"result: browser_load_deltas_ms = {statistics.median(web_full):.1f}")
    out(f"result: browser_load_snapshot_ms = {statistics.median(web_short):.1f}")
    out(
        "result: browser_snapshot_speedup = "
        f"{statistics.median(web_full) / statistics.median(web_short):.0f}"
    )
    if not args.no_write:
        report.write_section("device_load", "Device load: deltas or snapshot", machine, out.lines)


if __name__ == "__main__":
    main()
