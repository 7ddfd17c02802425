// The checkpoint officer's offline app: enrol with a device token, sync trust data from the
// hub, check permits (camera, paste or hardware scanner) with no network, and queue what the
// officer did in IndexedDB until the hub has acknowledged it.

import {
  TrustError, deltasOf, fromBase64, governanceKeys, loadRevocations, loadTrustList,
  signedByOperator, toBase64, verify,
} from "./verify.js";
import { dropEvents, firstEvents, getMeta, putMeta, queueEvent, queueLength } from "./store.js";
import { startCamera, stopCamera, theDecoder } from "./camera.js";
import { driverMatches, driverNames } from "./driver.js";
import { enrolmentToken, tell } from "./officer.js";
import { followGovernance, requireKnownSigner } from "./trust.js";
import { seenHead, witness } from "./witness.js";
import { acceptAdvisories, loadAdvisories, showAdvisories, showRouteWarning } from "./advisories.js";
import { clockFace, onTheClock } from "./timefmt.js";

const root = document.getElementById("officer");
const LANG = root.dataset.lang;
const LABELS = JSON.parse(root.dataset.labels);
const T = LABELS.text;
const NOTE_REQUIRED = new Set(JSON.parse(root.dataset.noteRequired));
const MAX_AGE_MS = Number(root.dataset.maxAgeHours) * 3600e3;
const HARD_AGE_MS = Number(root.dataset.hardLimitHours) * 3600e3;
const BATCH = 500;
const SYNC_EVERY_MS = 60e3;
const $ = (id) => document.getElementById(id);

// --- state ---------------------------------------------------------------------------------------

const state = {
  token: null, governance: null, trust: null, revocations: null, authority: "", advisories: null,
  info: null, expected: [], lastSync: null, syncing: false, verdict: null, driverCheck: null,
};

// Rebuild everything from the stored signed bytes, checking every signature again.
async function loadState() {
  state.token = (await getMeta("token")) || null;
  const pinned = await getMeta("governance");
  state.lastSync = (await getMeta("lastSync")) || null;
  state.info = (await getMeta("info")) || null;
  state.expected = (await getMeta("expected")) || [];
  state.authority = (await getMeta("authority")) || "";
  if (state.info && state.info.time_zone) face = clockFace(LANG, state.info.time_zone);
  state.trust = null;
  state.revocations = null;
  if (!pinned || !pinned.length) return;
  state.governance = await governanceKeys(pinned.map(fromBase64));
  const trust = await getMeta("trust");
  if (trust) state.trust = await loadTrustList(fromBase64(trust), state.governance);
  const deltas = (await getMeta("deltas")) || [];
  state.revocations = await loadRevocations(deltas.map(fromBase64), state.governance);
  state.advisories = await loadAdvisories(await getMeta("advisories"), state.governance).catch(() => null);
}

// --- words on the screen ---------------------------------------------------------------------------

// A text with a number comes as its forms by plural category ({zero, one, two, few, many,
// other} in Arabic); the count (n, or else params.count) picks one, as the hub's ngettext would.
function fill(template, params, n) {
  if (typeof template !== "string") {
    const count = n === undefined ? Number(params.count) : n;
    template = template[new Intl.PluralRules(LANG).select(count)] || template.other;
  }
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? params[name] : whole));
}

// Times on the town's clock (the hub's time_zone, learned with every sync), in the language's
// one format: the same as the hub's pages write them.
let face = clockFace(LANG, root.dataset.timeZone);
const when = (ms) => face.when(ms);

// Names in the reader's script (the hub sends both with every sync); the code if unknown.
function nameOf(kind, code) {
  const names = state.info && state.info.names ? state.info.names[kind] || {} : {};
  const found = names[code] || names[String(code).toLowerCase()] || names[String(code).toUpperCase()];
  return found ? found[LANG] || found.en || found.ar || code : code;
}
const LIST = LANG === "ar" ? "\u060c " : ", ";
const places = (codes) => codes.map((code) => nameOf("checkpoints", code.trim())).join(LIST);

