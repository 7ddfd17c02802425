// A small strict CBOR (RFC 8949) decoder and the few encodings COSE signing needs.
//
// Our own, not an npm package: the hub's decoder (permits/cose.py strict_loads) accepts only
// what cbor2 would write back byte for byte, i.e. shortest-form lengths, definite lengths, no
// duplicate map keys, no trailing bytes, no floats, nothing past depth 8. cbor-x and cborg are
// lenient by default or differ in corner cases, and a verdict must not depend on them; this
// decoder says "malformed" exactly where the hub does, in about 150 lines.
//
// Values: unsigned/negative integers are Numbers (outside the safe range: BigInt, which every
// check then refuses), byte strings Uint8Array, text strings String, arrays Array, maps Map
// (keys: integers or text only), tags {tag, value}, null, true, false.

export class CborError extends Error {}

const MAX_DEPTH = 8;
// Tags that cbor2 turns into values of their own (dates, bignums, decimals, sets, ...): the
// hub never takes them as written (a bignum 5 reads back as the integer 5), so neither do we.
// Found by tests/checkpoints/test_browser_cbor.py; a permit uses only tags 18 and 98.
const MEANINGFUL_TAGS = new Set([
  0, 1, 2, 3, 4, 5, 25, 28, 29, 30, 35, 36, 37, 52, 54, 100, 256, 258, 260, 261, 1004, 55799,
]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

export function decode(bytes) {
  const reader = { bytes, at: 0 };
  const value = item(reader, 0);
  if (reader.at !== bytes.length) throw new CborError("trailing bytes");
  return value;
}

function take(reader, n) {
  if (reader.at + n > reader.bytes.length) throw new CborError("truncated");
  const out = reader.bytes.subarray(reader.at, reader.at + n);
  reader.at += n;
  return out;
}

// The argument of a head, refusing any length that a shorter head could have carried.
function argument(reader, info) {
  if (info < 24) return info;
  if (info === 24) {
    const v = take(reader, 1)[0];
    if (v < 24) throw new CborError("not shortest form");
    return v;
  }
  if (info === 25) {
    const b = take(reader, 2);
    const v = (b[0] << 8) | b[1];
    if (v < 0x100) throw new CborError("not shortest form");
    return v;
  }
  if (info === 26) {
    const b = take(reader, 4);
    const v = ((b[0] << 24) >>> 0) + (b[1] << 16) + (b[2] << 8) + b[3];
    if (v < 0x10000) throw new CborError("not shortest form");
    return v;
  }
  if (info === 27) {
    const b = take(reader, 8);
    let v = 0n;
    for (const byte of b) v = (v << 8n) | BigInt(byte);
    if (v < 0x100000000n) throw new CborError("not shortest form");
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  throw new CborError("indefinite length or reserved");
}

function length(reader, info) {
  const n = argument(reader, info);
  if (typeof n !== "number" || n > reader.bytes.length - reader.at) {
    throw new CborError("length beyond the data");
  }
  return n;
}

function item(reader, depth) {
  if (depth > MAX_DEPTH) throw new CborError("too deep");
  const head = take(reader, 1)[0];
  const major = head >> 5;
  const info = head & 31;
  switch (major) {
    case 0:
      return argument(reader, info);
    case 1: {
      const n = argument(reader, info);
      return typeof n === "number" ? -1 - n : -1n - n;
    }
    case 2:
      return take(reader, length(reader, info)).slice();
    case 3: {
      try {
        return utf8.decode(take(reader, length(reader, info)));
      } catch (error) {
        if (error instanceof CborError) throw error;
        throw new CborError("invalid UTF-8");
      }
    }
    case 4: {
      const n = length(reader, info);
      const out = [];
      for (let i = 0; i < n; i++) out.push(item(reader, depth + 1));
      return out;
    }
    case 5: {
      const n = length(reader, info);
      const out = new Map();
      for (let i = 0; i < n; i++) {
        const key = item(reader, depth + 1);
        if (!(typeof key === "string" || (typeof key === "number" && Number.isInteger(key)))) {
          throw new CborError("map key neither integer nor text");
        }
        if (out.has(key)) throw new CborError("duplicate map key");
        out.set(key, item(reader, depth + 1));
      }
      return out;
    }
    case 6: {
      const tag = argument(reader, info);
      if (MEANINGFUL_TAGS.has(tag)) throw new CborError("tag the hub reads as a value");
      return new Tagged(tag, item(reader, depth + 1));
    }
    default:
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      throw new CborError("float or simple value");
  }
}

// --- encoding: only what Sig_structure and Sig1_structure need --------------------------------

function head(major, n) {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 255];
  return [(major << 5) | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function encodeArray(parts) {
  // parts: Uint8Array (byte string) or String (text string)
  const chunks = [Uint8Array.from(head(4, parts.length))];
  for (const part of parts) {
    const bytes = typeof part === "string" ? new TextEncoder().encode(part) : part;
    chunks.push(Uint8Array.from(head(typeof part === "string" ? 3 : 2, bytes.length)), bytes);
  }
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
