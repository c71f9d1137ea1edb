import { expect } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../../src/broker/db.ts";
import type { Database } from "../../src/store/database.ts";
import { type Backend, databaseUrl } from "./backends.ts";
import { type CliResult, type Env, isolatedEnv, makeTempDir, runCafleet } from "./cli.ts";
import { PrivateTmux } from "./tmux.ts";

export type SessionIds = { sessionId: string; directorId: string; administratorId: string };

/**
 * One test file's world: a temp HOME and database of `backend`, and a private tmux server whose
 * first pane is where `session create` runs. Everything goes through the compiled binary.
 */
export class Fleet {
  readonly dir: string;
  /** SQLite's file (the default backend); a PostgreSQL fleet has none: use openDb or rows. */
  readonly dbPath: string;
  readonly env: Env;
  readonly tmux: PrivateTmux;
  readonly pane: string;
  private cleanupDir: () => void;

  constructor(label: string, backend: Backend = "sqlite") {
    const { dir, cleanup } = makeTempDir(`cafleet-${label}-`);
    this.dir = dir;
    this.cleanupDir = cleanup;
    this.dbPath = join(dir, "cafleet.db");
    this.tmux = new PrivateTmux(label);
    this.pane = this.tmux.start("main");
    this.env = isolatedEnv(dir, {
      CAFLEET_DATABASE_URL: databaseUrl(backend, dir),
      ...this.tmux.envFor(this.pane),
    });
  }

  /** The fleet's database, opened as a command opens it (either backend); close it when done. */
  openDb(): Database {
    return openDatabase(this.env).db;
  }

  /** Rows of one query on the fleet's database, through a handle opened and closed around it. */
  rows<T>(sql: string, ...params: string[]): T[] {
    const db = this.openDb();
    try {
      return db.query(sql).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  run(args: string[], extraEnv: Env = {}): CliResult {
    return runCafleet(args, { ...this.env, ...extraEnv });
  }

  /** Runs `cafleet --json <args>` and parses stdout, failing the test on a non-zero exit. */
  json<T>(args: string[]): T {
    const result = this.run(["--json", ...args]);
    expect({ exitCode: result.exitCode, stderr: result.stderr }).toEqual({ exitCode: 0, stderr: "" });
    return JSON.parse(result.stdout) as T;
  }

  createSession(label?: string): SessionIds {
    const created = this.json<{
      session_id: string;
      administrator_agent_id: string;
      director: { agent_id: string };
    }>(["session", "create", ...(label === undefined ? [] : ["--label", label])]);
    return {
      sessionId: created.session_id,
      directorId: created.director.agent_id,
      administratorId: created.administrator_agent_id,
    };
  }

  register(sessionId: string, name: string, description = `${name} agent`): string {
    return this.json<{ agent_id: string }>([
      "--session-id",
      sessionId,
      "register",
      "--name",
      name,
      "--description",
      description,
    ]).agent_id;
  }

  stop(): void {
    this.tmux.kill();
    this.cleanupDir();
  }
}

/** Asserts a failure: stderr is exactly one `Error: <message>` line and the exit code matches. */
export function expectError(result: CliResult, message: string, exitCode = 1): void {
  expect({ stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }).toEqual({
    stdout: "",
    stderr: `Error: ${message}\n`,
    exitCode,
  });
}
