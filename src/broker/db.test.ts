import { Database } from "bun:sqlite";
import { afterEach, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { makeTempDir } from "../../test/support/cli.ts";
import { databasePath, openDatabase } from "./db.ts";
import { HEAD_VERSION } from "./schema.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
}, 60_000);

function tempDir(): string {
  const { dir, cleanup } = makeTempDir("cafleet-db-");
  cleanups.push(cleanup);
  return dir;
}

function urlFor(path: string) {
  return { CAFLEET_DATABASE_URL: `sqlite:///${path}` };
}

function open(path: string) {
  const opened = openDatabase(urlFor(path));
  cleanups.push(() => opened.db.close());
  return opened;
}

function userVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  const version = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  db.close();
  return version;
}

/** The tables, the shadow tables of version 6's FTS5 index, and version 7's relays. */
const SCHEMA_TABLES = [
  "agent_placements",
  "agents",
  "message_search",
  "message_search_config",
  "message_search_data",
  "message_search_idx",
  "relays",
  "sessions",
  "tasks",
];

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  const names = (
    db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]
  ).map((row) => row.name);
  db.close();
  return names;
}

describe("databasePath: CAFLEET_DATABASE_URL forms", () => {
  it("defaults to ~/.local/share/cafleet/registry.db", () => {
    expect(databasePath({})).toBe(`${homedir()}/.local/share/cafleet/registry.db`);
  });

  it("treats an empty variable as unset", () => {
    expect(databasePath({ CAFLEET_DATABASE_URL: "" })).toBe(`${homedir()}/.local/share/cafleet/registry.db`);
  });

  it("reads three slashes as a relative path and four as an absolute one", () => {
    expect(databasePath({ CAFLEET_DATABASE_URL: "sqlite:///relative/path.db" })).toBe("relative/path.db");
    expect(databasePath({ CAFLEET_DATABASE_URL: "sqlite:////abs/path.db" })).toBe("/abs/path.db");
  });

  it("ignores a driver suffix and a ?query part", () => {
    expect(databasePath({ CAFLEET_DATABASE_URL: "sqlite+aiosqlite:////tmp/x.db" })).toBe("/tmp/x.db");
    expect(databasePath({ CAFLEET_DATABASE_URL: "sqlite+pysqlite:///x.db" })).toBe("x.db");
    expect(databasePath({ CAFLEET_DATABASE_URL: "sqlite:////tmp/x.db?mode=ro&cache=shared" })).toBe(
      "/tmp/x.db",
    );
  });

  it("does not expand ~ inside the variable", () => {
    expect(databasePath({ CAFLEET_DATABASE_URL: "sqlite:///~/x.db" })).toBe("~/x.db");
  });

  it("refuses URLs without a file path or with another scheme", () => {
    for (const url of ["sqlite://", "sqlite:///", "sqlite:///?x=1", "postgresql://host/db", "x.db"])
      expect(() => databasePath({ CAFLEET_DATABASE_URL: url })).toThrow("database URL has no file path");
  });
});

describe("openDatabase: connection settings and file modes", () => {
  it("sets foreign_keys, busy_timeout, WAL and synchronous=NORMAL on every connection", () => {
    const { db } = open(join(tempDir(), "a.db"));
    expect(db.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    expect(db.query("PRAGMA busy_timeout").get()).toEqual({ timeout: 5000 });
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 1 });
  });

  it("creates the file 0600 and the folders it makes 0700", () => {
    const dir = tempDir();
    const path = join(dir, "deep/er/registry.db");
    open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "deep/er")).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, "deep")).mode & 0o777).toBe(0o700);
  });

  it("enforces foreign keys", () => {
    const { db } = open(join(tempDir(), "fk.db"));
    expect(() =>
      db.run(
        "INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, agent_card_json) VALUES ('a', 'missing', 'n', 'd', 'active', 't', '{}')",
      ),
    ).toThrow(/FOREIGN KEY/);
  });
});

