import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HEAD_VERSION, parseSections } from "../../src/broker/schema.ts";
import { isolatedEnv, makeTempDir, ROOT, runCafleet, runCafleetAsync } from "../support/cli.ts";
import { adminSql, freshPostgresDatabase, postgresCluster } from "../support/postgres.ts";
import { PrivateTmux } from "../support/tmux.ts";

/**
 * What is particular to the PostgreSQL store, end to end through the binary: `db init`'s states,
 * the errors that name the server, and `poll --wait` woken by a change notification. (Every
 * command's own behaviour runs on both stores in the backend-parameterised suites.)
 */

let dir: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir, cleanup } = makeTempDir("cafleet-pg-"));
  postgresCluster();
});
afterAll(() => cleanup());

function envFor(url: string) {
  return isolatedEnv(dir, { CAFLEET_DATABASE_URL: url });
}

function where(name: string): string {
  return `database ${name} at postgres@127.0.0.1:${postgresCluster().port}`;
}

function tables(name: string): string[] {
  return adminSql("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", name)
    .trim()
    .split("\n")
    .filter(Boolean);
}

const SCHEMA_TABLES = ["agent_placements", "agents", "cafleet_schema", "relays", "sessions", "tasks"];

describe("db init on PostgreSQL", () => {
  it("creates the schema in an empty database once, then finds it at head", () => {
    const { url, name } = freshPostgresDatabase({ empty: true });
    expect(runCafleet(["db", "init"], envFor(url))).toEqual({
      stdout: `Created ${where(name)} and applied migrations to head (${HEAD_VERSION}).\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(tables(name)).toEqual(SCHEMA_TABLES);
    expect(adminSql("SELECT version FROM cafleet_schema", name)).toBe(`${HEAD_VERSION}\n`);
    expect(runCafleet(["db", "init"], envFor(url))).toEqual({
      stdout: `Already at head (${HEAD_VERSION}); nothing to do.\n`,
      stderr: "",
      exitCode: 0,
    });
  });

  it("upgrades a schema behind head with the sections after its version", () => {
    const { url, name } = freshPostgresDatabase({ empty: true });
    const sections = parseSections(readFileSync(join(ROOT, "src/store/postgres/schema.sql"), "utf8"));
    for (const section of sections.filter((s) => s.version <= 3)) adminSql(section.sql, name);
    adminSql("UPDATE cafleet_schema SET version = 3", name);
    const column =
      "SELECT count(*) FROM information_schema.columns WHERE table_name = 'agent_placements' AND column_name = 'model'";
    expect(adminSql(column, name)).toBe("0\n");
    expect(runCafleet(["db", "init"], envFor(url))).toEqual({
      stdout: `Upgraded from 3 to ${HEAD_VERSION}.\n`,
      stderr: "",
      exitCode: 0,
    });
    expect(adminSql(column, name)).toBe("1\n");
    expect(adminSql("SELECT version FROM cafleet_schema", name)).toBe(`${HEAD_VERSION}\n`);
  });

  it("refuses a schema ahead of this binary and changes nothing", () => {
    const { url, name } = freshPostgresDatabase();
    adminSql(`UPDATE cafleet_schema SET version = ${HEAD_VERSION + 1}`, name);
    for (const args of [
      ["db", "init"],
      ["session", "list"],
    ])
      expect(runCafleet(args, envFor(url))).toEqual({
        stdout: "",
        stderr: `Error: DB schema is at version ${HEAD_VERSION + 1} which is unknown to this version of cafleet. Refusing to downgrade automatically.\n`,
        exitCode: 1,
      });
    expect(adminSql("SELECT version FROM cafleet_schema", name)).toBe(`${HEAD_VERSION + 1}\n`);
  });

  it("refuses a database holding another program's tables and writes nothing", () => {
    const { url, name } = freshPostgresDatabase({ empty: true });
    adminSql("CREATE TABLE invoices (id integer PRIMARY KEY)", name);
    expect(runCafleet(["db", "init"], envFor(url))).toEqual({
      stdout: "",
      stderr: `Error: ${where(name)} holds tables that are not a cafleet schema (no cafleet_schema table). Create an empty database for cafleet (createdb) and point CAFLEET_DATABASE_URL at it.\n`,
      exitCode: 1,
    });
    expect(tables(name)).toEqual(["invoices"]);
  });
});

describe("errors that name the server, never the password", () => {
  const SECRET = "s3cr3t-pw";

  function refused(url: string, expected: string): void {
    const result = runCafleet(["session", "list"], envFor(url));
    expect(result).toEqual({ stdout: "", stderr: `Error: ${expected}\n`, exitCode: 1 });
    expect(result.stderr).not.toContain(SECRET);
  }

  it("an unreachable server", () => {
    const closed = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const port = closed.port;
    closed.stop(true);
    refused(
      `postgres://team:${SECRET}@127.0.0.1:${port}/cafleet`,
      `cannot reach the PostgreSQL server of database cafleet at team@127.0.0.1:${port} (Failed to connect). Check that it is running and that the URL's host and port are right, or point CAFLEET_DATABASE_URL at another server.`,
    );
  });

  it("bad credentials", () => {
    const { port } = postgresCluster();
    refused(
      `postgresql://postgres:${SECRET}@127.0.0.1:${port}/postgres`,
      `the PostgreSQL server of database postgres at postgres@127.0.0.1:${port} refused the login (password authentication failed for user "postgres"). Check the user and password in CAFLEET_DATABASE_URL.`,
    );
  });

  it("a missing database", () => {
    const { url } = freshPostgresDatabase();
    const missing = url.replace(/\/[^/]+$/, "/no_such_db");
    const { port } = postgresCluster();
    refused(
      missing,
      `database no_such_db at postgres@127.0.0.1:${port} does not exist on its PostgreSQL server (database "no_such_db" does not exist). Create it (createdb), or point CAFLEET_DATABASE_URL at another database.`,
    );
  });

  it("TLS asked of a server without it", () => {
    const { url, name } = freshPostgresDatabase();
    refused(
      `${url}?sslmode=require`,
      `the PostgreSQL server of ${where(name)} cannot use TLS as the URL's sslmode asks (Server does not support SSL). Enable TLS on the server or change sslmode.`,
    );
  });

  it("a URL that does not parse", () => {
    refused(
      `postgres://team:${SECRET}@[bad/cafleet`,
      "CAFLEET_DATABASE_URL is not a valid PostgreSQL URL. Write it as postgres://user:password@host:port/database (percent-encode special characters in the password).",
    );
  });
});

describe("poll --wait on PostgreSQL", () => {
  let tmux: PrivateTmux;
  beforeAll(() => {
    tmux = new PrivateTmux("pg-wait");
  });
  afterAll(() => tmux.kill());

  it("wakes on the send's change notification and prints the message", async () => {
    const { url } = freshPostgresDatabase();
    const pane = tmux.start("main");
    tmux.tmux(["respawn-pane", "-k", "-t", pane, "cat > /dev/null"]);
    const env = isolatedEnv(dir, { CAFLEET_DATABASE_URL: url, ...tmux.envFor(pane) });
    const session = JSON.parse(runCafleet(["session", "create", "--json"], env).stdout) as {
      session_id: string;
      director: { agent_id: string };
    };
    const member = JSON.parse(
      runCafleet(
        ["--session-id", session.session_id, "--json", "register", "--name", "w", "--description", "d"],
        env,
      ).stdout,
    ).agent_id as string;
    const started = performance.now();
    const waiting = runCafleetAsync(
      ["--session-id", session.session_id, "poll", "--agent-id", member, "--new", "--wait", "20"],
      env,
    );
    await Bun.sleep(1000);
    const sent = runCafleet(
      [
        "--session-id",
        session.session_id,
        "send",
        "--agent-id",
        session.director.agent_id,
        "--to",
        member,
        "--text",
        "wake up",
      ],
      env,
    );
    expect(sent.exitCode).toBe(0);
    const sentAt = performance.now();
    const result = await waiting;
    const wokeAfter = performance.now() - sentAt;
    console.log(`poll --wait on PostgreSQL returned ${wokeAfter.toFixed(0)} ms after the send exited`);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("wake up");
    // Far below the 20 s wait: it woke on the notification.
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 30_000);
});
