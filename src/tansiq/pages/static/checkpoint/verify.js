// Offline permit verification in the browser: the same verdict, status and code, as the hub's
// tansiq/verifier/verify.py and the device rule of tansiq/checkpoints/client.py for the same
// inputs. The formats are documented in tansiq/permits/token.py and tansiq/permits/trust.py;
// every rule below names the Python it mirrors. Nothing here throws on bad input: a token that
// cannot be read is the verdict "malformed", bad trust data is a TrustError with a code.

import { CborError, Tagged, decode as cborDecode, encodeArray } from "./cbor.js";

export const PREFIX = "TQ1:";
export const MAX_INFLATED = 16 * 1024;
const MAX_TEXT = 200;
const MAX_ITEMS = 64;
const MAX_ROUTE_POINTS = 1000;
const MAX_SIGNATURES = 16;
const KID_LENGTH = 8;
const SALT_LENGTH = 16;
const COSE_SIGN_TAG = 98;
const COSE_SIGN1_TAG = 18;
const ALG_EDDSA = -8;
const ALG_ES256 = -7;
const MAX_SECONDS = 253402300799;
const E5 = 100000;
const PROTECTED = { [ALG_EDDSA]: Uint8Array.of(0xa1, 0x01, 0x27), [ALG_ES256]: Uint8Array.of(0xa1, 0x01, 0x26) };
const ROLE_PERMITS = "permits";
const KEY_STATUSES = new Set(["active", "retired", "compromised"]);
const REVOCATION_STATUSES = new Set(["revoked", "suspended", "reinstated"]);

export const PRECEDENCE = [
  "malformed", "forged", "unknown_key", "missing_signature", "revoked", "suspended", "expired",
  "not_yet_valid", "off_route", "stale", "valid",
];

class Malformed extends Error {}

export class TrustError extends Error {
  constructor(code, params = {}) {
    super(code);
    this.code = code;
    this.params = params;
  }
}

// --- bytes ------------------------------------------------------------------------------------

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

function same(a, b) {
  if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
  return a.every((byte, i) => byte === b[i]);
}

const isBytes = (v) => v instanceof Uint8Array;
const isMap = (v) => v instanceof Map;
const isInt = (v) => typeof v === "number" && Number.isInteger(v);

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

function codePoints(text) {
  return Array.from(text).length;
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

const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

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
  const driver = claimMap(body.get(8), [1, 2, 3], [1, 2, 3]);
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
    driver: { name: claimText(driver.get(1)), idHash: driver.get(2), idSalt: driver.get(3) },
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

// --- keys and signatures (token.verify_signature) ------------------------------------------------

export async function keyId(raw) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", raw)).slice(0, KID_LENGTH);
}