describe("db init states (data-model.md §7)", () => {
  it("creates a missing file and applies every section", () => {
    const path = join(tempDir(), "new.db");
    expect(open(path).outcome).toEqual({ kind: "created" });
    expect(userVersion(path)).toBe(HEAD_VERSION);
    expect(tables(path)).toEqual(SCHEMA_TABLES);
  });

  it("treats an existing empty file as new", () => {
    const path = join(tempDir(), "empty.db");
    writeFileSync(path, "");
    expect(open(path).outcome).toEqual({ kind: "created" });
    expect(userVersion(path)).toBe(HEAD_VERSION);
  });

  it("does nothing at head", () => {
    const path = join(tempDir(), "head.db");
    open(path).db.close();
    expect(open(path).outcome).toEqual({ kind: "at-head" });
  });

  it("refuses a database newer than this binary and leaves it untouched", () => {
    const path = join(tempDir(), "ahead.db");
    const raw = new Database(path);
    raw.run(`PRAGMA user_version = ${HEAD_VERSION + 1}`);
    raw.run("CREATE TABLE future (x)");
    raw.close();
    expect(() => openDatabase(urlFor(path))).toThrow(
      `DB schema is at version ${HEAD_VERSION + 1} which is unknown to this version of cafleet. Refusing to downgrade automatically.`,
    );
    expect(tables(path)).toEqual(["future"]);
    expect(userVersion(path)).toBe(HEAD_VERSION + 1);
  });

  it("refuses foreign tables without a user_version", () => {
    const path = join(tempDir(), "foreign.db");
    const raw = new Database(path);
    raw.run("CREATE TABLE notes (body TEXT)");
    raw.close();
    expect(() => openDatabase(urlFor(path))).toThrow(
      `${path} holds tables that are not a cafleet schema this binary knows (no PRAGMA user_version). If it is an older Python CAFleet database, upgrade it with that tool's 'cafleet db init' first; otherwise point CAFLEET_DATABASE_URL at another file.`,
    );
    expect(tables(path)).toEqual(["notes"]);
  });

  it("leaves a refused file byte for byte as it was, with no -wal or -shm beside it", () => {
    const dir = tempDir();
    const foreign = join(dir, "foreign.db");
    const raw = new Database(foreign);
    raw.run("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
    raw.close();
    const ahead = join(dir, "ahead.db");
    const newer = new Database(ahead);
    newer.run(`PRAGMA user_version = ${HEAD_VERSION + 1}`);
    newer.close();
    for (const path of [foreign, ahead]) {
      const before = readFileSync(path);
      expect(() => openDatabase(urlFor(path))).toThrow();
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(existsSync(`${path}-wal`)).toBe(false);
      expect(existsSync(`${path}-shm`)).toBe(false);
    }
  });

  it("refuses an older Python revision and an alembic_version table without version_num", () => {
    const older = join(tempDir(), "older.db");
    buildPythonDatabase(older, "0007");
    expect(() => openDatabase(urlFor(older))).toThrow("holds tables that are not a cafleet schema");
    const odd = join(tempDir(), "odd.db");
    const raw = new Database(odd);
    raw.run("CREATE TABLE alembic_version (rev TEXT)");
    raw.close();
    expect(() => openDatabase(urlFor(odd))).toThrow("holds tables that are not a cafleet schema");
  });

  it("adopts a Python CAFleet 0008 database, keeping its rows and adding missing indexes", () => {
    const path = join(tempDir(), "python.db");
    buildPythonDatabase(path, "0008");
    const { db, outcome } = open(path);
    expect(outcome).toEqual({ kind: "adopted" });
    expect(userVersion(path)).toBe(HEAD_VERSION);
    expect(tables(path)).toEqual(SCHEMA_TABLES);
    const indexes = (
      db
        .query("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'idx_%' ORDER BY name")
        .all() as {
        name: string;
      }[]
    ).map((row) => row.name);
    expect(indexes).toEqual([
      "idx_agents_session_status",
      "idx_placements_director",
      "idx_tasks_context_status_ts",
      "idx_tasks_from_agent_status_ts",
      "idx_tasks_reply_to",
      "idx_tasks_unfetched",
      "idx_tasks_unread",
      "idx_tasks_unreported_retractions",
    ]);
    expect(db.query("SELECT session_id, label FROM sessions").all()).toEqual([
      { session_id: "a".repeat(64), label: "legacy" },
    ]);
    expect(db.query("SELECT origin_task_id, task_json FROM tasks").get()).toEqual({
      origin_task_id: null,
      task_json: "{}",
    });
    expect(open(path).outcome).toEqual({ kind: "at-head" });
  });
});

describe("concurrent first use", () => {
  it("lets 8 processes open one brand-new database at once without a collision", async () => {
    const dir = tempDir();
    const path = join(dir, "race.db");
    const script = join(dir, "open.ts");
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(join(import.meta.dir, "db.ts"))};
const { db, outcome } = openDatabase(process.env);
db.run("INSERT INTO sessions (session_id, label, created_at) VALUES (?, NULL, 't')", [crypto.randomUUID()]);
console.log(outcome.kind);`,
    );
    const runs = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const proc = Bun.spawn([process.execPath, script], {
          env: { ...process.env, ...urlFor(path) },
          stdout: "pipe",
          stderr: "pipe",
        });
        const [stdout, stderr, code] = await Promise.all([
          new Response(proc.stdout).text(),
          new Response(proc.stderr).text(),
          proc.exited,
        ]);
        return { stdout: stdout.trim(), stderr, code };
      }),
    );
    for (const run of runs) expect(run).toMatchObject({ code: 0, stderr: "" });
    const kinds = runs.map((run) => run.stdout).sort();
    expect(kinds.filter((kind) => kind === "created")).toHaveLength(1);
    expect(kinds.filter((kind) => kind === "at-head")).toHaveLength(7);
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT COUNT(*) AS n FROM sessions").get()).toEqual({ n: 8 });
    db.close();
  });
});

/** The reference's final schema as Alembic left it: its own column order, one index missing. */
function buildPythonDatabase(path: string, revision: string): void {
  mkdirSync(join(path, ".."), { recursive: true });
  const db = new Database(path);
  db.run(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
    INSERT INTO alembic_version (version_num) VALUES ('${revision}');
    CREATE TABLE sessions (session_id VARCHAR NOT NULL PRIMARY KEY, label VARCHAR, created_at VARCHAR NOT NULL,
      deleted_at VARCHAR, director_agent_id VARCHAR REFERENCES agents(agent_id) ON DELETE RESTRICT);
    CREATE TABLE agents (agent_id VARCHAR NOT NULL PRIMARY KEY,
      session_id VARCHAR NOT NULL REFERENCES sessions(session_id) ON DELETE RESTRICT, name VARCHAR NOT NULL,
      description VARCHAR NOT NULL, status VARCHAR NOT NULL, registered_at VARCHAR NOT NULL,
      deregistered_at VARCHAR, agent_card_json VARCHAR NOT NULL);
    CREATE INDEX idx_agents_session_status ON agents (session_id, status);
    CREATE TABLE tasks (task_id VARCHAR NOT NULL PRIMARY KEY,
      context_id VARCHAR NOT NULL REFERENCES agents(agent_id) ON DELETE RESTRICT,
      from_agent_id VARCHAR NOT NULL, to_agent_id VARCHAR NOT NULL, type VARCHAR NOT NULL,
      created_at VARCHAR NOT NULL, status_state VARCHAR NOT NULL, status_timestamp VARCHAR NOT NULL,
      task_json VARCHAR NOT NULL, origin_task_id VARCHAR);
    CREATE INDEX idx_tasks_context_status_ts ON tasks (context_id, status_timestamp);
    CREATE INDEX idx_tasks_from_agent_status_ts ON tasks (from_agent_id, status_timestamp);
    CREATE TABLE agent_placements (agent_id VARCHAR NOT NULL PRIMARY KEY REFERENCES agents(agent_id) ON DELETE CASCADE,
      director_agent_id VARCHAR REFERENCES agents(agent_id) ON DELETE RESTRICT, tmux_session VARCHAR NOT NULL,
      tmux_window_id VARCHAR NOT NULL, tmux_pane_id VARCHAR, coding_agent VARCHAR NOT NULL DEFAULT 'claude',
      created_at VARCHAR NOT NULL);`);
  const sessionId = "a".repeat(64);
  db.run(
    "INSERT INTO sessions (session_id, label, created_at) VALUES (?, 'legacy', '2026-01-01T00:00:00+00:00')",
    [sessionId],
  );
  db.run(
    "INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, agent_card_json) VALUES ('ag', ?, 'n', 'd', 'active', 't', '{}')",
    [sessionId],
  );
  db.run(
    "INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state, status_timestamp, task_json) VALUES ('t1', 'ag', 'ag', 'ag', 'unicast', 't', 'input_required', 't', '{}')",
  );
  db.close();
}
