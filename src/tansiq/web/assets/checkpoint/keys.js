// Keys, signatures and byte helpers shared by the token and trust-list readers (the Python
// they mirror: tansiq/permits/keys.py, key_id and verify_signature).

export const ALG_EDDSA = -8;
export const ALG_ES256 = -7;
export const KID_LENGTH = 8;
export const MAX_SECONDS = 253402300799;
export const PROTECTED = { [ALG_EDDSA]: Uint8Array.of(0xa1, 0x01, 0x27), [ALG_ES256]: Uint8Array.of(0xa1, 0x01, 0x26) };

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromBase64(text) {
  const raw = atob(text);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

export function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export function same(a, b) {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
  return a.every((byte, i) => byte === b[i]);
}

export const isBytes = (v) => v instanceof Uint8Array;
export const isMap = (v) => v instanceof Map;
export const isInt = (v) => typeof v === "number" && Number.isInteger(v);

export function codePoints(text) {
  return Array.from(text).length;
}

export const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export async function keyId(raw) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", raw)).slice(0, KID_LENGTH);
}

export async function importKey(alg, raw) {
  if (alg === ALG_EDDSA && raw.length === 32) {
    return crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  }
  if (alg === ALG_ES256) {
    return crypto.subtle.importKey("raw", raw, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  }
  throw new Error("unsupported key");
}

export async function verifySignature(key, alg, data, signature) {
  try {
    if (alg === ALG_EDDSA && key.algorithm.name === "Ed25519") {
      return await crypto.subtle.verify({ name: "Ed25519" }, key, signature, data);
    }
    if (alg === ALG_ES256 && key.algorithm.name === "ECDSA" && signature.length === 64) {
      // WebCrypto's ECDSA signature is r || s, as COSE writes it (not DER).
      return await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, signature, data);
    }
  } catch {
    return false;
  }
  return false;
}
