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

const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Normalises an ISO-8601 `--since` value to the stored format, keeping its fractional digits
 * (padded or truncated to six, never rounded through Date). Non-ISO input is returned as is.
 */
export function normalizeSince(value: string): string {
  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) return value;
  const [, date, clock, fraction = "", zone = "Z"] = match;
  const seconds = clock!.length === 5 ? `${clock}:00` : clock!;
  const offset = zone.toUpperCase() === "Z" ? "Z" : zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const parsed = new Date(`${date}T${seconds}${offset}`);
  if (Number.isNaN(parsed.getTime())) return value;
  const micros = fraction.padEnd(6, "0").slice(0, 6);
  return `${parsed.toISOString().slice(0, 19)}.${micros}+00:00`;
}
