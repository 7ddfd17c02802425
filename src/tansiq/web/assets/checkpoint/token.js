// The permit token as tansiq/permits/token.py reads it: TQ1: + Base45 + zlib (bounded to
// 16 KiB) + COSE_Sign + a strict claims map. decodeToken throws Malformed and nothing else
// on any input it cannot read.

import { CborError, Tagged, decode as cborDecode, encodeArray } from "./cbor.js";
import {
  ALG_EDDSA, ALG_ES256, KID_LENGTH, MAX_SECONDS, PROTECTED, codePoints, hex, isBytes, isInt, isMap,
  range, same,
} from "./keys.js";

export const PREFIX = "TQ1:";
export const MAX_INFLATED = 16 * 1024;
const MAX_TEXT = 200;
const MAX_ITEMS = 64;
const MAX_ROUTE_POINTS = 1000;
const MAX_SIGNATURES = 16;
const SALT_LENGTH = 16;
const COSE_SIGN_TAG = 98;
const E5 = 100000;

export class Malformed extends Error {}

// --- Base45 (token.b45decode) -------------------------------------------------------------------

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

export function b45decode(text) {
  const values = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const v = ALPHABET.indexOf(text[i]);
    if (v < 0) throw new Malformed("character outside the Base45 alphabet");
    values[i] = v;
  }
  const full = Math.floor(values.length / 3);
  const rest = values.length % 3;
  if (rest === 1) throw new Malformed("dangling character");
  const out = new Uint8Array(full * 2 + (rest === 2 ? 1 : 0));
  for (let i = 0; i < full; i++) {
    const n = values[3 * i] + 45 * values[3 * i + 1] + 2025 * values[3 * i + 2];
    if (n > 0xffff) throw new Malformed("triplet out of range");
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 255;
  }
  if (rest === 2) {
    const last = values[values.length - 2] + 45 * values[values.length - 1];
    if (last > 0xff) throw new Malformed("final pair out of range");
    out[out.length - 1] = last;
  }
  return out;
}

// --- bounded inflate (token.inflate) -----------------------------------------------------------

export async function inflate(data) {
  // "deflate" in the Compression Streams standard is the zlib format (RFC 1950), as the token's.
  const stream = new DecompressionStream("deflate");
  const writer = stream.writable.getWriter();
  writer.write(data).catch(() => {});
  writer.close().catch(() => {});
  const reader = stream.readable.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_INFLATED) {
        reader.cancel().catch(() => {});
        throw new Malformed("too large");
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Malformed) throw error;
    throw new Malformed("not zlib data, truncated, or trailing bytes");
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function strict(bytes) {
  try {
    return cborDecode(bytes);
  } catch (error) {
    if (error instanceof CborError) throw new Malformed(`CBOR: ${error.message}`);
    throw error;
  }
}

// --- text as core/text.py normalise_text writes it ----------------------------------------------

// Python's str.strip() removes what str.isspace() calls space, which is not JavaScript's trim().
const PY_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

function normaliseText(value) {
  // eslint-disable-next-line no-control-regex
  let text = value.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, "").normalize("NFC");
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE.includes(text[start])) start++;
  while (end > start && PY_SPACE.includes(text[end - 1])) end--;
  text = text.slice(start, end);
  return text;
}

function claimText(value, limit = MAX_TEXT, required = true) {
  if (typeof value !== "string") throw new Malformed("not text");
  const text = normaliseText(value);
  if ((required && !text) || codePoints(text) > limit) throw new Malformed("empty or too long");
  return text;
}

// --- COSE_Sign (token.parse_cose_sign, token.decode) --------------------------------------------

function parseSignature(item) {
  if (!(Array.isArray(item) && item.length === 3)) throw new Malformed("COSE_Signature shape");
  const [protectedBytes, unprotected, signature] = item;
  if (!(isBytes(protectedBytes) && isMap(unprotected) && isBytes(signature))) {
    throw new Malformed("COSE_Signature member types");
  }
  const headers = protectedBytes.length ? strict(protectedBytes) : new Map();
  if (!isMap(headers)) throw new Malformed("protected header is not a map");
  const alg = headers.has(1) ? headers.get(1) : null;
  const kid = unprotected.has(4) ? unprotected.get(4) : headers.has(4) ? headers.get(4) : null;
  if (!(alg === null || isInt(alg) || typeof alg === "string") || !(kid === null || isBytes(kid))) {
    throw new Malformed("alg or kid of the wrong type");
  }
  return { alg, kid, protected: protectedBytes, unprotected, signature };
}

function parseCoseSign(data) {
  let value = strict(data);
  if (value instanceof Tagged) {
    if (value.tag !== COSE_SIGN_TAG) throw new Malformed("not COSE_Sign");
    value = value.value;
  }
  if (!(Array.isArray(value) && value.length === 4)) throw new Malformed("COSE_Sign shape");
  const [bodyProtected, bodyUnprotected, payload, signatures] = value;
  if (
    !(isBytes(bodyProtected) && isMap(bodyUnprotected) && isBytes(payload) && Array.isArray(signatures)
      && signatures.length >= 1 && signatures.length <= MAX_SIGNATURES)
  ) {
    throw new Malformed("COSE_Sign member types");
  }
  return { bodyProtected, bodyUnprotected, payload, signatures: signatures.map(parseSignature) };
}

