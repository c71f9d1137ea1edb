import { Database } from "bun:sqlite";
import { afterEach, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HEAD_VERSION } from "../../src/broker/schema.ts";
import { type Env, isolatedEnv, makeTempDir, ROOT, runCafleet, runCafleetAsync } from "../support/cli.ts";
import { expectError } from "../support/fleet.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
}, 60_000);

function world(): { dir: string; path: string; env: Env } {
  const { dir, cleanup } = makeTempDir("cafleet-dbinit-");
  cleanups.push(cleanup);
  const path = join(dir, "data/registry.db");
  return { dir, path, env: isolatedEnv(dir, { CAFLEET_DATABASE_URL: `sqlite:///${path}` }) };
}

function userVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  const row = db.query("PRAGMA user_version").get() as { user_version: number };
  db.close();
  return row.user_version;
}

const FOREIGN = (path: string) =>
  `${path} holds tables that are not a cafleet schema this binary knows (no PRAGMA user_version). If it is an older Python CAFleet database, upgrade it with that tool's 'cafleet db init' first; otherwise point CAFLEET_DATABASE_URL at another file.`;
const AHEAD = `DB schema is at version ${HEAD_VERSION + 1} which is unknown to this version of cafleet. Refusing to downgrade automatically.`;

describe("db init", () => {
  it("creates a missing file (0600 in a 0700 folder), then says already at head", () => {
    const { dir, path, env } = world();
    expect(runCafleet(["db", "init"], env)).toEqual({
      stdout: `Created ${path} and applied migrations to head (${HEAD_VERSION}).\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "data")).mode & 0o777).toBe(0o700);
    expect(userVersion(path)).toBe(HEAD_VERSION);
    expect(runCafleet(["--json", "db", "init"], env)).toEqual({
      stdout: `Already at head (${HEAD_VERSION}); nothing to do.\n`,
      stderr: "",
      exitCode: 0,
    });
  });

  it("treats an empty file as new and ignores --session-id", () => {
    const { path, env } = world();
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, "");
    expect(runCafleet(["--session-id", "x", "db", "init"], env).stdout).toBe(
      `Created ${path} and applied migrations to head (${HEAD_VERSION}).\n`,
    );
  });

  it("adopts a Python CAFleet 0008 database", () => {
    const { path, env } = world();
    mkdirSync(join(path, ".."), { recursive: true });
    const db = new Database(path);
    db.run(`CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
      INSERT INTO alembic_version VALUES ('0008');
      CREATE TABLE sessions (session_id VARCHAR NOT NULL PRIMARY KEY, label VARCHAR, created_at VARCHAR NOT NULL, deleted_at VARCHAR, director_agent_id VARCHAR);
      CREATE TABLE agents (agent_id VARCHAR NOT NULL PRIMARY KEY, session_id VARCHAR NOT NULL, name VARCHAR NOT NULL, description VARCHAR NOT NULL, status VARCHAR NOT NULL, registered_at VARCHAR NOT NULL, deregistered_at VARCHAR, agent_card_json VARCHAR NOT NULL);
      CREATE TABLE tasks (task_id VARCHAR NOT NULL PRIMARY KEY, context_id VARCHAR NOT NULL, from_agent_id VARCHAR NOT NULL, to_agent_id VARCHAR NOT NULL, type VARCHAR NOT NULL, created_at VARCHAR NOT NULL, status_state VARCHAR NOT NULL, status_timestamp VARCHAR NOT NULL, task_json VARCHAR NOT NULL, origin_task_id VARCHAR);
      CREATE TABLE agent_placements (agent_id VARCHAR NOT NULL PRIMARY KEY, director_agent_id VARCHAR, tmux_session VARCHAR NOT NULL, tmux_window_id VARCHAR NOT NULL, tmux_pane_id VARCHAR, coding_agent VARCHAR NOT NULL DEFAULT 'claude', created_at VARCHAR NOT NULL);
      INSERT INTO sessions (session_id, label, created_at) VALUES ('${"b".repeat(64)}', 'legacy', '2026-01-01T00:00:00+00:00');`);
    db.close();
    expect(runCafleet(["db", "init"], env)).toEqual({
      stdout: `Adopted the existing CAFleet database at ${path} (revision 0008) and brought it to head (${HEAD_VERSION}).\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(userVersion(path)).toBe(HEAD_VERSION);
    expect(runCafleet(["session", "show", "b".repeat(64)], env).stdout).toBe(
      `session_id: ${"b".repeat(64)}\nlabel:      legacy\ncreated_at: 2026-01-01T00:00:00+00:00\n`,
    );
  });

  it("upgrades a version 1 database to head, keeping its rows (behind)", () => {
    const { path, env } = world();
    mkdirSync(join(path, ".."), { recursive: true });
    const migrations = readFileSync(join(ROOT, "migrations.sql"), "utf8");
    const section1 = migrations.slice(
      migrations.indexOf("-- version: 1"),
      migrations.indexOf("-- version: 2"),
    );
    const db = new Database(path);
    db.run(section1);
    db.run("PRAGMA user_version = 1");
    db.run(
      `INSERT INTO sessions (session_id, label, created_at) VALUES ('s1', 'old', '2026-01-01T00:00:00+00:00')`,
    );
    db.close();
    expect(runCafleet(["db", "init"], env)).toEqual({
      stdout: `Upgraded from 1 to ${HEAD_VERSION}.\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(userVersion(path)).toBe(HEAD_VERSION);
    const upgraded = new Database(path, { readonly: true });
    const columns = (upgraded.query("PRAGMA table_info(tasks)").all() as { name: string }[]).map(
      (c) => c.name,
    );
    const label = upgraded.query("SELECT label FROM sessions WHERE session_id = 's1'").get();
    upgraded.close();
    expect(columns.slice(-11)).toEqual([
      "notified_at",
      "last_nudged_at",
      "nudge_count",
      "notify_failed_at",
      "notify_error",
      "fetched_at",
      "reply_to_task_id",
      "retraction_reported_at",
      "held_at",
      "held_reason",
      "sent_from_host",
    ]);
    expect(label).toEqual({ label: "old" });
    expect(runCafleet(["db", "init"], env).stdout).toBe(
      `Already at head (${HEAD_VERSION}); nothing to do.\n`,
    );
  });

  it("upgrades a version 2 database to head, adding only columns, two indexes and the search index", () => {
    const { path, env } = world();
    mkdirSync(join(path, ".."), { recursive: true });
    const migrations = readFileSync(join(ROOT, "migrations.sql"), "utf8");
    const db = new Database(path);
    db.run(migrations.slice(migrations.indexOf("-- version: 1"), migrations.indexOf("-- version: 3")));
    db.run("PRAGMA user_version = 2");
    db.run(
      `INSERT INTO sessions (session_id, label, created_at) VALUES ('s2', 'old', '2026-01-01T00:00:00+00:00')`,
    );
    const before = db.query("SELECT name, sql FROM sqlite_master ORDER BY name").all();
    db.close();
    expect(runCafleet(["db", "init"], env)).toEqual({
      stdout: `Upgraded from 2 to ${HEAD_VERSION}.\n`,
      stderr: "",
      exitCode: 0,
    });
    const upgraded = new Database(path, { readonly: true });
    const after = upgraded.query("SELECT name, sql FROM sqlite_master ORDER BY name").all() as {
      name: string;
      sql: string;
    }[];
    const label = upgraded.query("SELECT label FROM sessions WHERE session_id = 's2'").get();
    upgraded.close();
    expect(userVersion(path)).toBe(HEAD_VERSION);
    expect(label).toEqual({ label: "old" });
    expect(
      after
        .filter((entry) => !before.some((old) => JSON.stringify(old) === JSON.stringify(entry)))
        .map((e) => e.name),
    ).toEqual([
      "agent_placements",
      "idx_tasks_unread",
      "idx_tasks_unreported_retractions",
      // Version 6: the search index, its view, shadow tables and triggers.
      "message_bodies",
      "message_search",
      "message_search_config",
      "message_search_data",
      "message_search_delete",
      "message_search_idx",
      "message_search_insert",
      "message_text_unchanged",
      // Version 7: the hosts' relays.
      "relays",
      "sessions",
      "sqlite_autoindex_relays_1",
      "tasks",
    ]);
    expect(after.find((entry) => entry.name === "tasks")!.sql).toEndWith(
      ", retraction_reported_at TEXT, held_at TEXT, held_reason TEXT, sent_from_host TEXT)",
    );
    expect(after.find((entry) => entry.name === "agent_placements")!.sql).toEndWith(
      ", tmux_socket TEXT, repl TEXT, hold_reported_at TEXT, model TEXT, waiting_alert_seconds INTEGER, stalled_alert_seconds INTEGER, screen_state TEXT, screen_state_since TEXT, screen_digest TEXT, screen_changed_at TEXT, finding TEXT, finding_reported_at TEXT, host TEXT)",
    );
    expect(after.find((entry) => entry.name === "sessions")!.sql).toEndWith(
      ", nudge_holder TEXT, nudge_expires_at INTEGER)",
    );
  });

  it("refuses a newer schema and foreign tables, for db init and every other DB command", () => {
    const ahead = world();
    mkdirSync(join(ahead.path, ".."), { recursive: true });
    const db = new Database(ahead.path);
    db.run(`PRAGMA user_version = ${HEAD_VERSION + 1}`);
    db.close();
    expectError(runCafleet(["db", "init"], ahead.env), AHEAD);
    expectError(runCafleet(["session", "list"], ahead.env), AHEAD);
    expectError(runCafleet(["--session-id", "s", "poll", "--agent-id", "a"], ahead.env), AHEAD);
    expect(userVersion(ahead.path)).toBe(HEAD_VERSION + 1);

    const foreign = world();
    mkdirSync(join(foreign.path, ".."), { recursive: true });
    const other = new Database(foreign.path);
    other.run("CREATE TABLE notes (body TEXT)");
    other.close();
    expectError(runCafleet(["db", "init"], foreign.env), FOREIGN(foreign.path));
    expectError(runCafleet(["session", "list"], foreign.env), FOREIGN(foreign.path));
  });

  it("sets a missing database up silently for any other command", () => {
    const { path, env } = world();
    expect(runCafleet(["session", "list"], env)).toEqual({
      stdout: "No sessions found.\n",
      stderr: "",
      exitCode: 0,
    });
    expect(userVersion(path)).toBe(HEAD_VERSION);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const unknown = runCafleet(
      ["--session-id", "s", "register", "--name", "a", "--description", "b"],
      world().env,
    );
    expectError(unknown, "Session 's' not found.", 2);
  });

  it("lets 8 binaries open one brand-new database at once", async () => {
    const { path, env } = world();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        runCafleetAsync(index % 2 === 0 ? ["db", "init"] : ["session", "list"], env),
      ),
    );
    for (const result of results) expect(result.stderr).toBe("");
    for (const result of results) expect(result.exitCode).toBe(0);
    const created = results.filter((result) => result.stdout.startsWith("Created "));
    expect(created.length).toBeLessThanOrEqual(1);
    expect(userVersion(path)).toBe(HEAD_VERSION);
  });
});

describe("CAFLEET_DATABASE_URL", () => {
  it("accepts a relative three-slash path, a driver suffix and a ?query", () => {
    const { dir, env } = world();
    const relative = runCafleet(
      ["db", "init"],
      { ...env, CAFLEET_DATABASE_URL: "sqlite:///rel/x.db" },
      { cwd: dir },
    );
    expect(relative.stdout).toBe(`Created rel/x.db and applied migrations to head (${HEAD_VERSION}).\n`);
    expect(existsSync(join(dir, "rel/x.db"))).toBe(true);
    const abs = join(dir, "abs.db");
    const driver = runCafleet(["db", "init"], {
      ...env,
      CAFLEET_DATABASE_URL: `sqlite+aiosqlite:///${abs}?timeout=5`,
    });
    expect(driver.stdout).toBe(`Created ${abs} and applied migrations to head (${HEAD_VERSION}).\n`);
    expect(existsSync(abs)).toBe(true);
  });

  it("uses the default under $HOME when the variable is empty", () => {
    const { dir, env } = world();
    const result = runCafleet(["db", "init"], { ...env, CAFLEET_DATABASE_URL: "" });
    const expected = join(dir, ".local/share/cafleet/registry.db");
    expect(result.stdout).toBe(`Created ${expected} and applied migrations to head (${HEAD_VERSION}).\n`);
  });

  it("fails every DB command on a URL without a file path", () => {
    const { env } = world();
    for (const url of ["sqlite://", "sqlite+pysqlite://"]) {
      const bad = { ...env, CAFLEET_DATABASE_URL: url };
      expectError(runCafleet(["db", "init"], bad), "database URL has no file path");
      expectError(runCafleet(["session", "list"], bad), "database URL has no file path");
      expectError(
        runCafleet(["--session-id", "s", "poll", "--agent-id", "a"], bad),
        "database URL has no file path",
      );
    }
  });

  it("turns an unusable file into one Error line", () => {
    const { dir, env } = world();
    const junk = join(dir, "junk.db");
    writeFileSync(junk, "this is not a database, just some text long enough to have a header".repeat(20));
    const result = runCafleet(["session", "list"], { ...env, CAFLEET_DATABASE_URL: `sqlite:///${junk}` });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toStartWith(`Error: ${junk} is not a usable cafleet database`);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
