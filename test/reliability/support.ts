import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSqliteDatabase, openDatabase } from "../../src/broker/db.ts";
import type { Database as Store } from "../../src/store/database.ts";
import { isPostgresUrl } from "../../src/store/postgres/url.ts";
import { BINARY, type CliResult, type Env, isolatedEnv, makeTempDir, runCafleet } from "../support/cli.ts";
import { PrivateTmux } from "../support/tmux.ts";

/** Reads an integer knob from the environment (e.g. CAFLEET_RELIABILITY_SECONDS), with a default. */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A small seeded PRNG (mulberry32) so a failing fuzz or crash run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedFromEnv(name: string): number {
  const raw = process.env[name];
  return raw ? Number(raw) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
}

/**
 * A temp folder with its own database and a private tmux server whose pane plays the root
 * Director's pane. TMUX_TMPDIR points into the folder, so even a tmux call that lost $TMUX could
 * never reach the user's default tmux server.
 */
export class Sandbox {
  readonly dir: string;
  readonly dbPath: string;
  readonly tmux: PrivateTmux;
  readonly env: Env;
  private readonly cleanupDir: () => void;

  /** `extraEnv` also goes to the tmux server; an empty value stands for the sandbox folder. */
  constructor(label: string, dbPath?: string, extraEnv: Env = {}) {
    const temp = makeTempDir(`cafleet-rel-${label}-`);
    this.dir = temp.dir;
    this.cleanupDir = temp.cleanup;
    this.dbPath = dbPath ?? join(this.dir, "cafleet.db");
    this.tmux = new PrivateTmux(label);
    const pane = this.tmux.start("main");
    // The Director's pane swallows the poll commands that notifications type into it.
    this.tmux.tmux(["respawn-pane", "-k", "-t", pane, "cat > /dev/null"]);
    // Panes spawned later (members) see the same PATH and fake-agent folder as the binary.
    for (const [key, value] of Object.entries(extraEnv))
      this.tmux.tmux(["set-environment", "-g", key, value === "" ? this.dir : (value ?? "")]);
    this.env = isolatedEnv(this.dir, {
      CAFLEET_DATABASE_URL: `sqlite:///${this.dbPath}`,
      TMUX_TMPDIR: this.dir,
      ...this.tmux.envFor(pane),
      ...Object.fromEntries(
        Object.entries(extraEnv).map(([key, value]) => [key, value === "" ? this.dir : value]),
      ),
    });
  }

  run(args: string[], extraEnv: Env = {}): CliResult {
    return runCafleet(args, { ...this.env, ...extraEnv });
  }

  /** `session create --json` in the private tmux pane; returns the ids. */
  createSession(label = "rel"): SessionIds {
    const result = this.run(["session", "create", "--label", label, "--json"]);
    if (result.exitCode !== 0) throw new Error(`session create failed: ${result.stderr}`);
    const created = JSON.parse(result.stdout) as {
      session_id: string;
      administrator_agent_id: string;
      director: { agent_id: string };
    };
    return {
      sessionId: created.session_id,
      directorId: created.director.agent_id,
      administratorId: created.administrator_agent_id,
    };
  }

  register(sessionId: string, name: string): string {
    const result = this.run([
      "--session-id",
      sessionId,
      "--json",
      "register",
      "--name",
      name,
      "--description",
      "d",
    ]);
    if (result.exitCode !== 0) throw new Error(`register failed: ${result.stderr}`);
    return (JSON.parse(result.stdout) as { agent_id: string }).agent_id;
  }

  /** A connection for the audit: the SQLite file, or the PostgreSQL database the env names. */
  open(): Store {
    if (isPostgresUrl(this.env.CAFLEET_DATABASE_URL ?? "")) return openDatabase(this.env).db;
    const db = new Database(this.dbPath, { strict: true });
    db.run("PRAGMA busy_timeout = 5000");
    return db;
  }

  dispose(): void {
    this.tmux.kill();
    this.cleanupDir();
  }
}

export type SessionIds = { sessionId: string; directorId: string; administratorId: string };

/**
 * The background nudger's bookkeeping: it renews its lease and records the lines it types while
 * a test runs, whatever the command under test does, so these columns are not that command's writes.
 */
const NUDGER_COLUMNS = new Set([
  "notified_at",
  "last_nudged_at",
  "nudge_count",
  "notify_failed_at",
  "notify_error",
  "pane_gone_at",
  "held_at",
  "held_reason",
  "hold_reported_at",
  "nudge_holder",
  "nudge_expires_at",
]);

function withoutNudgerColumns(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([column]) => !NUDGER_COLUMNS.has(column)));
}

/** Every row of every cafleet table, as text: equal snapshots mean nothing was written. */
export function snapshot(db: Store): string {
  const tables = ["sessions", "agents", "tasks", "agent_placements"];
  return tables
    .map((table) => {
      const rows = db.query(`SELECT * FROM ${table} ORDER BY rowid`).all() as Record<string, unknown>[];
      return `${table}:${JSON.stringify(rows.map(withoutNudgerColumns))}`;
    })
    .join("\n");
}

export function snapshotFile(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return snapshot(db);
  } finally {
    db.close();
  }
}