function duration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60e3));
  const [value, unit] = minutes < 120 ? [minutes, "minute"] : minutes < 2880 ? [Math.floor(minutes / 60), "hour"] : [Math.floor(minutes / 1440), "day"];
  return new Intl.NumberFormat(LANG, { style: "unit", unit, unitDisplay: "long" }).format(value);
}

function say(text) {
  $("cp-message").textContent = text;
}

async function renderStatus() {
  const enrolled = Boolean(state.token);
  $("cp-enrol").hidden = enrolled;
  $("cp-sync").hidden = !enrolled;
  $("cp-sync").disabled = state.syncing;
  if (state.info && state.info.checkpoint) {
    const name = state.info.name ? state.info.name[LANG] || state.info.name.en || state.info.name.ar : "";
    // The name in the reader's script; the code, which the officer may need to quote, small.
    const code = document.createElement("code");
    code.className = "details";
    code.textContent = state.info.checkpoint;
    const shown = document.createElement("bdi");
    shown.textContent = name || state.info.checkpoint;
    $("cp-here").replaceChildren(...(name ? [shown, " ", code] : [shown]));
  } else {
    $("cp-here").textContent = enrolled ? T.cp_unknown : T.cp_not_enrolled;
  }
  $("cp-queue").textContent = new Intl.NumberFormat(LANG).format(await queueLength());
  $("cp-last-sync").textContent = state.lastSync ? when(state.lastSync) : T.cp_never;
  const asOf = state.revocations && state.revocations.asOf;
  const age = asOf ? Date.now() - asOf * 1000 : null;
  $("cp-data-age").textContent = age === null ? T.cp_unknown : duration(age);
  const stale = enrolled && (age === null || age > MAX_AGE_MS);
  $("cp-stale").hidden = !stale;
  $("cp-stale").textContent = fill(T.cp_stale_warning, { count: new Intl.NumberFormat(LANG).format(MAX_AGE_MS / 3600e3) }, MAX_AGE_MS / 3600e3);
  $("cp-net").textContent = navigator.onLine ? T.cp_online : T.cp_offline;
  const alarm = await getMeta("witnessAlarm");
  $("cp-witness").hidden = !alarm;
  $("cp-witness").textContent = alarm ? alarmText(alarm) : "";
  const list = $("cp-expected");
  list.replaceChildren();
  for (const permit of state.expected) {
    const item = document.createElement("li");
    const number = document.createElement("bdi");
    number.textContent = permit.number;
    item.append(number, " · ", fill(T.cp_valid_until, { time: when(Date.parse(permit.valid_until)) }));
    list.append(item);
  }
  if (!state.expected.length) {
    const item = document.createElement("li");
    item.textContent = T.cp_expected_empty;
    list.append(item);
  }
  showAdvisories(state.advisories, state.info);
}

// --- sync: push the queue in batches, then pull (checked before anything is stored) -----------

// A hub that is only busy (503, 429) or cannot be reached is asked again, waiting a random time
// in the upper half of a doubling ceiling, or longer if its Retry-After says so; every request
// here is safe to repeat (a pull reads, the hub stores each event id once). Any other refusal
// is final. Either way the queue keeps every event the hub has not acknowledged.
const RETRYABLE = new Set([429, 503]);
const ATTEMPTS = 6;
const FIRST_WAIT_MS = 1000;
const LONGEST_WAIT_MS = 60e3;

