// Checking the driver, offline: the ID number the officer types against the salted scrypt hash
// the permit carries (tansiq/permits/id_hash.py). WebCrypto has no scrypt, so the hash comes
// from the vendored @noble/hashes. The typed number is normalised exactly as the hub does
// before hashing; tests/e2e/test_driver_check.py holds the two to one answer.

import { scryptAsync } from "../vendor/noble-hashes/scrypt.js";

// Python's str.isspace(), character for character (JS's \s differs: it takes U+FEFF and not
// U+001C to U+001F or U+0085).
const SPACE = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
// Any dash punctuation (Pd), and the minus sign, which a phone keyboard may offer instead.
const DASH = /[\p{Pd}\u2212]/u;
const DIGIT = /\p{Nd}/u;

// id_hash.ID_HASH_COST
const COST = { N: 2 ** 14, r: 8, p: 1, dkLen: 32, maxmem: 64 * 1024 * 1024 };

// A decimal digit's value: Unicode keeps each script's digits 0 to 9 in one contiguous run.
function digitValue(char) {
  const point = char.codePointAt(0);
  let start = point;
  while (start > 0 && DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
  return (point - start) % 10;
}

// id_hash.normalise_id_number: digits of any script as ASCII, no spaces or dashes, upper case.
export function normaliseIdNumber(value) {
  let out = "";
  for (const char of String(value).normalize("NFC")) {
    if (DIGIT.test(char)) out += String(digitValue(char));
    else if (!(SPACE.test(char) || DASH.test(char))) out += char.toUpperCase();
  }
  return out;
}

export async function hashIdNumber(idNumber, salt) {
  return scryptAsync(new TextEncoder().encode(normaliseIdNumber(idNumber)), salt, COST);
}

// Whether `typed` is the ID number of the permit's driver (claims.driver from token.js).
// An empty number never matches.
export async function driverMatches(driver, typed) {
  if (!normaliseIdNumber(typed)) return false;
  const hash = await hashIdNumber(typed, driver.idSalt);
  let diff = hash.length ^ driver.idHash.length;
  for (let i = 0; i < hash.length; i += 1) diff |= hash[i] ^ driver.idHash[i];
  return diff === 0;
}

// The driver's name in every script the permit spells it, Arabic first.
export function driverNames(driver) {
  return [driver.nameAr, driver.name].filter(Boolean);
}
