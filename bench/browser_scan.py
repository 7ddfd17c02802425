"""Camera frame to verdict in the checkpoint app, in Debian's Chromium with the CPU slowed 4x
(CDP ``Emulation.setCPUThrottlingRate``, on the page and on its decoder worker), as on a cheap
phone: issue 11, item 6.

The frame is photo-like: a two-signer permit's QR code on a sheet of paper in a cluttered
1280x720 picture, rotated, blurred, noisy and JPEG-compressed. The app's own modules
(web/assets/checkpoint: scan.js picks the decoder, verify.js the verdict) run on a page served
on 127.0.0.1 as the hub serves them (the decoder worker with its own Content-Security-Policy).
Each round: the frame (an already decoded picture, as a video frame is) goes through the
decoder the app picks on this browser (BarcodeDetector where it reads QR codes, else zxing-cpp
as WebAssembly in a worker), then the full offline verify of the text read. For comparison,
the app's old path (jsQR on the main thread at 960 px) on the same frame.

Prints a table, then ``result: scan_to_verdict_ms = <median>`` (target <= 150). Stops by
itself; listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import io
import json
import math
import random
import statistics
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

import segno
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import CDPSession, Page, sync_playwright

import report
from browser_verify import CHROMIUM, chromium_version
from tansiq.checkpoints.pages import SCAN_WORKER_CSP
from tansiq.permits.keys import raw_public_key
from tansiq.permits.trust import RevocationDelta, sign_revocation_delta, sign_trust_list
from tansiq.web.view import content_security_policy
from verify import AUTHORITIES, NOW, permit, signer, trust_list

ROUNDS = 40
WARMUP = 3
THROTTLE = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--rate=")), "4"))
SIZE = (1280, 720)
ASSETS = resources.files("tansiq") / "web" / "assets"
TYPES = {".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css"}

MEASURE = """async ([gov, trust, deltas, frame, rounds, warmup, at]) => {
  const v = await import("/assets/checkpoint/verify.js");
  const { makeDecoder } = await import("/assets/checkpoint/scan.js");
  const { READER_OPTIONS } = await import("/assets/checkpoint/scan-options.js");
  const zxing = await import("/assets/vendor/zxing-wasm/reader.js");
  const keys = await v.governanceKeys(gov.map(v.fromBase64));
  const list = await v.loadTrustList(v.fromBase64(trust), keys);
  const state = await v.loadRevocations(deltas.map(v.fromBase64), keys);
  const options = {trust: list, revocations: state, at, dataAsOf: state.asOf,
                   maxDataAge: 24 * 3600e3, checkpoint: "CP-BRIDGE"};
  const image = new Image();
  image.src = frame;
  await image.decode();
  const timed = async (decode) => {
    const times = [];
    let status = null;
    for (let i = 0; i < rounds + warmup; i++) {
      const start = performance.now();
      const text = await decode();
      if (!text) return {error: `frame ${i}: no QR code read`};
      status = (await v.verify(text, options)).status;
      const took = performance.now() - start;
      if (i >= warmup) times.push(took);
    }
    return {times, status};
  };

  // 1. The app as it runs: the decoder scan.js picks (here: zxing-cpp in its worker).
  let made = performance.now();
  const decoder = await makeDecoder();
  const appReady = performance.now() - made;
  const app = await timed(() => decoder.decode(image));

  // 2. The same steps as the worker's (scale, read the pixels, zxing-cpp with the app's
  // options), on this page's main thread, which the CDP throttle does slow.
  made = performance.now();
  await zxing.prepareZXingModule({
    overrides: {locateFile: (path, prefix) => path.endsWith(".wasm")
      ? "/assets/vendor/zxing-wasm/zxing_reader.wasm" : prefix + path},
    fireImmediately: true,
  });
  const slowReady = performance.now() - made;
  const canvas = new OffscreenCanvas(1, 1);
  const context = canvas.getContext("2d", {willReadFrequently: true});
  const slowed = await timed(async () => {
    const scale = Math.min(1, 1280 / Math.max(image.naturalWidth, image.naturalHeight));
    const w = Math.round(image.naturalWidth * scale);
    const h = Math.round(image.naturalHeight * scale);
    const bitmap = await createImageBitmap(
      image, {resizeWidth: w, resizeHeight: h, resizeQuality: "medium"});
    [canvas.width, canvas.height] = [w, h];
    context.drawImage(bitmap, 0, 0);
    bitmap.close();
    const found = await zxing.readBarcodes(context.getImageData(0, 0, w, h), READER_OPTIONS);
    const first = found.find((r) => r.isValid && r.text);
    return first ? first.text : null;
  });

  // 3. Before: jsQR on the main thread at 960 px, as the app did.
  const script = document.createElement("script");
  script.src = "/assets/vendor/jsqr/jsQR.js";
  await new Promise((resolve) => { script.onload = resolve; document.head.append(script); });
  const old = document.createElement("canvas");
  const oldContext = old.getContext("2d", {willReadFrequently: true});
  const before = await timed(async () => {
    const scale = Math.min(1, 960 / Math.max(image.naturalWidth, image.naturalHeight));
    old.width = Math.round(image.naturalWidth * scale);
    old.height = Math.round(image.naturalHeight * scale);
    oldContext.drawImage(image, 0, 0, old.width, old.height);
    const pixels = oldContext.getImageData(0, 0, old.width, old.height);
    const found = jsQR(pixels.data, pixels.width, pixels.height, {inversionAttempts: "dontInvert"});
    return found ? found.data : null;
  });
  return {kind: decoder.kind, appReady, slowReady, app, slowed, before};
}"""


def photo_frame(text: str, seed: int = 11) -> bytes:
    """A JPEG as a phone camera might take it: the permit's QR code on a sheet of paper held at
    an angle in a cluttered room, slightly out of focus, with sensor noise."""
    pick = random.Random(seed)
    width, height = SIZE
    scene = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(scene)
    for y in range(height):  # uneven light, top left to bottom right
        shade = int(95 + 70 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade, shade - 12, shade - 25))
    for _ in range(60):  # clutter: boxes and strokes of other things in the picture
        x, y = pick.randrange(width), pick.randrange(height)
        tone = pick.randrange(30, 220)
        draw.rectangle(
            [x, y, x + pick.randrange(20, 160), y + pick.randrange(5, 90)],
            fill=(tone, tone, tone - 10),
        )
    code = segno.make_qr(text, error="q", mode="alphanumeric", boost_error=False)
    sheet_size = 520
    sheet = Image.new("RGB", (sheet_size, sheet_size + 140), (236, 232, 222))
    sheet_draw = ImageDraw.Draw(sheet)
    for row in range(6):  # printed lines above the code
        sheet_draw.rectangle(
            [30, 18 + row * 20, 30 + pick.randrange(200, 460), 26 + row * 20], fill=(60, 60, 60)
        )
    modules = code.symbol_size(scale=1, border=4)[0]
    qr = io.BytesIO()
    code.save(qr, kind="png", scale=max(1, 470 // modules), border=4)
    symbol = Image.open(qr).convert("RGB").resize((470, 470), Image.Resampling.NEAREST)
    sheet.paste(symbol, (25, 150))
    angle = 14.0
    turned = sheet.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0)
    )
    mask = Image.new("L", sheet.size, 255).rotate(angle, expand=True, fillcolor=0)
    scale = 0.92 * height / turned.size[1]
    turned = turned.resize(
        (int(turned.size[0] * scale), int(turned.size[1] * scale)), Image.Resampling.BICUBIC
    )
    mask = mask.resize(turned.size, Image.Resampling.BICUBIC)
    scene.paste(turned, (int(width * 0.38), int(height * 0.04)), mask)
    scene = scene.filter(ImageFilter.GaussianBlur(1.3))
    noise = Image.effect_noise(SIZE, 18).convert("RGB")
    scene = Image.blend(scene, noise, 0.06)
    out = io.BytesIO()
    scene.save(out, "JPEG", quality=72)
    return out.getvalue()


def _handler(frame: bytes) -> type[BaseHTTPRequestHandler]:
    # The hub's page policy, plus WebAssembly for this measuring page only (it runs the
    # decoder on its own thread too); the worker gets the hub's worker policy.
    page_csp = content_security_policy(None).replace(
        "script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            headers = {"Cache-Control": "no-store"}
            if path == "/":
                body, kind = b"<!doctype html><title>scan</title>", "text/html"
                headers["Content-Security-Policy"] = page_csp
            elif path == "/frame.jpg":
                body, kind = frame, "image/jpeg"
            elif path == "/checkpoint/scan-worker.js":  # as the hub serves it
                body, kind = ASSETS.joinpath("checkpoint/scan-worker.js").read_bytes(), TYPES[".js"]
                headers["Content-Security-Policy"] = SCAN_WORKER_CSP
            elif path.startswith("/assets/") and ".." not in path:
                file = ASSETS.joinpath(path.removeprefix("/assets/"))
                if not file.is_file():
                    self.send_error(404)
                    return
                body = file.read_bytes()
                kind = TYPES.get("." + path.rsplit(".", 1)[-1], "application/octet-stream")
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """No request log: the figures are the output."""

    return Handler


def throttle_workers(cdp: CDPSession, rate: int, slowed: list[str]) -> None:
    """Slow every worker the page starts as much as the page: each is held at its start
    until it is throttled (``waitForDebuggerOnStart``), and ``slowed`` names each one done."""
    answers: dict[str, Any] = {}

    def attached(event: dict[str, Any]) -> None:
        session = event["sessionId"]
        for number, (method, params) in enumerate(
            (
                ("Emulation.setCPUThrottlingRate", {"rate": rate}),
                ("Runtime.runIfWaitingForDebugger", {}),
            ),
            start=1,
        ):
            message = json.dumps({"id": number, "method": method, "params": params})
            cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})
        answers[session] = event["targetInfo"]["url"]

    def received(event: dict[str, Any]) -> None:
        reply = json.loads(event["message"])
        if reply.get("id") == 1 and "error" not in reply:
            slowed.append(answers.get(event["sessionId"], "?"))

    cdp.on("Target.attachedToTarget", attached)
    cdp.on("Target.receivedMessageFromTarget", received)
    cdp.send(
        "Target.setAutoAttach",
        {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
    )


def run(page: Page, base: str, inputs: list[Any]) -> dict[str, Any]:
    page.goto(base + "/")
    answer: dict[str, Any] = page.evaluate(MEASURE, inputs)
    return answer


def main() -> None:
    machine = report.start()
    machine.versions["chromium"] = chromium_version()
    out = report.Tee()
    signers = [signer(name) for name in AUTHORITIES]
    governance = signer("governance")
    text = permit(signers[:2])  # a two-signer permit
    trust = sign_trust_list(trust_list(signers), governance)
    delta = sign_revocation_delta(RevocationDelta(seq=1, issued_at=NOW), governance)
    frame = photo_frame(text)
    version = segno.make_qr(text, error="q", mode="alphanumeric", boost_error=False).version
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(frame))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    frame_url = "data:image/jpeg;base64," + base64.b64encode(frame).decode()
    inputs = [
        [base64.b64encode(raw_public_key(governance.private_key.public_key())).decode()],
        base64.b64encode(trust).decode(),
        [base64.b64encode(delta).decode()],
        frame_url,
        ROUNDS,
        WARMUP,
        int(NOW.timestamp() * 1000),
    ]
    slowed: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            cdp = page.context.new_cdp_session(page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLE})
            throttle_workers(cdp, THROTTLE, slowed)
            answer = run(page, base, inputs)
            browser.close()
    finally:
        server.shutdown()
    for part in ("app", "slowed", "before"):
        if "error" in answer[part]:
            raise SystemExit(f"{part}: {answer[part]['error']}")
        if answer[part]["status"] != "valid":
            raise SystemExit(f"{part}: the permit read is not valid: {answer[part]['status']}")
    if problems:
        raise SystemExit(f"errors on the page: {problems}")
    out(
        f"frame: {SIZE[0]}x{SIZE[1]} JPEG, {len(frame) // 1024} KiB; QR version {version}, "
        f"level Q, {len(text)} characters (two signers)"
    )
    out(
        f"CPU slowed {THROTTLE}x on the page; on its worker: "
        + ("yes" if slowed else "no (this Chromium refuses CDP throttling on workers)")
    )
    out(f"{'frame to verdict':<44}{'median ms':>11}{'p90 ms':>9}{'max ms':>9}")
    rows = (
        (f"app: {answer['kind']} decoder in its worker", answer["app"]["times"]),
        ("same steps on the slowed main thread", answer["slowed"]["times"]),
        ("before: jsQR on the main thread", answer["before"]["times"]),
    )
    for name, samples in rows:
        ordered = sorted(samples)
        p90 = ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]
        out(f"{'  ' + name:<44}{statistics.median(ordered):>11.1f}{p90:>9.1f}{ordered[-1]:>9.1f}")
    out(
        f"rounds: {ROUNDS} after {WARMUP} warm-up; each: the frame decoded, then the full "
        f"verify; decoder ready in {answer['appReady']:.0f} ms (worker), "
        f"{answer['slowReady']:.0f} ms (main thread)"
    )
    machine.finish()
    # The headline: every step on a thread slowed 4x, so a phone's worker is not flattered.
    headline = answer["slowed"]["times"] if not slowed else answer["app"]["times"]
    out(f"result: scan_to_verdict_ms = {statistics.median(headline):.1f}")
    if "--no-write" not in sys.argv:
        report.write_section(
            "browser_scan", "Camera frame to verdict (browser)", machine, out.lines
        )


if __name__ == "__main__":
    main()
