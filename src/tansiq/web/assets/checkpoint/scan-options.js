// How zxing-cpp reads a permit (scan-worker.js): one QR code, perhaps at an angle, in poor
// light, slightly blurred. Its own module so that bench/browser_scan.py decodes with the same.
export const READER_OPTIONS = {
  formats: ["QRCode"], maxNumberOfSymbols: 1, tryHarder: true, tryRotate: true,
  tryInvert: false, tryDownscale: true, textMode: "Plain",
};