class HubRefused extends Error {}
class HubBusy extends Error {}
class HubUnreachable extends Error {}
class BadAnswer extends Error {}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Retry-After is delay-seconds or an HTTP date (RFC 9110, 10.2.3); null when absent or unreadable.
function retryAfterMs(response) {
  const value = (response.headers.get("Retry-After") || "").trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

async function hub(path, options = {}) {
  for (let attempt = 1; ; attempt += 1) {
    let response = null;
    try {
      response = await fetch(path, {
        ...options,
        cache: "no-store",
        headers: { ...(options.headers || {}), Authorization: `Device ${state.token}` },
      });
    } catch {
      response = null; // no answer at all: the network, or the hub is down
    }
    if (response && response.ok) {
      try {
        return await response.json();
      } catch {
        throw new BadAnswer(path);
      }
    }
    if (response && !RETRYABLE.has(response.status)) throw new HubRefused(String(response.status));
    const ceiling = Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (attempt - 1));
    let wait = ceiling / 2 + Math.random() * ceiling / 2;
    const asked = response ? retryAfterMs(response) : null;
    if (asked !== null) wait = Math.max(wait, asked);
    // Offline, the "online" event syncs again; a hub asking for a long pause gets it.
    if (attempt >= ATTEMPTS || wait > LONGEST_WAIT_MS || !navigator.onLine) {
      throw response ? new HubBusy(String(response.status)) : new HubUnreachable(path);
    }
    const seconds = Math.ceil(wait / 1000);
    say(fill(T.cp_retrying, {
      count: new Intl.NumberFormat(LANG).format(seconds),
      attempt: new Intl.NumberFormat(LANG).format(attempt + 1),
      attempts: new Intl.NumberFormat(LANG).format(ATTEMPTS),
    }, seconds));
    await sleep(wait);
  }
}

async function push() {
  const total = await queueLength();
  let sent = 0;
  for (;;) {
    const batch = await firstEvents(BATCH);
    if (!batch.length) return;
    await hub("/api/v1/sync/events", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ events: batch.map(({ seq, ...event }) => event) }),
    });
    // Acknowledged: only now do the events leave this device (the hub stores each id once).
    await dropEvents(batch.map((event) => event.seq));
    sent += batch.length;
    const count = Math.max(total, sent);
    say(fill(T.cp_sync_progress, {
      sent: new Intl.NumberFormat(LANG).format(sent),
      count: new Intl.NumberFormat(LANG).format(count),
    }, count));
    await renderStatus();
  }
}
// Trust on first use: the governance keys are pinned from the first answer, then only ever
// extended by following the hub's announcements, each signed by a key already trusted (see
// tansiq/pages/officer.py for why this is no weaker). Everything is checked before anything
// is stored; the ledger head is witnessed last, and a head that does not follow from the one
// held is refused and reported while the signed trust data is kept.
async function pull() {
  const since = state.revocations ? state.revocations.seq : 0;
  const held = (await getMeta("ledgerHead")) || null;
  const query = `revocations_since=${since}&snapshots=true${held ? `&head_size=${held.size}` : ""}`;
  const answer = await hub(`/api/v1/sync/pull?${query}`);
  const stored = await getMeta("governance");
  const pinned = stored && stored.length ? stored : answer.governance_keys;
  if (!pinned.length) throw new TrustError("trust.no_governance_keys"); // nothing to pin yet
  let seen = null;
  try {
    seen = answer.ledger ? seenHead(answer.ledger) : null;
  } catch {
    throw new BadAnswer("ledger");
  }
  const chain = (answer.governance_chain || []).map(fromBase64);
  const followed = await followGovernance(pinned.map(fromBase64), chain, (await getMeta("governanceSeq")) || 0);
  const governance = await governanceKeys(followed.keys);
  let trust = await getMeta("trust");
  if (answer.trust_list !== null) {
    const minSeq = state.trust ? state.trust.seq : 0;
    const signed = fromBase64(answer.trust_list);
    await requireKnownSigner(signed, followed.keys);
    await loadTrustList(signed, governance, minSeq);
    trust = answer.trust_list;
  }
  const known = (await getMeta("deltas")) || [];
  const fresh = deltasOf(fromBase64(answer.revocations));
  for (const item of fresh) await requireKnownSigner(item, followed.keys);
  // Refuses unsigned items and gaps; a snapshot replaces the deltas it folds.
  const folded = await loadRevocations([...known.map(fromBase64), ...fresh], governance);
  const alarm = seen ? await witness(held, seen, governance) : null;
  const info = await hub("/checkpoint/device");
  const advisories = await acceptAdvisories(answer.advisories, governance, info, await getMeta("advisories"));
  await putMeta({
    advisories,
    governance: followed.keys.map(toBase64), governanceSeq: followed.seq, trust,
    deltas: folded.kept.map(toBase64), authority: answer.authority, info,
    expected: answer.expected.map(({ number, valid_until: validUntil }) => ({ number, valid_until: validUntil })),
    lastSync: Date.now(),
  });
  if (seen && !alarm) await putMeta({ ledgerHead: seen, witnessAlarm: null });
  if (alarm) {
    // Kept on the device (and shown) until a head that follows is accepted.
    const report = {
      code: alarm, held_size: held ? held.size : 0, held_root: held ? held.root : seen.root,
      seen_size: seen.size, seen_root: seen.root, seen_kid: seen.kid, seen_signed_at: seen.signedAt,
    };
    await putMeta({ witnessAlarm: report });
    await hub("/api/v1/sync/witness-reports", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(report),
    });
  }
  return alarm;
}

