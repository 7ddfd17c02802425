// Sunrise and sunset at a place and date, computed on the device: NOAA's solar position
// algorithm, the same calculation line for line as tansiq/verifier/sun.py (see there).

const ZENITH = 90.833;
const rad = (degrees) => degrees * Math.PI / 180;
const deg = (radians) => radians * 180 / Math.PI;

// The equation of time (minutes) and the sun's declination (degrees) at Julian day jd.
function sun(jd) {
  const t = (jd - 2451545.0) / 36525.0;
  const meanLongitude = (((280.46646 + t * (36000.76983 + 0.0003032 * t)) % 360) + 360) % 360;
  const anomaly = rad(357.52911 + t * (35999.05029 - 0.0001537 * t));
  const eccentricity = 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
  const centre = Math.sin(anomaly) * (1.914602 - t * (0.004817 + 0.000014 * t))
    + Math.sin(2 * anomaly) * (0.019993 - 0.000101 * t)
    + Math.sin(3 * anomaly) * 0.000289;
  const omega = rad(125.04 - 1934.136 * t);
  const apparent = rad(meanLongitude + centre - 0.00569 - 0.00478 * Math.sin(omega));
  const seconds = 21.448 - t * (46.8150 + t * (0.00059 - t * 0.001813));
  const obliquity = rad(23.0 + (26.0 + seconds / 60.0) / 60.0 + 0.00256 * Math.cos(omega));
  const declination = deg(Math.asin(Math.sin(obliquity) * Math.sin(apparent)));
  const y = Math.tan(obliquity / 2.0) ** 2;
  const l0 = rad(meanLongitude);
  const equation = y * Math.sin(2 * l0)
    - 2 * eccentricity * Math.sin(anomaly)
    + 4 * eccentricity * y * Math.sin(anomaly) * Math.cos(2 * l0)
    - 0.5 * y * y * Math.sin(4 * l0)
    - 1.25 * eccentricity * eccentricity * Math.sin(2 * anomaly);
  return [4.0 * deg(equation), declination];
}

// dayMs: 00:00 UTC of the day, in milliseconds since the epoch.
function eventMinutes(dayMs, lat, lon, rising) {
  const jd = 2440587.5 + dayMs / 86400e3;
  let minutes = 720.0 - 4.0 * lon;
  for (let pass = 0; pass < 2; pass += 1) {
    const [equation, declination] = sun(jd + minutes / 1440.0);
    const phi = rad(lat);
    const delta = rad(declination);
    const cosHour = Math.cos(rad(ZENITH)) / (Math.cos(phi) * Math.cos(delta)) - Math.tan(phi) * Math.tan(delta);
    if (cosHour < -1 || cosHour > 1) return null;
    const hourAngle = deg(Math.acos(cosHour));
    minutes = 720.0 - 4.0 * (lon + (rising ? hourAngle : -hourAngle)) - equation;
  }
  return minutes;
}

// Sunrise and sunset (ms since the epoch) on the UTC day starting at dayMs, or null.
export function sunTimes(dayMs, lat, lon) {
  const rise = eventMinutes(dayMs, lat, lon, true);
  const set = eventMinutes(dayMs, lat, lon, false);
  if (rise === null || set === null) return null;
  return [dayMs + rise * 60e3, dayMs + set * 60e3];
}

// True between sunrise and sunset at lat/lon at `at` (ms), on the place's own solar day.
export function inDaylight(at, lat, lon) {
  const local = at + 4.0 * lon * 60e3;
  const dayMs = Math.floor(local / 86400e3) * 86400e3;
  const times = sunTimes(dayMs, lat, lon);
  if (times === null) {
    const declination = sun(2440587.5 + dayMs / 86400e3 + 0.5)[1];
    return declination * lat > 0;
  }
  return times[0] <= at && at < times[1];
}
