// Reading a QR code from camera frames, as fast as the camera gives them, with the best decoder
// the device has:
//   1. the browser's own BarcodeDetector, where it reads QR codes (Chrome on Android);
//   2. else zxing-cpp as WebAssembly in a Web Worker (scan-worker.js), off the main thread;
//   3. else, only if the WebAssembly cannot load, jsQR on the main thread.
// One frame is decoded at a time, and the next is taken the moment the last is done.

const WORKER = "/checkpoint/scan-worker.js";
const WORKER_READY_MS = 15e3;
const JSQR = "/assets/vendor/jsqr/jsQR.js";
// Frames are decoded at most this wide or high: smaller is faster, and a permit's QR code
// held to the camera stays several pixels a module.
const LONGEST_SIDE = 1280;

function frameSize(width, height) {
  const scale = Math.min(1, LONGEST_SIDE / Math.max(width, height));
  return [Math.round(width * scale), Math.round(height * scale)];
}

function sourceSize(source) {
  return [source.videoWidth || source.naturalWidth || source.width, source.videoHeight || source.naturalHeight || source.height];
}

// jsQR is loaded only when it is needed, as the last resort.
function loadScript(src) {
  return new Promise((resolve) => {
    if (globalThis.jsQR) {
      resolve();
      return;
    }
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => resolve();
    document.head.append(script);
  });
}

async function nativeDetector() {
  if (!("BarcodeDetector" in globalThis)) return null;
  try {
    const formats = await globalThis.BarcodeDetector.getSupportedFormats();
    return formats.includes("qr_code") ? new globalThis.BarcodeDetector({ formats: ["qr_code"] }) : null;
  } catch {
    return null;
  }
}

function startWorker() {
  return new Promise((resolve) => {
    let worker;
    try {
      worker = new Worker(WORKER, { type: "module" });
    } catch {
      resolve(null);
      return;
    }
    const give = (ok) => {
      clearTimeout(timer);
      if (!ok) worker.terminate();
      resolve(ok ? worker : null);
    };
    const timer = setTimeout(() => give(false), WORKER_READY_MS);
    worker.onmessage = ({ data }) => { if ("ready" in data) give(data.ready); };
    worker.onerror = () => give(false);
  });
}

// The decoder this device uses: {kind, decode(source) -> Promise<string | null>}, where source
// is a playing <video>, an <img>, a canvas or an ImageBitmap.
export async function makeDecoder({ allowNative = true } = {}) {
  const detector = allowNative ? await nativeDetector() : null;
  if (detector) {
    return {
      kind: "native",
      async decode(source) {
        const found = await detector.detect(source);
        return found.length ? found[0].rawValue : null;
      },
    };
  }
  const worker = await startWorker();
  if (worker) {
    let next = 0;
    const waiting = new Map();
    worker.onmessage = ({ data }) => {
      const resolve = waiting.get(data.id);
      waiting.delete(data.id);
      if (resolve) resolve(data.text);
    };
    return {
      kind: "wasm",
      async decode(source) {
        const [width, height] = frameSize(...sourceSize(source));
        // Scaled off the main thread where the browser can; the pixels are read in the worker.
        const frame = await createImageBitmap(source, { resizeWidth: width, resizeHeight: height, resizeQuality: "medium" });
        const id = (next += 1);
        return new Promise((resolve) => {
          waiting.set(id, resolve);
          worker.postMessage({ id, frame }, [frame]);
        });
      },
    };
  }
  await loadScript(JSQR);
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  return {
    kind: "jsqr",
    async decode(source) {
      [canvas.width, canvas.height] = frameSize(...sourceSize(source));
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = globalThis.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      return found && found.data ? found.data : null;
    },
  };
}

// Decode the frames of a playing `video` until `onText` returns true for a text it read, or
// stop() is called. Each new frame is decoded as soon as the one before is done.
export function scanVideo(video, decoder, onText) {
  let running = true;
  const nextFrame = (callback) => (video.requestVideoFrameCallback
    ? video.requestVideoFrameCallback(() => callback())
    : requestAnimationFrame(() => callback()));
  const step = async () => {
    if (!running) return;
    if (video.videoWidth && video.readyState >= 2) {
      let text = null;
      try {
        text = await decoder.decode(video);
      } catch {
        text = null;
      }
      if (running && text && onText(text)) {
        running = false;
        return;
      }
    }
    if (running) nextFrame(step);
  };
  nextFrame(step);
  return { stop() { running = false; } };
}
