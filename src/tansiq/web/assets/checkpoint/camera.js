// The camera, for whatever the officer scans (a permit, or the enrolment code): a view is a
// <video> with its start and stop buttons and a help line; one camera runs at a time.

import { makeDecoder, scanVideo } from "./scan.js";

let decoder = null;
let running = null;

// The device's decoder, made once (the WebAssembly worker loads on first use).
export function theDecoder() {
  if (!decoder) decoder = makeDecoder();
  return decoder;
}

export function stopCamera() {
  if (!running) return;
  const { view, stream, scan } = running;
  running = null;
  scan.stop();
  for (const track of stream.getTracks()) track.stop();
  view.video.hidden = true;
  view.video.srcObject = null;
  view.help.hidden = true;
  view.start.hidden = false;
  view.stop.hidden = true;
}

// Start the camera in `view` and call onText(text) for each code read until it returns true.
// Resolves false when there is no camera (or no permission to use it).
export async function startCamera(view, onText) {
  stopCamera();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch {
    return false;
  }
  const found = await theDecoder();
  view.video.srcObject = stream;
  view.video.hidden = false;
  view.help.hidden = false;
  view.start.hidden = true;
  view.stop.hidden = false;
  view.video.dataset.decoder = found.kind;
  await view.video.play().catch(() => {});
  const scan = scanVideo(view.video, found, (text) => {
    if (!onText(text)) return false;
    stopCamera();
    return true;
  });
  running = { view, stream, scan };
  return true;
}
