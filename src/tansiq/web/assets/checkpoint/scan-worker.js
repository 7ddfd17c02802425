// Decodes QR codes off the page's main thread: zxing-cpp built to WebAssembly (the vendored
// zxing-wasm). Served by the hub as /checkpoint/scan-worker.js with a policy of its own that
// allows compiling WebAssembly ('wasm-unsafe-eval') and nothing else; the page's policy is
// unchanged. The .wasm file comes from the hub, never from outside.
//
// Messages in: {id, frame: ImageBitmap | ImageData}. Out: {ready: boolean} once, then
// {id, text: string | null} for each frame (the first QR code's text, or null).

import { prepareZXingModule, readBarcodes } from "/assets/vendor/zxing-wasm/reader.js";
import { READER_OPTIONS } from "/assets/checkpoint/scan-options.js";

const WASM = "/assets/vendor/zxing-wasm/zxing_reader.wasm";

let canvas = null;
let context = null;

function pixels(frame) {
  if (!(typeof ImageBitmap !== "undefined" && frame instanceof ImageBitmap)) return frame;
  if (!canvas || canvas.width !== frame.width || canvas.height !== frame.height) {
    canvas = new OffscreenCanvas(frame.width, frame.height);
    context = canvas.getContext("2d", { willReadFrequently: true });
  }
  context.drawImage(frame, 0, 0);
  frame.close();
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

const ready = prepareZXingModule({
  overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM : prefix + path) },
  fireImmediately: true,
}).then(() => true, () => false);

ready.then((ok) => self.postMessage({ ready: ok }));

self.onmessage = async ({ data }) => {
  if (!(await ready)) return;
  let text = null;
  try {
    const found = await readBarcodes(pixels(data.frame), READER_OPTIONS);
    const first = found.find((result) => result.isValid && result.text);
    text = first ? first.text : null;
  } catch {
    text = null; // an unreadable frame is no code; the next frame is tried
  }
  self.postMessage({ id: data.id, text });
};
