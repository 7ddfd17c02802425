// The town's clock in the checkpoint app: one formatter per language, on the deployment's time
// zone (which the app learns from the hub with every sync, and from the page before the first),
// writing the same patterns as the hub's pages (tansiq/core/localtime.py):
//   English  "1 Dec 2026, 21:07"        Arabic  "1 ديسمبر 2026، 21:07"
// Latin digits in both, as on every page of the hub; 24-hour time to the minute.

const MONTHS = { en: "short", ar: "long" };
const SEPARATOR = { en: ", ", ar: "\u060c " };

function partsOf(format, ms) {
  const parts = {};
  for (const { type, value } of format.formatToParts(new Date(ms))) parts[type] = value;
  return parts;
}

// A formatter for `lang` ("ar" or "en") on the clock of `zone` (an IANA name; UTC if the
// browser does not know it). Its functions take milliseconds since the epoch.
export function clockFace(lang, zone) {
  const code = lang === "ar" ? "ar" : "en";
  let timeZone = zone || "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone }).format(0);
  } catch {
    timeZone = "UTC";
  }
  const options = (tz) => ({
    timeZone: tz, day: "numeric", month: MONTHS[code], year: "numeric",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23", numberingSystem: "latn",
  });
  const local = new Intl.DateTimeFormat(`${code}-u-nu-latn`, options(timeZone));
  const utc = new Intl.DateTimeFormat(`${code}-u-nu-latn`, options("UTC"));
  const write = (format, ms) => {
    const p = partsOf(format, ms);
    const hour = p.hour === "24" ? "00" : p.hour;
    return `${p.day} ${p.month} ${p.year}${SEPARATOR[code]}${hour}:${p.minute}`;
  };
  const clockOnly = (format, ms) => {
    const p = partsOf(format, ms);
    return `${p.hour === "24" ? "00" : p.hour}:${p.minute}`;
  };
  return {
    zone: timeZone,
    // Date and time on the town's clock.
    when: (ms) => write(local, ms),
    // The time of day alone (sunrise, sunset).
    time: (ms) => clockOnly(local, ms),
    // The same moment in UTC, marked so: the second line where it matters.
    utc: (ms) => `${write(utc, ms)} UTC`,
  };
}

// A verdict's times (verify.js keeps them as ISO 8601 in UTC, as the hub's verifier does) on
// the clock of `face`, as tansiq/verifier/verify.py writes them for a reader: the permit's start
// and end with their date, sunrise and sunset as a time of day; anything else, and "-" (the sun
// neither rises nor sets that day), as it is.
const DATED = new Set(["exp", "nbf"]);
const TIMES_OF_DAY = new Set(["sunrise", "sunset"]);

export function onTheClock(face, params) {
  const shown = { ...params };
  for (const [key, value] of Object.entries(params)) {
    const ms = DATED.has(key) || TIMES_OF_DAY.has(key) ? Date.parse(value) : NaN;
    if (Number.isNaN(ms)) continue;
    shown[key] = DATED.has(key) ? face.when(ms) : face.time(ms);
  }
  return shown;
}