function alarmText(report) {
  const number = (n) => new Intl.NumberFormat(LANG).format(n);
  return fill(T[`cp_${report.code.replace(".", "_")}`], { held: number(report.held_size), seen: number(report.seen_size) });
}

async function sync() {
  if (state.syncing || !state.token) return;
  state.syncing = true;
  say(T.cp_syncing);
  await renderStatus();
  try {
    // Pull first: a hub whose data this device cannot trust gets none of its queue.
    const alarm = await pull();
    await loadState();
    await push();
    say(alarm ? T.cp_synced_with_warning : T.cp_synced);
  } catch (error) {
    if (error instanceof HubRefused) say(error.message === "401" || error.message === "403" ? T.cp_refused : T.cp_unreachable);
    else if (error instanceof HubBusy) say(T.cp_busy);
    else if (error instanceof BadAnswer) say(T.cp_bad_answer);
    else if (error instanceof TrustError && error.code === "device.governance_key_unknown") say(fill(T.cp_governance_key_unknown, { kid: `\u2068${error.params.kid}\u2069` }));
    else if (error instanceof TrustError) say(T.cp_trust_invalid);
    else say(T.cp_unreachable);
  } finally {
    state.syncing = false;
    await renderStatus();
  }
}

// --- checking a permit -----------------------------------------------------------------------------

const GOOD = new Set(["valid"]);
const DRIVER_REFUSAL = "driver_not_authorised";
const WARN = new Set(["stale"]);
const ICONS = { good: "✓", aging: "✓", conditions: "✓", warn: "!", bad: "✗" };
const ISOLATED = new Set(["number", "plate", "kind", "driver", "cargo", "checkpoints", "conditions", "authorities"]);

async function check(raw) {
  const text = raw.trim();
  if (!text) return;
  if (!state.trust) {
    tell($("cp-check-said"), T.cp_no_trust, "warn");
    return;
  }
  tell($("cp-check-said"), "");
  const verdict = signedByOperator(
    await verify(text, {
      trust: state.trust,
      revocations: state.revocations,
      at: Date.now(),
      checkpoint: state.info ? state.info.checkpoint : null,
      maxDataAge: MAX_AGE_MS, // data age as verify.js counts it, the same everywhere
      hardDataAge: HARD_AGE_MS,
      position: state.info && state.info.position ? state.info.position : null,
    }),
    state.authority,
  );
  state.verdict = verdict;
  showVerdict(verdict);
  await renderStatus(); // the data age, as of this check
}

// Old data (past the warning threshold, within the hard limit) leaves the verdict as the
// permit's checks say, in its own colour, with the age and what it means beside it.
function dataWarning(verdict) {
  if (!verdict.dataOld) return "";
  const hours = Math.floor(verdict.dataAge / 3600e3);
  const [forms, count] = hours < 48 ? [LABELS.dataOld.hours, hours] : [LABELS.dataOld.days, Math.floor(hours / 24)];
  return fill(forms, { count: new Intl.NumberFormat(LANG).format(count) }, count);
}

