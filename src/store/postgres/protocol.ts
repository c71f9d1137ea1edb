/** What the main thread and the PostgreSQL worker (worker.ts) say to each other. */

/** Slots of the shared Int32Array: the reply flag, and the count of change notifications. */
export const REPLY = 0;
export const CHANGES = 1;
export const SIGNAL_BYTES = 8;

/** The channel the schema's triggers notify on every committed change (schema.sql). */
export const CHANGES_CHANNEL = "cafleet_changes";

/** The advisory lock every write transaction holds: one writer at a time, as with SQLite. */
export const WRITE_LOCK_KEY = 0x0caf1ee7;

export type Request =
  | { op: "query"; text: string; params: unknown[] }
  | { op: "write"; text: string; params: unknown[] }
  | { op: "script"; text: string }
  | { op: "listen" }
  | { op: "close" };

export type Reply =
  | { rows: Record<string, unknown>[]; changes: number; error?: undefined }
  | { error: { message: string; code: string; sqlState: string } };
