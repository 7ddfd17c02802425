// Offline permit verification in the browser: the same verdict, status and code, as the hub's
// tansiq/verifier/verify.py and the device rule of tansiq/checkpoints/client.py for the same
// inputs. The formats are documented in tansiq/permits/token.py and tansiq/permits/trust.py;
// every rule names the Python it mirrors. Nothing here throws on bad input: a token that
// cannot be read is the verdict "malformed", bad trust data is a TrustError with a code.

import { hex, verifySignature } from "./keys.js";
import { decodeToken, sigStructure } from "./token.js";
import { trustedAt } from "./trust.js";
import { inDaylight, sunTimes } from "./sun.js";

export { fromBase64, toBase64 } from "./keys.js";
export {
  RevocationState, TrustError, deltasOf, governanceKeys, loadRevocations, loadTrustList,
} from "./trust.js";

const ROLE_PERMITS = "permits";

export const PRECEDENCE = [
  "malformed", "forged", "unknown_key", "missing_signature", "revoked", "suspended", "expired",
  "not_yet_valid", "off_route", "condition_via", "condition_daylight", "stale", "valid",
];


// --- the verdict (verifier/verify.py) ------------------------------------------------------------

// A verdict's times are kept as ISO 8601 in UTC to the minute, as verify.py keeps them
// ("2026-11-25T14:10+00:00"), and written for the reader only when shown (timefmt.js).
function iso(ms) {
  return new Date(ms).toISOString().slice(0, 16) + "+00:00";
}

// The verdict on token `text` at `at` (milliseconds since the epoch). Never throws.
//   trust: from loadTrustList; revocations: a RevocationState or null; checkpoint: code or null;
//   dataAsOf: seconds (default: the newest revocation delta's issue time, or the trust list's
//   without revocation data: data age means the same here as in tansiq/verifier/verify.py);
//   maxDataAge: milliseconds (default 24 h), past which the data earns a warning (dataOld);
//   hardDataAge: milliseconds (default 7 days), past which the verdict is "stale".
//   position: [lon, lat] of the checkpoint or null (then "daylight only" is not evaluated).
// permitStatus is what the permit's own checks say whatever the data's age.
export async function verify(text, {
  trust, revocations, at, checkpoint = null, dataAsOf = null, maxDataAge = 24 * 3600e3, hardDataAge = 168 * 3600e3,
  position = null,
}) {
  if (dataAsOf === null) {
    dataAsOf = revocations !== null && revocations.asOf !== null ? revocations.asOf : trust.issuedAt;
  }
  const dataAge = at - dataAsOf * 1000;
  let token;
  try {
    token = await decodeToken(text);
  } catch {
    // Malformed, or anything else the input provoked: either way the code cannot be read.
    return {
      status: "malformed", reason: "malformed", params: {}, dataAge, claims: null, findings: ["malformed"], authorities: [],
      permitStatus: "malformed", dataOld: false,
    };
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
  for (const condition of claims.conditions) {
    if (condition.kind === "via_checkpoints" && checkpoint !== null) {
      const via = condition.detail.split(",").map(normaliseCode).filter(Boolean);
      if (via.length && !via.includes(normaliseCode(checkpoint))) {
        found.add("condition_via");
        params.via = condition.detail;
      }
    } else if (condition.kind === "daylight_only" && position !== null) {
      const [lon, lat] = position;
      if (!inDaylight(at, lat, lon)) {
        found.add("condition_daylight");
        const local = at + 4.0 * lon * 60e3;
        const times = sunTimes(Math.floor(local / 86400e3) * 86400e3, lat, lon);
        params.sunrise = times === null ? "-" : iso(times[0]);
        params.sunset = times === null ? "-" : iso(times[1]);
      }
    }
  }
  let reason = null;
  if (revocations === null || revocations.asOf === null) {
    found.add("stale");
    reason = "no_revocations";
  } else if (dataAge > hardDataAge) {
    found.add("stale");
  }
  const dataOld = revocations !== null && revocations.asOf !== null && dataAge > maxDataAge && dataAge <= hardDataAge;
  const findings = PRECEDENCE.filter((status) => found.has(status));
  const own = findings.filter((status) => status !== "stale");
  const status = findings.length ? findings[0] : "valid";
  Object.assign(params, {
    exp: iso(claims.exp * 1000),
    nbf: iso(claims.nbf * 1000),
    checkpoint: checkpoint || "",
    count: String(Math.floor(dataAge / 3600e3)),
  });
  return {
    status,
    reason: status === "stale" && reason ? reason : status,
    params,
    dataAge,
    claims,
    findings,
    authorities,
    permitStatus: own.length ? own[0] : "valid",
    dataOld,
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
    permitStatus: "missing_signature",
  };
}