// Conditions come first, each with what the device could judge: via and daylight are
// evaluated here (verify.js), the escort is the officer's tick, free text is theirs to read.
function showConditions(verdict) {
  const conditions = verdict.claims ? verdict.claims.conditions : [];
  const list = $("cp-conditions");
  list.replaceChildren();
  for (const condition of conditions) {
    const item = document.createElement("li");
    const said = LABELS.conditions[condition.kind] || condition.kind;
    let judged = T.cp_condition_yourself;
    let tone = "";
    if (condition.kind === "via_checkpoints" && state.info && state.info.checkpoint) {
      [judged, tone] = verdict.findings.includes("condition_via") ? [T.cp_condition_failed, "bad"] : [T.cp_condition_met, "good"];
    } else if (condition.kind === "daylight_only" && state.info && state.info.position) {
      [judged, tone] = verdict.findings.includes("condition_daylight") ? [T.cp_condition_failed, "bad"] : [T.cp_condition_met, "good"];
    } else if (condition.kind === "escort_required") {
      judged = T.cp_condition_confirm;
    }
    const name = document.createElement("strong");
    name.textContent = said;
    item.append(name);
    if (condition.detail) {
      const detail = document.createElement("bdi");
      detail.textContent = condition.kind === "via_checkpoints" ? places(condition.detail.split(",")) : condition.detail;
      item.append(": ", detail);
    }
    const mark = document.createElement("span");
    mark.className = `cp-judged ${tone ? `cp-judged-${tone}` : ""}`;
    mark.textContent = `${tone === "good" ? "✓ " : tone === "bad" ? "✗ " : ""}${judged}`;
    item.append(" — ", mark);
    list.append(item);
  }
  $("cp-conditions-box").hidden = !conditions.length;
  return conditions;
}

function showVerdict(verdict) {
  const good = GOOD.has(verdict.status);
  const conditions = showConditions(verdict);
  const tone = good && verdict.dataOld ? "aging" : good && conditions.length ? "conditions" : good ? "good"
    : WARN.has(verdict.status) ? "warn" : "bad";
  const box = $("cp-verdict");
  box.dataset.status = verdict.status;
  box.className = `cp-verdict cp-${tone}`;
  box.querySelector(".cp-icon").textContent = ICONS[tone];
  box.querySelector(".cp-word").textContent = good && conditions.length ? T.cp_word_valid_conditions : T[`cp_word_${verdict.status}`];
  // Codes, times and names keep their own direction inside an Arabic sentence (first-strong
  // isolates, as <bdi> does): "03:58 UTC" must not turn into "UTC 03:58".
  const words = onTheClock(face, verdict.params);
  if (words.checkpoint) words.checkpoint = nameOf("checkpoints", words.checkpoint);
  if (words.authority) words.authority = nameOf("authorities", words.authority);
  if (words.via) words.via = places(words.via.split(","));
  if (words.reason && LABELS.reasonWords[words.reason]) words.reason = LABELS.reasonWords[words.reason];
  const isolated = Object.fromEntries(Object.entries(words).map(([key, value]) => [key, `\u2068${value}\u2069`]));
  $("cp-reason").textContent = fill(LABELS.reasons[verdict.reason], isolated, Number(verdict.params.count));
  const warning = dataWarning(verdict);
  $("cp-data-warning").hidden = !warning;
  $("cp-data-warning").textContent = warning;
  showRouteWarning(verdict, state.advisories);
  const own = verdict.permitStatus && verdict.permitStatus !== verdict.status;
  $("cp-own-checks").hidden = !own;
  $("cp-own-checks").textContent = own ? fill(T.cp_own_checks, { verdict: T[`cp_word_${verdict.permitStatus}`] }) : "";
  const c = verdict.claims;
  const facts = {
    number: c ? `${c.cti}-${c.version}` : "",
    plate: c ? c.vehicle.plate : "",
    kind: c ? LABELS.kinds[c.vehicle.kind] || c.vehicle.kind : "",
    driver: "", // below: each spelling on its own
    cargo: c ? c.cargo || T.cp_none : "",
    window: c ? fill(T.cp_window_value, { start: when(c.nbf * 1000), end: when(c.exp * 1000) }) : "",
    checkpoints: c ? c.checkpoints.map((code) => nameOf("checkpoints", code)).join(" · ") || T.cp_none : "",
    conditions: c ? c.conditions.map((x) => {
      const said = LABELS.conditions[x.kind] || x.kind;
      const detail = x.kind === "via_checkpoints" && x.detail ? places(x.detail.split(",")) : x.detail;
      return detail ? `${said}: ${detail}` : said;
    }).join(" · ") || T.cp_none : "",
    authorities: verdict.authorities.map((code) => nameOf("authorities", code)).join(" · ") || T.cp_none,
    expected: c ? (state.expected.some((e) => e.number === `${c.cti}-${c.version}`) ? T.cp_expected_yes : T.cp_expected_no) : "",
  };
  $("cp-facts").hidden = !c;
  // What the permit says keeps its own direction (an English plate in an Arabic page, say).
  for (const dd of $("cp-facts").querySelectorAll("dd")) {
    if (dd.dataset.fact === "driver" && c) {
      // Each spelling on its own line, isolated: an Arabic and a Latin name must not mix
      // their runs when the line wraps.
      dd.replaceChildren(...driverNames(c.driver).map((name) => {
        const value = document.createElement("bdi");
        value.className = "cp-name";
        value.textContent = name;
        return value;
      }));
    } else if (dd.dataset.fact === "window" && c) {
      // The validity on the town's clock, and in UTC as a second line.
      const local = document.createElement("bdi");
      local.textContent = facts.window;
      const utc = document.createElement("small");
      utc.className = "utc";
      utc.textContent = fill(T.cp_window_value, { start: face.utc(c.nbf * 1000), end: face.utc(c.exp * 1000) });
      dd.replaceChildren(local, document.createElement("br"), utc);
    } else if (ISOLATED.has(dd.dataset.fact)) {
      const value = document.createElement("bdi");
      value.textContent = facts[dd.dataset.fact];
      dd.replaceChildren(value);
    } else {
      dd.textContent = facts[dd.dataset.fact];
    }
  }
  arrangeActions(verdict);
  resetDriverCheck(Boolean(c));
  tell($("cp-recorded"), "");
  $("cp-result").hidden = false;
  $("cp-actions").hidden = false;
  $("cp-result").focus();
}