async function importKey(alg, raw) {
  if (alg === ALG_EDDSA && raw.length === 32) {
    return crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
  }
  if (alg === ALG_ES256) {
    return crypto.subtle.importKey("raw", raw, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
  }
  throw new Error("unsupported key");
}

async function verifySignature(key, alg, data, signature) {
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

function sigStructure(signProtected, payload) {
  return encodeArray(["Signature", new Uint8Array(0), signProtected, new Uint8Array(0), payload]);
}

// --- trust list and revocations (permits/trust.py) ----------------------------------------------

function trustStrict(bytes) {
  try {
    return cborDecode(bytes);
  } catch {
    throw new TrustError("trust.invalid");
  }
}

export async function governanceKeys(rawKeys) {
  return Promise.all(rawKeys.map(async (raw) => ({ kid: await keyId(raw), key: await importKey(ALG_EDDSA, raw) })));
}

async function openSign1(data, governance) {
  let value = trustStrict(data);
  if (value instanceof Tagged && value.tag === COSE_SIGN1_TAG) value = value.value;
  if (!(Array.isArray(value) && value.length === 4)) throw new TrustError("trust.invalid");
  const [protectedBytes, unprotected, payload, signature] = value;
  if (!(same(protectedBytes, PROTECTED[ALG_EDDSA]) && isMap(unprotected) && isBytes(payload) && isBytes(signature))) {
    throw new TrustError("trust.invalid");
  }
  const kid = unprotected.get(4);
  const signed = encodeArray(["Signature1", protectedBytes, new Uint8Array(0), payload]);
  for (const { kid: known, key } of governance) {
    if (same(known, kid) && (await verifySignature(key, ALG_EDDSA, signed, signature))) return payload;
  }
  throw new TrustError("trust.signature_invalid");
}

function typedPayload(payload, kind) {
  const body = trustStrict(payload);
  if (!(isMap(body) && body.size === 4 && [0, 1, 2, 3].every((k) => body.has(k)) && body.get(0) === kind
    && isInt(body.get(1)) && body.get(1) >= 0 && Array.isArray(body.get(3)))) {
    throw new TrustError("trust.invalid");
  }
  return body;
}

function entryMap(value, keys, required) {
  if (!(isMap(value) && required.every((k) => value.has(k)) && [...value.keys()].every((k) => keys.includes(k)))) {
    throw new TrustError("trust.invalid");
  }
  return value;
}

function trustTime(value) {
  if (!(isInt(value) && value >= 0 && value <= MAX_SECONDS)) throw new TrustError("trust.invalid");
  return value;
}

function trustStr(value) {
  if (!(typeof value === "string" && value.length > 0 && codePoints(value) <= 64)) throw new TrustError("trust.invalid");
  return value;
}

// The signed deltas in a revocations file (a CBOR array of byte strings).
export function deltasOf(file) {
  const items = trustStrict(file);
  if (!(Array.isArray(items) && items.every(isBytes))) throw new TrustError("trust.invalid");
  return items;
}

// A verified trust list: {seq, issuedAt (seconds), entries: Map kid hex -> entry with its key}.
export async function loadTrustList(data, governance, minSeq = 0) {
  const body = typedPayload(await openSign1(data, governance), "tq-trust");
  if (body.get(1) < minSeq) throw new TrustError("trust.replayed", { seq: body.get(1), min_seq: minSeq });
  const entries = new Map();
  for (const value of body.get(3)) {
    const e = entryMap(value, range(1, 8), [1, 2, 3, 4, 5, 7, 8]);
    const roles = e.get(8);
    if (!(isInt(e.get(3)) && isBytes(e.get(4)) && typeof e.get(7) === "string" && KEY_STATUSES.has(e.get(7))
      && Array.isArray(roles))) {
      throw new TrustError("trust.invalid");
    }
    const entry = {
      authority: trustStr(e.get(2)),
      alg: e.get(3),
      publicKey: e.get(4),
      validFrom: trustTime(e.get(5)),
      validTo: e.has(6) ? trustTime(e.get(6)) : null,
      status: e.get(7),
      roles: roles.map(trustStr),
    };
    const kid = await keyId(entry.publicKey);
    if (!same(kid, e.get(1)) || entries.has(hex(kid)) || !(entry.alg === ALG_EDDSA || entry.alg === ALG_ES256)) {
      throw new TrustError("trust.invalid");
    }
    try {
      entry.key = await importKey(entry.alg, entry.publicKey);
    } catch {
      throw new TrustError("trust.invalid");
    }
    entries.set(hex(kid), entry);
  }
  return { seq: body.get(1), issuedAt: trustTime(body.get(2)), entries };
}

function trustedAt(entry, when) {
  return entry.status !== "compromised" && entry.validFrom <= when && (entry.validTo === null || when < entry.validTo);
}

async function loadDelta(data, governance) {
  const body = typedPayload(await openSign1(data, governance), "tq-revocations");
  const entries = body.get(3).map((value) => {
    const e = entryMap(value, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
    const version = e.get(2);
    if (!((version === null || isInt(version)) && typeof e.get(3) === "string" && REVOCATION_STATUSES.has(e.get(3)))) {
      throw new TrustError("trust.invalid");
    }
    return { cti: trustStr(e.get(1)), version, status: e.get(3), reason: trustStr(e.get(4)), at: trustTime(e.get(5)) };
  });
  return { seq: body.get(1), issuedAt: trustTime(body.get(2)), entries };
}

// RevocationState: deltas folded in order; the latest change for a permit wins.
export class RevocationState {
  constructor() {
    this.seq = 0;
    this.asOf = null;
    this.latest = new Map();
    this.applied = 0;
  }

  apply(delta) {
    if (delta.seq <= this.seq) return false;
    if (delta.seq !== this.seq + 1) throw new TrustError("revocations.gap", { seq: delta.seq, expected: this.seq + 1 });
    for (const entry of delta.entries) {
      this.applied += 1;
      this.latest.set(JSON.stringify([entry.cti, entry.version]), [this.applied, entry]);
    }
    this.seq = delta.seq;
    this.asOf = delta.issuedAt;
    return true;
  }

  statusOf(cti, version) {
    const found = [JSON.stringify([cti, version]), JSON.stringify([cti, null])]
      .map((key) => this.latest.get(key))
      .filter(Boolean);
    if (!found.length) return null;
    const [, entry] = found.reduce((a, b) => (b[0] > a[0] ? b : a));
    return entry.status === "reinstated" ? null : entry;
  }
}

// trust.load_revocations over a list of signed deltas (each Uint8Array), any order.
export async function loadRevocations(signedDeltas, governance, state = new RevocationState()) {
  const deltas = [];
  for (const item of signedDeltas) deltas.push(await loadDelta(item, governance));
  deltas.sort((a, b) => a.seq - b.seq);
  for (const delta of deltas) state.apply(delta);
  return state;
}

// --- the verdict (verifier/verify.py) ------------------------------------------------------------

function stamp(secondsSinceEpoch) {
  return new Date(secondsSinceEpoch * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

// The verdict on token `text` at `at` (milliseconds since the epoch). Never throws.
//   trust: from loadTrustList; revocations: a RevocationState or null; checkpoint: code or null;
//   dataAsOf: seconds (default: the older of the trust list's and the last delta's issue times);
//   maxDataAge: milliseconds (default 24 h).
export async function verify(text, { trust, revocations, at, checkpoint = null, dataAsOf = null, maxDataAge = 24 * 3600e3 }) {
  if (dataAsOf === null) {
    const times = [trust.issuedAt];
    if (revocations !== null && revocations.asOf !== null) times.push(revocations.asOf);
    dataAsOf = Math.min(...times);
  }
  const dataAge = at - dataAsOf * 1000;
  let token;
  try {
    token = await decodeToken(text);
  } catch {
    // Malformed, or anything else the input provoked: either way the code cannot be read.
    return { status: "malformed", reason: "malformed", params: {}, dataAge, claims: null, findings: ["malformed"], authorities: [] };
  }
  const { claims } = token;
  const found = new Set();
  const params = {};

  const good = new Map();
  for (const signature of token.signatures) {
    const entry = trust.entries.get(hex(signature.kid));
    if (entry === undefined) continue;
    if (entry.alg === signature.alg && entry.roles.includes(ROLE_PERMITS) && trustedAt(entry, claims.iat)
      && (await verifySignature(entry.key, signature.alg, sigStructure(signature.protected, token.payload), signature.signature))) {
      good.set(hex(signature.kid), (good.get(hex(signature.kid)) || 0) + 1);
    } else {
      found.add("forged");
    }
  }

  const authorities = [];
  for (const kid of claims.requiredKids) {
    const entry = trust.entries.get(hex(kid));
    if (entry === undefined) {
      found.add("unknown_key");
      continue;
    }
    const count = good.get(hex(kid)) || 0;
    if (count > 1) found.add("forged");
    else if (count === 0 || authorities.includes(entry.authority)) found.add("missing_signature");
    else authorities.push(entry.authority);
  }

  if (revocations !== null) {
    const record = revocations.statusOf(claims.cti, claims.version);
    if (record !== null) {
      found.add(record.status === "revoked" ? "revoked" : "suspended");
      params.reason = record.reason;
    }
  }
  if (at >= claims.exp * 1000) found.add("expired");
  if (at < claims.nbf * 1000) found.add("not_yet_valid");
  if (checkpoint !== null && claims.checkpoints.length) {
    const wanted = normaliseCode(checkpoint);
    if (claims.checkpoints.every((code) => normaliseCode(code) !== wanted)) found.add("off_route");
  }
  let reason = null;
  if (revocations === null || revocations.asOf === null) {
    found.add("stale");
    reason = "no_revocations";
  } else if (dataAge > maxDataAge) {
    found.add("stale");
  }
  const findings = PRECEDENCE.filter((status) => found.has(status));
  const status = findings.length ? findings[0] : "valid";
  Object.assign(params, {
    exp: stamp(claims.exp),
    nbf: stamp(claims.nbf),
    checkpoint: checkpoint || "",
    hours: String(Math.floor(dataAge / 3600e3)),
  });
  return {
    status,
    reason: status === "stale" && reason ? reason : status,
    params,
    dataAge,
    claims,
    findings,
    authorities,
  };
}

function normaliseCode(code) {
  return code.trim().toLowerCase();
}

// checkpoints/client.py _signed_by_operator: a permit honoured at a checkpoint must carry the
// signature of the authority that mans it.
export function signedByOperator(verdict, authority) {
  if (!authority || verdict.status !== "valid" || verdict.authorities.includes(authority)) return verdict;
  return {
    ...verdict,
    status: "missing_signature",
    reason: "not_signed_here",
    params: { authority },
    findings: [...verdict.findings, "missing_signature"],
  };
}
