/**
 * The latency floor for bench/cli-latency.ts: a compiled Bun program that does only what any
 * cafleet command must do — open the database with the same pragmas and run one indexed SELECT
 * (the inbox query of `poll`) — and prints the row count. With `--print` it also writes the rows
 * it read, the least a program can do to hand an inbox to its caller.
 */
import { Database } from "bun:sqlite";

const [path, agentId, mode] = process.argv.slice(2);
if (!path || !agentId) throw new Error("usage: floor <db path> <agent id> [--print]");
const db = new Database(path, { strict: true });
db.run("PRAGMA busy_timeout = 5000");
db.run("PRAGMA foreign_keys = ON");
db.run("PRAGMA journal_mode = WAL");
db.run("PRAGMA synchronous = NORMAL");
const rows = db
  .query(
    "SELECT task_json FROM tasks WHERE context_id = ? AND type <> 'broadcast_summary' ORDER BY status_timestamp DESC, rowid DESC",
  )
  .all(agentId) as { task_json: string }[];
const output = mode === "--print" ? rows.map((row) => row.task_json).join("\n") : String(rows.length);
await Bun.write(Bun.stdout, `${output}\n`);