export function integrityProblems(db: Store): string[] {
  // PostgreSQL checks its own pages and always enforces foreign keys: nothing to ask it here.
  if (!isSqliteDatabase(db)) return [];
  const integrity = (db.query("PRAGMA integrity_check").all() as { integrity_check: string }[]).map(
    (row) => row.integrity_check,
  );
  const problems = integrity.filter((line) => line !== "ok");
  const foreignKeys = db.query("PRAGMA foreign_key_check").all();
  if (foreignKeys.length > 0) problems.push(`foreign_key_check: ${JSON.stringify(foreignKeys)}`);
  return problems;
}

/** Rows whose indexed state columns disagree with their task_json (a torn task). */
export function tornTasks(db: Store): string[] {
  return (
    db
      .query(
        `SELECT task_id FROM tasks WHERE NOT json_valid(task_json)
           OR json_extract(task_json, '$.status.state') IS DISTINCT FROM status_state
           OR json_extract(task_json, '$.status.timestamp') IS DISTINCT FROM status_timestamp
           OR json_extract(task_json, '$.id') IS DISTINCT FROM task_id
           OR json_extract(task_json, '$.contextId') IS DISTINCT FROM context_id`,
      )
      .all() as { task_id: string }[]
  ).map((row) => row.task_id);
}

const STACK_LINE = /^\s+at\s/m;
const BUN_CRASH = /^(error|panic|Segmentation fault|oh no|Bun has crashed)/m;

/**
 * The contract of a failed command: exit 1 or 2, stdout empty, and stderr whose last line is
 * `Error: ...` with no stack trace and no lowercase Bun crash banner. Returns what is wrong.
 */
export function failureProblems(result: CliResult): string[] {
  const problems: string[] = [];
  if (result.exitCode !== 1 && result.exitCode !== 2) problems.push(`exit code ${result.exitCode}`);
  if (result.stdout !== "") problems.push(`stdout not empty: ${result.stdout.slice(0, 200)}`);
  problems.push(...crashProblems(result));
  const lines = result.stderr.replace(/\n$/, "").split("\n");
  const errorLines = lines.filter((line) => line.startsWith("Error: "));
  if (errorLines.length !== 1) problems.push(`expected one Error: line, got ${errorLines.length}`);
  if (!result.stderr.startsWith("Error: ")) problems.push("stderr does not start with Error:");
  return problems;
}

export function crashProblems(result: CliResult): string[] {
  const problems: string[] = [];
  if (STACK_LINE.test(result.stderr)) problems.push(`stack trace: ${result.stderr.slice(0, 400)}`);
  if (BUN_CRASH.test(result.stderr)) problems.push(`crash banner: ${result.stderr.slice(0, 400)}`);
  if (![0, 1, 2].includes(result.exitCode)) problems.push(`exit code ${result.exitCode}`);
  return problems;
}

/**
 * Runs the binary with some arguments given as raw bytes (invalid UTF-8 cannot be a JS string).
 * bash builds the bytes with printf and substitutes them for the `@RAW<n>@` placeholders.
 */
export function runWithRawBytes(args: string[], raws: Uint8Array[], env: Env, cwd?: string): CliResult {
  const escaped = raws.map((bytes) =>
    [...bytes].map((byte) => `\\x${byte.toString(16).padStart(2, "0")}`).join(""),
  );
  const setRaw = escaped
    .map((text, index) => `r${index}=$(printf '${text}_'); r${index}=\${r${index}%_}`)
    .join("; ");
  const substitute = escaped.map((_, index) => `a=("\${a[@]/@RAW${index}@/$r${index}}")`).join("; ");
  const script = `shopt -u patsub_replacement 2>/dev/null; ${setRaw}; a=("$@"); ${substitute}; exec "${BINARY}" "\${a[@]}"`;
  const result = Bun.spawnSync(["bash", "-c", script, "cafleet", ...args], {
    env: env as Record<string, string>,
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  return {
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
    exitCode: result.exitCode ?? -1,
  };
}

export function fileBytes(path: string): Buffer {
  return readFileSync(path);
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export type Server = { proc: ReturnType<typeof Bun.spawn>; port: number; base: string; log: string };

let serverCount = 0;

/**
 * `cafleet server --port 0`, resolved once it prints the port it listens on. Its stderr goes to
 * `log` (a file in the sandbox), so a test can check afterwards that it never printed a stack trace.
 */
export async function startServer(sandbox: { env: Env; dir?: string }): Promise<Server> {
  const log = join(sandbox.dir ?? tmpdir(), `server-${process.pid}-${serverCount++}.log`);
  const proc = Bun.spawn([BINARY, "server", "--port", "0"], {
    env: sandbox.env as Record<string, string>,
    stdout: "ignore",
    stderr: Bun.file(log),
    stdin: "ignore",
  });
  const deadline = performance.now() + 15_000;
  while (performance.now() < deadline) {
    const seen = existsSync(log) ? readFileSync(log, "utf8") : "";
    const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
    if (match) {
      const port = Number(match[1]);
      return { proc, port, base: `http://127.0.0.1:${port}`, log };
    }
    if (proc.exitCode !== null) throw new Error(`server exited: ${seen}`);
    await Bun.sleep(20);
  }
  proc.kill("SIGKILL");
  throw new Error("server did not start within 15 s");
}
