// The device as a witness of the hub's ledger: a signed tree head is checked against the hub's
// governance keys, and a new head against the one held before by an RFC 9162 consistency
// proof (section 2.1.4.2), as tansiq/ledger/merkle.py verify_consistency does it. Sizes go up
// to 2^40, past what 32-bit bit operations hold: halving is done with Math.floor.

import { ALG_EDDSA, hex, same, verifySignature } from "./keys.js";

const HEAD_LABEL = "tansiq-tree-head-v1";
export const EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export function fromHex(text) {
  if (!/^([0-9a-f]{2})*$/.test(text)) throw new Error("not hex");
  return Uint8Array.from(text.match(/../g) || [], (pair) => parseInt(pair, 16));
}

async function sha256(...parts) {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
}

export const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);
export const leafHash = (entry) => sha256(Uint8Array.of(0), entry);

const half = (n) => Math.floor(n / 2);
const odd = (n) => n % 2 === 1;

function powerOfTwo(n) {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

// verify_consistency: whether `path` (Uint8Arrays) proves the tree (oldSize, oldRoot) a
// prefix of (newSize, newRoot).
export async function verifyConsistency(oldSize, newSize, oldRoot, newRoot, path) {
  if (!(Number.isSafeInteger(oldSize) && Number.isSafeInteger(newSize) && oldSize >= 0 && oldSize <= newSize)) return false;
  if (oldSize === newSize) return path.length === 0 && same(oldRoot, newRoot);
  if (oldSize === 0) return path.length === 0 && hex(oldRoot) === EMPTY_ROOT;
  if (!path.length) return false;
  const nodes = [...path];
  if (powerOfTwo(oldSize)) nodes.unshift(oldRoot);
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let first = nodes[0];
  let second = nodes[0];
  for (const node of nodes.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      first = await nodeHash(node, first);
      second = await nodeHash(node, second);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      second = await nodeHash(second, node);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(first, oldRoot) && same(second, newRoot);
}

// root_from_inclusion / verify_inclusion, for completeness of the witness's tools.
export async function verifyInclusion(index, size, leaf, path, root) {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let result = leaf;
  for (const sibling of path) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      result = await nodeHash(sibling, result);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      result = await nodeHash(result, sibling);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(result, root);
}

// Deterministic CBOR (RFC 8949 4.2.1) of [label, size, root, signed_at_ms]: the bytes the
// hub's governance key signs (tansiq/ledger/domain.py TreeHead.encoded).
function typeAndLength(major, n) {
  if (n < 24) return [(major << 5) | n];
  const bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x100000000 ? 4 : 8;
  const out = [(major << 5) | { 1: 24, 2: 25, 4: 26, 8: 27 }[bytes]];
  const digits = [];
  let rest = n;
  for (let i = 0; i < bytes; i++) {
    digits.unshift(rest % 256);
    rest = Math.floor(rest / 256);
  }
  return out.concat(digits);
}

export function headBytes(size, root, signedAtMs) {
  const label = new TextEncoder().encode(HEAD_LABEL);
  return Uint8Array.from([
    ...typeAndLength(4, 4),
    ...typeAndLength(3, label.length), ...label,
    ...typeAndLength(0, size),
    ...typeAndLength(2, root.length), ...root,
    ...typeAndLength(0, signedAtMs),
  ]);
}

// A head as the pull carries it ({size, root, signed_at, signed_at_ms, kid, signature}) and
// the consistency proof beside it; throws on anything out of shape.
export function seenHead(ledger) {
  const head = ledger.head;
  const seen = {
    size: head.size, root: head.root, signedAt: head.signed_at, signedAtMs: head.signed_at_ms,
    kid: head.kid, signature: head.signature, proof: ledger.consistency || [],
  };
  if (!(Number.isSafeInteger(seen.size) && seen.size >= 0 && Number.isSafeInteger(seen.signedAtMs)
    && fromHex(seen.root).length === 32 && Array.isArray(seen.proof))) {
    throw new Error("not a tree head");
  }
  return seen;
}

// null when the head is good (signed by a trusted governance key, and an extension of the
// held one), else the code of what is wrong: the device refuses the head and reports it.
// `governance` is [{kid, key}] as trust.js governanceKeys makes it.
export async function witness(held, seen, governance) {
  const signed = headBytes(seen.size, fromHex(seen.root), seen.signedAtMs);
  let good = false;
  for (const { kid, key } of governance) {
    if (hex(kid) === seen.kid && (await verifySignature(key, ALG_EDDSA, signed, fromHex(seen.signature)))) good = true;
  }
  if (!good) return "witness.head_signature_invalid";
  if (!held) return null;
  if (seen.size < held.size) return "witness.history_shrunk";
  const consistent = await verifyConsistency(
    held.size, seen.size, fromHex(held.root), fromHex(seen.root), seen.proof.map(fromHex),
  );
  return consistent ? null : "witness.inconsistent";
}
