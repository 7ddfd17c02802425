// Small pieces of the officer's app that the page and its tests share.

const TOKEN = /^tqd_[A-Za-z0-9_-]{16,200}$/;

// The device token in what was pasted or scanned: the bare token, or the enrolment link the
// admin's page shows as a QR code (this app's address with #enrol=<token>). A link to another
// hub, or anything else, is no enrolment code here: null.
export function enrolmentToken(text) {
  const clean = String(text || "").trim();
  if (TOKEN.test(clean)) return clean;
  let url;
  try {
    url = new URL(clean);
  } catch {
    return null;
  }
  if (url.origin !== location.origin) return null;
  const token = new URLSearchParams(url.hash.slice(1)).get("enrol");
  return token && TOKEN.test(token) ? token : null;
}

// Say `text` beside the button that was tapped, in its live region (role="status": screen
// readers announce it). An empty text clears it. tone: good, warn or bad (its colour).
export function tell(element, text, tone = "") {
  element.textContent = text;
  element.dataset.tone = text ? tone : "";
}
