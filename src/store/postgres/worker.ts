/**
 * The PostgreSQL connection of one cafleet process, in a worker of its own: Bun.SQL only answers
 * asynchronously, and the broker asks synchronously. The main thread posts a request and sleeps
 * on `signal[REPLY]` (client.ts); this worker runs it on its one connection, posts the reply and
 * wakes it. A second connection LISTENs for the schema's change notifications once asked to and
 * counts them in `signal[CHANGES]`, which the main thread reads without a round trip.
 */

import { type MessagePort, workerData } from "node:worker_threads";
import { SQL } from "bun";
import { CHANGES, CHANGES_CHANNEL, REPLY, type Reply, type Request, WRITE_LOCK_KEY } from "./protocol.ts";

const { url, port, signal } = workerData as { url: string; port: MessagePort; signal: SharedArrayBuffer };
const flags = new Int32Array(signal);

// One connection, so BEGIN and what follows it share it; bigint so counts arrive as integers.
const sql = new SQL(url, { max: 1, bigint: true, idleTimeout: 0, connectionTimeout: 10 });
// Connect now, while the main thread still loads its command: the first statement then finds
// the connection made (a failure is reported by that statement, which waits on the same attempt).
sql.connect().catch(() => {});
let listening: SQL | null = null;

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

async function run(request: Request): Promise<Reply> {
  switch (request.op) {
    case "query": {
      const result = await sql.unsafe(request.text, request.params);
      return { rows: sqliteRows([...result]), changes: Number(result.count ?? 0) };
    }
    case "write": {
      // A write outside a transaction still takes the write lock, as every SQLite write does.
      await sql.unsafe("BEGIN");
      try {
        await sql.unsafe("SELECT pg_advisory_xact_lock($1)", [WRITE_LOCK_KEY]);
        const result = await sql.unsafe(request.text, request.params);
        await sql.unsafe("COMMIT");
        return { rows: sqliteRows([...result]), changes: Number(result.count ?? 0) };
      } catch (error) {
        await sql.unsafe("ROLLBACK").catch(() => {});
        throw error;
      }
    }
    case "script": {
      // No parameters: the simple protocol, which runs a section's many statements at once.
      await sql.unsafe(request.text).simple();
      return { rows: [], changes: 0 };
    }
    case "listen": {
      if (!listening) {
        listening = new SQL(url, { max: 1, idleTimeout: 0, connectionTimeout: 10 });
        await listening.listen(CHANGES_CHANNEL, () => {
          Atomics.add(flags, CHANGES, 1);
          Atomics.notify(flags, CHANGES);
        });
      }
      return { rows: [], changes: 0 };
    }
    case "close": {
      await Promise.allSettled([sql.close(), listening?.close()]);
      return { rows: [], changes: 0 };
    }
  }
}

function errorReply(error: unknown): Reply {
  const { message, code, errno } = error as { message?: string; code?: string; errno?: string };
  return { error: { message: message ?? String(error), code: code ?? "", sqlState: errno ?? "" } };
}

port.on("message", async (request: Request) => {
  const reply = await run(request).catch(errorReply);
  port.postMessage(reply);
  Atomics.store(flags, REPLY, 1);
  Atomics.notify(flags, REPLY);
});
