// The advisories and incidents near this checkpoint, carried offline: the signed bundle the
// device pull brings (tansiq/checkpoints/advisory_bundle.py), verified under the governance
// keys like the trust list and the revocations, kept in IndexedDB with them, checked again at
// every start, shown on the scan screen, and named in the verdict of a permit whose route
// they affect (the verdict itself stays as the permit's checks say: this is a warning beside
// it, never a verdict that hides the answer).

import { decode as cborDecode } from "./cbor.js";
import { codePoints, fromBase64, isInt, isMap } from "./keys.js";
import { TrustError, openSign1 } from "./trust.js";

const TYPE = "tq-advisories";
const KINDS = new Set(["incident", "advisory"]);
const REQUIRED = [1, 2, 3, 4, 5, 6, 9, 10, 11, 12];
const MAX_ITEMS = 200;
const MAX_SECONDS = 253402300799;
const SEVERITY_ORDER = { extreme: 0, severe: 1, moderate: 2, minor: 3 };

const root = document.getElementById("officer");
const LANG = root ? root.dataset.lang : "en";
const T = root ? JSON.parse(root.dataset.labels).text : {};
const box = document.getElementById("cp-advisories");
const WORDS = box ? JSON.parse(box.dataset.words || "{}") : {};
const ZONE = box ? box.dataset.timeZone || "UTC" : "UTC";

function invalid() {
  return new TrustError("trust.invalid");
}

function text(value, longest, empty = false) {
  if (!(typeof value === "string" && (empty || value.length > 0) && codePoints(value) <= longest)) throw invalid();
  return value;
}

function seconds(value) {
  if (!(isInt(value) && value >= 0 && value <= MAX_SECONDS)) throw invalid();
  return value;
}

function list(value) {
  if (!Array.isArray(value)) throw invalid();
  return value;
}

function strict(bytes) {
  try {
    return cborDecode(bytes);
  } catch {
    throw invalid();
  }
}

function itemOf(value) {
  if (!(isMap(value) && REQUIRED.every((k) => value.has(k)) && [...value.keys()].every((k) => isInt(k) && k >= 1 && k <= 12))) {
    throw invalid();
  }
  const kind = text(value.get(2), 20);
  const party = list(value.get(12));
  const distance = value.get(9);
  if (!(KINDS.has(kind) && party.length === 2 && isInt(distance) && distance >= 0)) throw invalid();
  return {
    reference: text(value.get(1), 40),
    kind,
    type: text(value.get(3), 40),
    severity: text(value.get(4), 20, true),
    state: text(value.get(5), 20),
    start: seconds(value.get(6)),
    end: value.has(7) ? seconds(value.get(7)) : null,
    description: value.has(8) ? text(value.get(8), 1000) : "",
    distance,
    permits: list(value.get(10)).map((v) => text(v, 64)),
    checkpoints: list(value.get(11)).map((v) => text(v, 40)),
    party: { ar: text(party[0], 200, true), en: text(party[1], 200, true) },
  };
}

// A signed bundle (base64), verified: {issuedAt, checkpoint, items, raw}. One made for another
// checkpoint than `checkpoint` is refused: it is not this device's.
export async function loadAdvisories(signed, governance, checkpoint = null) {
  if (!signed) return null;
  const payload = await openSign1(fromBase64(signed), governance);
  const body = strict(payload);
  if (!(isMap(body) && body.size === 4 && [0, 1, 2, 3].every((k) => body.has(k)) && body.get(0) === TYPE
    && Array.isArray(body.get(3)) && body.get(3).length <= MAX_ITEMS)) {
    throw invalid();
  }
  const code = text(body.get(2), 40);
  if (checkpoint && code !== checkpoint) throw invalid();
  return { issuedAt: seconds(body.get(1)), checkpoint: code, items: body.get(3).map(itemOf), raw: signed };
}

// What a pull brought, checked before anything is stored: the bundle to keep (base64), which
// is the held one when the hub sent none or an older one (a replay must not hide a closure
// announced since). Bad data refuses the whole pull, like a bad trust list.
export async function acceptAdvisories(signed, governance, info, held) {
  const checkpoint = info && info.checkpoint ? info.checkpoint : null;
  const fresh = await loadAdvisories(signed || null, governance, checkpoint);
  if (!fresh) return held || null;
  let kept = null;
  try {
    kept = await loadAdvisories(held || null, governance, checkpoint);
  } catch {
    kept = null; // a held bundle no longer trusted (a key gone): the fresh one replaces it
  }
  return kept && kept.issuedAt > fresh.issuedAt ? held : signed;
}

// --- words and times ---------------------------------------------------------------------------

// In the deployment's time zone, in the app's own date format, with the zone named (the rest
// of the app may still write UTC).
const DAY_TIME = new Intl.DateTimeFormat(LANG, { dateStyle: "medium", timeStyle: "short", hourCycle: "h23", timeZone: ZONE });
const ZONE_NAME = new Intl.DateTimeFormat(LANG, { timeZone: ZONE, timeZoneName: "short" });
function when(s) {
  const at = new Date(s * 1000);
  const zone = ZONE_NAME.formatToParts(at).find((part) => part.type === "timeZoneName");
  return zone ? `${DAY_TIME.format(at)} ${zone.value}` : DAY_TIME.format(at);
}