// --- claims (token.claims_from_cbor) -------------------------------------------------------------

function claimMap(value, keys, required) {
  if (!isMap(value)) throw new Malformed("not a map");
  for (const key of required) if (!value.has(key)) throw new Malformed("missing key");
  for (const key of value.keys()) if (!keys.includes(key)) throw new Malformed("unknown key");
  return value;
}


function seconds(value) {
  if (!(isInt(value) && value >= 0 && value <= MAX_SECONDS)) throw new Malformed("not a time");
  return value;
}

function list(value, limit) {
  if (!(Array.isArray(value) && value.length <= limit)) throw new Malformed("not a short list");
  return value;
}

function route(value) {
  const flat = list(value, 2 * MAX_ROUTE_POINTS);
  if (flat.length % 2 || !flat.every(isInt)) throw new Malformed("route is not integer pairs");
  const points = [];
  let x = 0;
  let y = 0;
  for (let i = 0; i < flat.length; i += 2) {
    x += flat[i];
    y += flat[i + 1];
    if (Math.abs(x) > 180 * E5 || Math.abs(y) > 90 * E5) throw new Malformed("route point out of range");
    points.push([x / E5, y / E5]);
  }
  return points;
}

export function claimsFromCbor(payload) {
  const body = claimMap(strict(payload), range(1, 13), [1, 2, 3, 4, 5, 6, 7, 8, 9, 13]);
  const vehicle = claimMap(body.get(7), [1, 2], [1, 2]);
  const driver = claimMap(body.get(8), [1, 2, 3, 4], [1, 2, 3]);
  const conditions = list(body.has(12) ? body.get(12) : [], 64).map((c) => claimMap(c, [1, 2], [1]));
  const version = body.get(3);
  if (!isInt(version)) throw new Malformed("version is not an integer");
  const claims = {
    issuer: claimText(body.get(1), 64),
    cti: claimText(body.get(2), 64),
    version,
    iat: seconds(body.get(4)),
    nbf: seconds(body.get(5)),
    exp: seconds(body.get(6)),
    vehicle: { plate: claimText(vehicle.get(1), 40), kind: claimText(vehicle.get(2), 40) },
    driver: {
      name: claimText(driver.get(1)),
      // The Arabic spelling beside a Latin one (optional; present, never empty).
      nameAr: driver.has(4) ? claimText(driver.get(4)) : "",
      idHash: driver.get(2),
      idSalt: driver.get(3),
    },
    cargo: claimText(body.get(9), MAX_TEXT, false),
    requiredKids: list(body.get(13), MAX_SIGNATURES),
    route: route(body.has(10) ? body.get(10) : []),
    checkpoints: list(body.has(11) ? body.get(11) : [], MAX_ITEMS).map((c) => claimText(c, 40)),
    conditions: conditions.map((c) => ({
      kind: claimText(c.get(1), 40),
      detail: claimText(c.has(2) ? c.get(2) : "", MAX_TEXT, false),
    })),
  };
  // PermitClaims.__post_init__
  if (!(version >= 1 && version < 2 ** 31)) throw new Malformed("version out of range");
  if (claims.nbf >= claims.exp) throw new Malformed("starts after it ends");
  if (!(isBytes(claims.driver.idHash) && claims.driver.idHash.length === 32
    && isBytes(claims.driver.idSalt) && claims.driver.idSalt.length === SALT_LENGTH)) {
    throw new Malformed("driver ID hash or salt");
  }
  const kids = claims.requiredKids;
  if (!(kids.length >= 1 && kids.every((k) => isBytes(k) && k.length === KID_LENGTH)
    && new Set(kids.map(hex)).size === kids.length)) {
    throw new Malformed("required key ids");
  }
  return claims;
}

export async function decodeToken(text) {
  if (typeof text !== "string" || !text.startsWith(PREFIX)) throw new Malformed("missing TQ1: prefix");
  const message = parseCoseSign(await inflate(b45decode(text.slice(PREFIX.length))));
  if (message.bodyProtected.length !== 0 || message.bodyUnprotected.size !== 0) {
    throw new Malformed("body headers must be empty");
  }
  const signatures = message.signatures.map((item) => {
    if (!(item.alg === ALG_EDDSA || item.alg === ALG_ES256)) throw new Malformed("alg unsupported");
    if (!same(item.protected, PROTECTED[item.alg]) || item.unprotected.size !== 1 || item.kid === null
      || item.kid.length !== KID_LENGTH || item.signature.length !== 64) {
      throw new Malformed("signature headers or length");
    }
    return item;
  });
  return { claims: claimsFromCbor(message.payload), payload: message.payload, signatures };
}

export function sigStructure(signProtected, payload) {
  return encodeArray(["Signature", new Uint8Array(0), signProtected, new Uint8Array(0), payload]);
}