// Safety first: only a valid verdict offers the passage as the main action. Any other verdict
// puts the refusal first, its reason pre-chosen from the verdict, and lets a vehicle through
// only as an override (a coded reason and a note), recorded and counted as one. So does a
// driver whose ID number does not match the permit's (driverMismatch).
function arrangeActions(verdict, driverMismatch = false) {
  const good = GOOD.has(verdict.status) && !driverMismatch;
  const actions = $("cp-actions");
  const refusal = $("cp-refusal-form");
  const passage = $("cp-passage");
  const override = $("cp-override");
  passage.hidden = !good;
  override.hidden = good;
  override.open = false;
  $("cp-override-reason").value = "";
  $("cp-override-note").value = "";
  const refuse = refusal.querySelector("button");
  refuse.className = good ? "secondary cp-refuse" : "cp-refuse cp-main";
  refuse.textContent = good ? T.cp_refusal : T.cp_refusal_main;
  $("cp-refusal-reason").value = good ? ""
    : driverMismatch && GOOD.has(verdict.status) ? DRIVER_REFUSAL
      : LABELS.refusalFor[verdict.reason] || LABELS.refusalFor[verdict.status] || "";
  if (good) actions.insertBefore(passage, refusal);
  else actions.insertBefore(refusal, passage);
  // An escort is the officer's to confirm: no passage until the box is ticked.
  const escort = good && verdict.claims.conditions.some((c) => c.kind === "escort_required");
  $("cp-escort-row").hidden = !escort;
  $("cp-escort").checked = false;
  passage.disabled = escort;
  if (escort) actions.insertBefore($("cp-escort-row"), passage);
}

$("cp-escort").addEventListener("change", () => {
  $("cp-passage").disabled = !$("cp-escort").checked;
  // Without the escort the refusal's reason is the unmet condition.
  if (!$("cp-escort").checked && !$("cp-refusal-reason").value) $("cp-refusal-reason").value = "condition_escort";
});