function distance(metres) {
  const km = metres / 1000;
  return km < 1
    ? new Intl.NumberFormat(LANG, { style: "unit", unit: "meter", maximumFractionDigits: 0 }).format(Math.round(metres / 10) * 10)
    : new Intl.NumberFormat(LANG, { style: "unit", unit: "kilometer", maximumFractionDigits: 1 }).format(km);
}

const word = (table, code) => (WORDS[table] && WORDS[table][code]) || "";
const partyName = (item) => (LANG === "ar" ? item.party.ar || item.party.en : item.party.en || item.party.ar);
const fill = (template, params) => String(template || "").replace(/\{(\w+)\}/g, (whole, name) => (name in params ? params[name] : whole));
const isolate = (value) => `\u2068${value}\u2069`;

export function currentItems(bundle, nowMs = Date.now()) {
  if (!bundle) return [];
  const now = nowMs / 1000;
  return bundle.items.filter((item) => item.end === null || now < item.end);
}

// Whether an item concerns a permit: the hub found its route affected, or it closes a
// checkpoint the permit's route passes.
export function affects(item, claims) {
  return item.permits.includes(claims.cti) || item.checkpoints.some((code) => claims.checkpoints.includes(code));
}

function rank(item, here) {
  const closesHere = here && item.checkpoints.includes(here) ? 0 : 1;
  return [closesHere, SEVERITY_ORDER[item.severity] ?? 4, item.distance];
}

function ordered(items, here) {
  return items.slice().sort((a, b) => {
    const [x, y] = [rank(a, here), rank(b, here)];
    return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
  });
}

function headline(item) {
  const type = word("types", item.type) || word("kinds", item.kind);
  return `${type} · ${isolate(item.reference)}`;
}

function period(item) {
  return item.kind === "incident" || item.end === null
    ? fill(T.cp_adv_since, { time: isolate(when(item.start)) })
    : fill(T.cp_adv_window, { start: isolate(when(item.start)), end: isolate(when(item.end)) });
}

function describe(item, here) {
  const li = document.createElement("li");
  li.className = "cp-adv-item";
  li.dataset.reference = item.reference;
  li.dataset.severity = item.severity;
  const head = document.createElement("p");
  const title = document.createElement("strong");
  title.textContent = headline(item);
  head.append(title);
  if (item.severity) {
    const pill = document.createElement("span");
    pill.className = `pill in-sev-${item.severity}`;
    pill.textContent = word("severities", item.severity);
    head.append(" ", pill);
  }
  const state = word("states", item.state);
  if (state) {
    const pill = document.createElement("span");
    pill.className = "pill";
    pill.textContent = state;
    head.append(" ", pill);
  }
  li.append(head);
  const facts = [period(item)];
  if (here && item.checkpoints.includes(here)) facts.unshift(T.cp_adv_closes_here);
  else facts.push(fill(T.cp_adv_distance, { distance: isolate(distance(item.distance)) }));
  const name = partyName(item);
  if (name) facts.push(fill(T.cp_adv_by, { party: isolate(name) }));
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = facts.join(" · ");
  li.append(meta);
  if (item.description) {
    const said = document.createElement("p");
    said.dir = "auto";
    said.textContent = item.description; // never innerHTML: a party wrote it
    li.append(said);
  }
  return li;
}

// The list on the scan screen: what is current here, the most pressing first, and how old
// the list is (it is as of the last sync).
export function showAdvisories(bundle, info, nowMs = Date.now()) {
  if (!box) return;
  const here = info && info.checkpoint ? info.checkpoint : null;
  const items = ordered(currentItems(bundle, nowMs), here);
  const target = box.querySelector("#cp-adv-list");
  target.replaceChildren(...items.map((item) => describe(item, here)));
  box.querySelector("#cp-adv-none").hidden = items.length > 0;
  box.dataset.count = String(items.length);
  box.classList.toggle("cp-adv-some", items.length > 0);
  const asOf = box.querySelector("#cp-adv-as-of");
  asOf.hidden = !bundle;
  asOf.textContent = bundle ? fill(T.cp_adv_as_of, { time: isolate(when(bundle.issuedAt)) }) : "";
  const closed = here ? items.filter((item) => item.checkpoints.includes(here)) : [];
  const banner = box.querySelector("#cp-adv-banner");
  banner.hidden = !closed.length;
  banner.textContent = closed.length ? fill(T.cp_adv_here_closed, { reference: isolate(closed[0].reference) }) : "";
}

// In the verdict: a clear line for each current item that affects this permit's route.
export function showRouteWarning(verdict, bundle, nowMs = Date.now()) {
  const warning = document.getElementById("cp-advisory-warning");
  if (!warning) return;
  const claims = verdict.claims;
  const found = claims ? ordered(currentItems(bundle, nowMs).filter((item) => affects(item, claims)), null) : [];
  warning.replaceChildren();
  warning.hidden = !found.length;
  warning.dataset.count = String(found.length);
  if (!found.length) return;
  const title = document.createElement("strong");
  title.textContent = `⚠ ${T.cp_adv_route_affected}`;
  const lines = document.createElement("ul");
  for (const item of found) {
    const li = document.createElement("li");
    const parts = [headline(item), period(item)];
    if (item.description) parts.push(item.description);
    li.textContent = parts.join(" — ");
    lines.append(li);
  }
  warning.append(title, lines);
}
