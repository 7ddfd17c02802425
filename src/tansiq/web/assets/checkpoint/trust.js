// The trust list and revocation deltas as tansiq/permits/trust.py reads them: COSE_Sign1
// under a pinned governance key, strict payloads; bad data is a TrustError with the hub's code.

import { Tagged, decode as cborDecode, encodeArray } from "./cbor.js";
import {
  ALG_EDDSA, ALG_ES256, MAX_SECONDS, PROTECTED, codePoints, hex, importKey, isBytes, isInt, isMap,
  keyId, range, same, verifySignature,
} from "./keys.js";

const COSE_SIGN1_TAG = 18;
const SNAPSHOT = "tq-revocation-snapshot";
const ROLE_GOVERNANCE = "governance";
const KEY_STATUSES = new Set(["active", "retired", "compromised"]);
const REVOCATION_STATUSES = new Set(["revoked", "suspended", "reinstated"]);

export class TrustError extends Error {
  constructor(code, params = {}) {
    super(code);
    this.code = code;
    this.params = params;
  }
}

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

export async function openSign1(data, governance) {
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

export function trustedAt(entry, when) {
  return entry.status !== "compromised" && entry.validFrom <= when && (entry.validTo === null || when < entry.validTo);
}

// A signed revocation delta or snapshot (told apart by its signed type), verified.
async function loadDelta(data, governance) {
  const payload = await openSign1(data, governance);
  const kind = isMap(trustStrict(payload)) ? trustStrict(payload).get(0) : null;
  const body = typedPayload(payload, kind === SNAPSHOT ? SNAPSHOT : "tq-revocations");
  const entries = body.get(3).map((value) => {
    const e = entryMap(value, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
    const version = e.get(2);
    if (!((version === null || isInt(version)) && typeof e.get(3) === "string" && REVOCATION_STATUSES.has(e.get(3)))) {
      throw new TrustError("trust.invalid");
    }
    return { cti: trustStr(e.get(1)), version, status: e.get(3), reason: trustStr(e.get(4)), at: trustTime(e.get(5)) };
  });
  return { kind: body.get(0), seq: body.get(1), issuedAt: trustTime(body.get(2)), entries, raw: data };
}

// RevocationState: deltas folded in order; the latest change for a permit wins.
export class RevocationState {
  constructor() {
    this.seq = 0;
    this.asOf = null;
    this.latest = new Map();
    this.applied = 0;
  }

  // Start again from a snapshot that reaches further than what was applied.
  restore(snapshot) {
    if (snapshot.seq <= this.seq) return false;
    this.latest = new Map();
    this.applied = 0;
    for (const entry of snapshot.entries) {
      this.applied += 1;
      this.latest.set(JSON.stringify([entry.cti, entry.version]), [this.applied, entry]);
    }
    this.seq = snapshot.seq;
    this.asOf = snapshot.issuedAt;
    return true;
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

// trust.load_revocations over signed deltas and snapshots (each Uint8Array), any order: the
// furthest snapshot first, then the deltas after it. `state.kept` is what a device keeps
// (that snapshot and the deltas after it), so its store does not grow with every delta.
export async function loadRevocations(signedItems, governance, state = new RevocationState()) {
  const items = [];
  for (const item of signedItems) items.push(await loadDelta(item, governance));
  const snapshots = items.filter((item) => item.kind === SNAPSHOT).sort((a, b) => b.seq - a.seq);
  if (snapshots.length) state.restore(snapshots[0]);
  const deltas = items.filter((item) => item.kind !== SNAPSHOT).sort((a, b) => a.seq - b.seq);
  for (const delta of deltas) state.apply(delta);
  const floor = snapshots.length ? snapshots[0].seq : 0;
  const bySeq = new Map(deltas.filter((d) => d.seq > floor && d.seq <= state.seq).map((d) => [d.seq, d.raw]));
  state.kept = [...(snapshots.length ? [snapshots[0].raw] : []), ...[...bySeq.keys()].sort((a, b) => a - b).map((seq) => bySeq.get(seq))];
  return state;
}

// The kid a COSE_Sign1 says it is signed by (unverified: only to name the key).
export function signerKid(data) {
  try {
    let value = cborDecode(data);
    if (value instanceof Tagged) value = value.value;
    const kid = Array.isArray(value) && isMap(value[1]) ? value[1].get(4) : null;
    return isBytes(kid) ? kid : null;
  } catch {
    return null;
  }
}

// trust.follow_governance: from the raw keys the device trusts, follow the trust lists that
// announce governance keys, oldest first; each one after `after` that a trusted key signs adds
// the keys it names with the governance role (a compromised one is dropped). One no trusted
// key signs announces nothing to this device (made before it was enrolled, or forged).
export async function followGovernance(trusted, announcements, after = 0) {
  let keys = [];
  for (const key of trusted) if (!keys.some((k) => same(k, key))) keys.push(key);
  let seq = after;
  for (const data of announcements) {
    let trust;
    try {
      trust = await loadTrustList(data, await governanceKeys(keys));
    } catch (error) {
      if (error instanceof TrustError && error.code === "trust.signature_invalid") continue;
      throw error;
    }
    if (trust.seq <= seq) continue;
    seq = trust.seq;
    for (const entry of trust.entries.values()) {
      if (!entry.roles.includes(ROLE_GOVERNANCE) || entry.alg !== ALG_EDDSA) continue;
      if (entry.status === "compromised") keys = keys.filter((k) => !same(k, entry.publicKey));
      else if (!keys.some((k) => same(k, entry.publicKey))) keys.push(entry.publicKey);
    }
  }
  return { keys, seq };
}

// Refuse, by name, data signed by a governance key that no trusted key announced.
export async function requireKnownSigner(data, keys) {
  const kid = signerKid(data);
  if (!kid) return;
  for (const key of keys) if (same(await keyId(key), kid)) return;
  throw new TrustError("device.governance_key_unknown", { kid: hex(kid) });
}
