/**
 * The PostgreSQL connection of one cafleet process, in a worker of its own: Bun.SQL only answers
 * asynchronously, and the broker asks synchronously. The main thread posts a request and sleeps
 * on `signal[REPLY]` (client.ts); this worker runs it on its one connection, writes the reply as
 * JSON into the shared reply buffer and wakes it. A second connection LISTENs for the schema's
 * change notifications once asked to and counts them in `signal[CHANGES]`, which the main
 * thread reads without a round trip. Web Worker messages and shared memory only: node's
 * worker_threads would cost each command about 10 ms to load, on both threads.
 */

import { SQL } from "bun";
import {
  CHANGES,
  CHANGES_CHANNEL,
  LENGTH,
  REPLIED,
  REPLY,
  type Reply,
  type Request,
  TOO_BIG,
  WRITE_LOCK_KEY,
} from "./protocol.ts";

declare const self: Worker;

let url = "";
let flags: Int32Array<ArrayBufferLike> = new Int32Array(0);
let replies: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
let sql: SQL;
let listening: SQL | null = null;
/** A reply that did not fit, kept until the main thread sends a buffer it fits in. */
let pending: Uint8Array | null = null;
const encoder = new TextEncoder();
/** One connection that stays open for the process's life, and gives up connecting after 10 s. */
const ONE_CONNECTION = { max: 1, idleTimeout: 0, connectionTimeout: 10 };

function start(request: Extract<Request, { op: "start" }>): void {
  url = request.url;
  flags = new Int32Array(request.signal);
  replies = new Uint8Array(request.replies);
  // One connection, so BEGIN and what follows it share it; bigint so counts arrive as integers.
  sql = new SQL(url, { ...ONE_CONNECTION, bigint: true });
  // Connect now, while the main thread still loads its command: the first statement then finds
  // the connection made (a failure is reported by that statement, which waits on the same attempt).
  sql.connect().catch(() => {});
}

/** SQLite's shapes: integers as numbers, booleans as 1 and 0. */
function sqliteValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

function sqliteRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const converted: Record<string, unknown>[] = [];
  for (const row of rows) {
    const out: Record<string, unknown> = {};
    for (const key in row) out[key] = sqliteValue(row[key]);
    converted.push(out);
  }
  return converted;
}

const NOTHING: Reply = { rows: [], changes: 0 };

function replyOf(result: Record<string, unknown>[] & { count?: number | bigint | null }): Reply {
  return { rows: sqliteRows([...result]), changes: Number(result.count ?? 0) };
}

/**
 * Opens a transaction holding the one write lock, as BEGIN IMMEDIATE does on SQLite; a lock
 * that could not be taken leaves no transaction open.
 */
async function beginLocked(): Promise<void> {
  await sql.unsafe("BEGIN");
  try {
    await sql.unsafe("SELECT pg_advisory_xact_lock($1)", [WRITE_LOCK_KEY]);
  } catch (error) {
    await sql.unsafe("ROLLBACK").catch(() => {});
    throw error;
  }
}

async function run(request: Request): Promise<Reply> {
  switch (request.op) {
    case "query":
      return replyOf(await sql.unsafe(request.text, request.params));
    case "begin":
      await beginLocked();
      return NOTHING;
    case "write": {
      // A write outside a transaction still takes the write lock, as every SQLite write does.
      await beginLocked();
      try {
        const result = await sql.unsafe(request.text, request.params);
        await sql.unsafe("COMMIT");
        return replyOf(result);
      } catch (error) {
        await sql.unsafe("ROLLBACK").catch(() => {});
        throw error;
      }
    }
    case "script":
      // No parameters: the simple protocol, which runs a section's many statements at once.
      await sql.unsafe(request.text).simple();
      return NOTHING;
    case "start":
    case "buffer":
      throw new Error(`${request.op} is not a statement`);
    case "listen": {
      if (!listening) {
        listening = new SQL(url, ONE_CONNECTION);
        await listening.listen(CHANGES_CHANNEL, () => {
          Atomics.add(flags, CHANGES, 1);
          Atomics.notify(flags, CHANGES);
        });
      }
      return NOTHING;
    }
    case "close":
      await Promise.allSettled([sql.close(), listening?.close()]);
      return NOTHING;
  }
}

function errorReply(error: unknown): Reply {
  const { message, code, errno } = error as { message?: string; code?: string; errno?: string };
  return { error: { message: message ?? String(error), code: code ?? "", sqlState: errno ?? "" } };
}

function deliver(bytes: Uint8Array): void {
  if (bytes.length > replies.length) {
    pending = bytes;
    Atomics.store(flags, LENGTH, bytes.length);
    Atomics.store(flags, REPLY, TOO_BIG);
  } else {
    replies.set(bytes);
    Atomics.store(flags, LENGTH, bytes.length);
    Atomics.store(flags, REPLY, REPLIED);
  }
  Atomics.notify(flags, REPLY);
}

self.onmessage = async (event: MessageEvent<Request>) => {
  const request = event.data;
  if (request.op === "start") return start(request);
  if (request.op === "buffer") {
    replies = new Uint8Array(request.replies);
    const bytes = pending!;
    pending = null;
    return deliver(bytes);
  }
  const reply = await run(request).catch(errorReply);
  deliver(encoder.encode(JSON.stringify(reply)));
};
