/** What the main thread and the PostgreSQL worker (worker.ts) say to each other. */

/**
 * Slots of the shared Int32Array: the reply flag (REPLIED, or TOO_BIG when the reply needs a
 * larger buffer than the one it has), the reply's length in bytes, and the count of change
 * notifications.
 */
export const REPLY = 0;
export const LENGTH = 1;
export const CHANGES = 2;
export const SIGNAL_BYTES = 12;
export const WAITING = 0;
export const REPLIED = 1;
export const TOO_BIG = 2;

/** The reply buffer's first size; a larger reply gets a buffer of its own size, twice. */
export const REPLY_BYTES = 1 << 20;

/** The channel the schema's triggers notify on every committed change (schema.sql). */
export const CHANGES_CHANNEL = "cafleet_changes";

/** The advisory lock every write transaction holds (worker.ts): one writer at a time, as with SQLite. */
export const WRITE_LOCK_KEY = 0x0caf1ee7;

export type Request =
  | { op: "start"; url: string; signal: SharedArrayBuffer; replies: SharedArrayBuffer }
  | { op: "buffer"; replies: SharedArrayBuffer }
  | { op: "query"; text: string; params: unknown[] }
  /** Opens a transaction that holds the write lock. */
  | { op: "begin" }
  | { op: "write"; text: string; params: unknown[] }
  | { op: "script"; text: string }
  | { op: "listen" }
  | { op: "close" };

export type Reply =
  | { rows: Record<string, unknown>[]; changes: number; error?: undefined }
  | { error: { message: string; code: string; sqlState: string } };
