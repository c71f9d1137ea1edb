let lastMicros = 0n;

/**
 * UTC ISO-8601 with exactly six fractional digits and `+00:00`. Strictly increasing within a
 * process (adds 1 µs when the clock has not moved) so a broadcast's tasks get ordered timestamps.
 * The milliseconds come from the wall clock (a long-running server must not drift away from
 * the CLI processes it shares the table with); the monotonic clock only supplies the microseconds.
 */
export function nowIso(): string {
  const subMilliMicros = Math.floor((performance.now() * 1000) % 1000);
  let micros = BigInt(Date.now()) * 1000n + BigInt(subMilliMicros);
  if (micros <= lastMicros) micros = lastMicros + 1n;
  lastMicros = micros;
  const millis = Number(micros / 1000n);
  const subMillis = String(micros % 1000n).padStart(3, "0");
  return `${new Date(millis).toISOString().slice(0, 23)}${subMillis}+00:00`;
}

/** A wall-clock time in milliseconds, in the stored format (so it compares as text). */
export function isoAt(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 23)}000+00:00`;
}

/** The stored format back to milliseconds. */
export function millisOf(iso: string): number {
  return Date.parse(`${iso.slice(0, 23)}Z`);
}

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Normalises an ISO-8601 `--since` value to the stored format, keeping its fractional digits
 * (padded or truncated to six, never rounded through Date). Anything that is not a real
 * date-time (bad format, Feb 30, 24:00) is returned as is and compared raw, as the reference does.
 */
export function normalizeSince(value: string): string {
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) return value;
  const [, year, month, day, hour, minute, second = "00", fraction = "", zone = "Z"] = match;
  const [y, mo, d, h, mi, se] = [year, month, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || se > 59) return value;
  const offset = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  const offsetMinutes = offset
    ? (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]))
    : 0;
  if (offset && (Number(offset[2]) > 23 || Number(offset[3]) > 59)) return value;
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear keeps year 50 as year 50.
  const wall = new Date(0);
  wall.setUTCFullYear(y, mo - 1, d);
  wall.setUTCHours(h, mi, se, 0);
  const utc = new Date(wall.getTime() - offsetMinutes * 60_000);
  if (utc.getUTCFullYear() < 1 || utc.getUTCFullYear() > 9999) return value;
  const micros = fraction.padEnd(6, "0").slice(0, 6);
  return `${utc.toISOString().slice(0, 19)}.${micros}+00:00`;
}