async function record(action, reasonCode = null, note = "") {
  const verdict = state.verdict;
  if (!verdict) return;
  const claims = verdict.claims;
  await queueEvent({
    id: crypto.randomUUID(),
    scanned_at: new Date().toISOString(),
    permit: claims ? claims.cti : "unreadable",
    version: claims ? claims.version : 1,
    verdict: verdict.status,
    action,
    reason_code: reasonCode,
    note,
    officer: "",
    // The age of the data the officer decided on (seconds), as verify.js counts it.
    data_age_seconds: Math.max(0, Math.floor(verdict.dataAge / 1000)),
    // The driver check's outcome, recorded with the decision it informed (null: no number typed).
    driver_check: state.driverCheck,
  });
  state.verdict = null;
  state.driverCheck = null;
  $("cp-actions").hidden = true;
  $("cp-driver-check").hidden = true;
  // Said where the officer tapped: the actions fold away and this takes their place.
  tell($("cp-recorded"), { passage: T.cp_recorded_passage, override: T.cp_recorded_override }[action] || T.cp_recorded_refusal, "good");
  $("cp-next").focus();
  await renderStatus();
  if (navigator.onLine) sync();
}

// --- the camera: the best decoder the device has (camera.js, scan.js) ---------------------------------

const PERMIT_CAMERA = {
  video: $("cp-video"), start: $("cp-camera-start"), stop: $("cp-camera-stop"), help: $("cp-camera-help"),
};
const ENROL_CAMERA = {
  video: $("cp-enrol-video"), start: $("cp-enrol-camera-start"), stop: $("cp-enrol-camera-stop"), help: $("cp-enrol-camera-help"),
};

async function scanPermits() {
  tell($("cp-check-said"), "");
  const started = await startCamera(PERMIT_CAMERA, (text) => {
    $("cp-code").value = text;
    check(text);
    return true;
  });
  if (!started) tell($("cp-check-said"), T.cp_camera_failed, "warn");
}

// The enrolment code the admin's page shows: a link to this app with the device token in its
// fragment (or the bare token). Anything else is said to be no enrolment code, and scanning goes on.
async function scanEnrolment() {
  tell($("cp-enrol-said"), "");
  const started = await startCamera(ENROL_CAMERA, (text) => {
    const token = enrolmentToken(text);
    if (!token) {
      tell($("cp-enrol-said"), T.cp_not_enrolment_code, "warn");
      return false;
    }
    enrol(token);
    return true;
  });
  if (!started) tell($("cp-enrol-said"), T.cp_camera_failed, "warn");
}

// --- checking the driver: the typed ID number against the permit's salted hash (driver.js) -----------

function resetDriverCheck(shown) {
  state.driverCheck = null;
  $("cp-driver-check").hidden = !shown;
  $("cp-driver-id").value = "";
  const mark = $("cp-driver-mark");
  mark.textContent = "";
  mark.className = "cp-driver-mark";
  tell($("cp-driver-said"), "");
}

async function checkDriver() {
  const verdict = state.verdict;
  const typed = $("cp-driver-id").value;
  if (!verdict || !verdict.claims) return;
  if (!typed.trim()) {
    tell($("cp-driver-said"), T.cp_driver_id_required, "warn");
    $("cp-driver-id").focus();
    return;
  }
  const button = $("cp-driver-form").querySelector("button");
  button.disabled = true;
  $("cp-driver-mark").textContent = "";
  // scrypt is slow on purpose (a guess must cost): a moment on a cheap phone.
  tell($("cp-driver-said"), T.cp_driver_checking);
  try {
    const matches = await driverMatches(verdict.claims.driver, typed);
    const mark = $("cp-driver-mark");
    mark.textContent = matches ? "✓" : "✗";
    mark.className = `cp-driver-mark cp-driver-${matches ? "good" : "bad"}`;
    mark.dataset.matches = String(matches);
    state.driverCheck = matches ? "match" : "mismatch";
    tell($("cp-driver-said"), matches ? T.cp_driver_matches : T.cp_driver_differs, matches ? "good" : "bad");
    // Not the permit's driver: the refusal comes first, as for a bad verdict.
    arrangeActions(verdict, !matches);
  } finally {
    button.disabled = false;
  }
}

