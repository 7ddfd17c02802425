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
