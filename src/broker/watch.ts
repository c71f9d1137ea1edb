import type { Database } from "../store/database.ts";

/**
 * Waiting on the database without a busy loop: PRAGMA data_version changes only when another
 * connection commits, so a sleeper reads it every few milliseconds (a cheap in-memory check) and
 * re-runs its real query only then. On PostgreSQL the count is of change notifications
 * (LISTEN/NOTIFY), and the sleeper wakes as one arrives. `poll --wait`, the MCP server's blocking
 * poll and its arrival notifications all wait this way.
 */

export const WATCH_INTERVAL_MS = 25;

/** SQLite bumps this number on a connection when another connection commits to the file. */
export function dataVersion(db: Database): number {
  if (db.dataVersion) return db.dataVersion();
  return (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
}

/** Sleeps until the next look: at a change notification where the store sends them. */
export async function nextLook(db: Database, seen: number, ms: number): Promise<void> {
  if (db.nextChange) await db.nextChange(seen, ms);
  else await Bun.sleep(Math.min(WATCH_INTERVAL_MS, ms));
}

/**
 * Reads `read()` until `ready` holds for what was read or the time runs out, and returns the last
 * value read. An aborted `signal` (the caller went away) throws its reason instead, so nothing
 * read is recorded as shown to a reader who will never see it.
 */
export async function waitUntil<T>(
  db: Database,
  read: () => T,
  ready: (value: T) => boolean,
  seconds: number,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = performance.now() + seconds * 1000;
  let seen = dataVersion(db);
  let value = read();
  while (!ready(value)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    await nextLook(db, seen, left);
    signal?.throwIfAborted();
    const version = dataVersion(db);
    if (version === seen) continue;
    seen = version;
    value = read();
  }
  return value;
}