// --- wiring ----------------------------------------------------------------------------------------

async function enrol(token) {
  const clean = enrolmentToken(token);
  if (!clean) {
    tell($("cp-enrol-said"), T.cp_not_enrolment_code, "warn");
    return;
  }
  stopCamera();
  await putMeta({ token: clean });
  state.token = clean;
  say(T.cp_enrolled);
  await renderStatus();
  await sync();
}

$("cp-enrol-form").addEventListener("submit", (event) => {
  event.preventDefault();
  enrol($("cp-token").value);
  $("cp-token").value = "";
});
$("cp-check-form").addEventListener("submit", (event) => {
  event.preventDefault();
  check($("cp-code").value);
});
// A hardware scanner types the code and presses Enter: check at once.
$("cp-code").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    check($("cp-code").value);
  }
});
$("cp-passage").addEventListener("click", () => record("passage"));
$("cp-refusal-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const reason = $("cp-refusal-reason").value;
  const note = $("cp-note").value.trim();
  if (!reason) {
    tell($("cp-refusal-said"), T.cp_reason_required, "warn");
    $("cp-refusal-reason").focus();
    return;
  }
  if (NOTE_REQUIRED.has(reason) && !note) {
    tell($("cp-refusal-said"), T.cp_note_required, "warn");
    $("cp-note").focus();
    return;
  }
  tell($("cp-refusal-said"), "");
  record("refusal", reason, note);
  $("cp-note").value = "";
  $("cp-refusal-reason").value = "";
});
$("cp-override-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const reason = $("cp-override-reason").value;
  const note = $("cp-override-note").value.trim();
  if (!reason) {
    tell($("cp-override-said"), T.cp_override_reason_required, "warn");
    $("cp-override-reason").focus();
    return;
  }
  if (!note) {
    tell($("cp-override-said"), T.cp_override_note_required, "warn");
    $("cp-override-note").focus();
    return;
  }
  tell($("cp-override-said"), "");
  record("override", reason, note);
});
$("cp-next").addEventListener("click", () => {
  $("cp-result").hidden = true;
  $("cp-code").value = "";
  $("cp-code").focus();
});
$("cp-sync").addEventListener("click", () => sync());
$("cp-camera-start").addEventListener("click", () => scanPermits());
$("cp-camera-stop").addEventListener("click", () => stopCamera());
$("cp-enrol-camera-start").addEventListener("click", () => scanEnrolment());
$("cp-enrol-camera-stop").addEventListener("click", () => stopCamera());
$("cp-driver-form").addEventListener("submit", (event) => {
  event.preventDefault();
  checkDriver();
});
window.addEventListener("online", () => { renderStatus(); sync(); });
window.addEventListener("offline", () => renderStatus());
setInterval(() => { renderStatus(); if (navigator.onLine) sync(); }, SYNC_EVERY_MS);

// The admin pages link to /checkpoint#enrol=<device token>: read it, then take it out of the
// address bar (and so out of the history) at once.
function offeredToken() {
  const offered = new URLSearchParams(location.hash.slice(1)).get("enrol");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return offered;
}

window.addEventListener("hashchange", () => {
  const offered = offeredToken();
  if (offered) enrol(offered);
});

async function start() {
  if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
    // Plain HTTP from another machine: no WebCrypto, camera or service worker. Say so plainly
    // instead of failing on every scan.
    $("cp-insecure").hidden = false;
    root.dataset.ready = "true";
    return;
  }
  const offered = offeredToken();
  try {
    await loadState();
  } catch {
    say(T.cp_trust_invalid);
  }
  await renderStatus();
  root.dataset.ready = "true";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/checkpoint/sw.js", { scope: "/checkpoint" }).catch(() => {});
  }
  // The QR decoder (a WebAssembly worker on most phones) loads while the officer waits, so
  // the first scan is as fast as the rest.
  (window.requestIdleCallback || setTimeout)(() => theDecoder());
  if (offered) await enrol(offered);
  else if (navigator.onLine) await sync();
}

start();
