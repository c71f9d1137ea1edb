import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { registerAgent } from "../../src/broker/agents.ts";
import { openDatabase } from "../../src/broker/db.ts";
import { createSession } from "../../src/broker/sessions.ts";
import type { Database } from "../../src/store/database.ts";
import type { Backend } from "../../test/support/backends.ts";
import { freshPostgresDatabase } from "../../test/support/postgres.ts";

/**
 * A temp folder holding one cafleet database, and the environment that points the CLI at it:
 * a SQLite file there, or with `backend` postgres a new database of the run's private cluster.
 */
export type Workspace = { dir: string; dbPath: string; env: Record<string, string>; dispose: () => void };

export function makeWorkspace(prefix: string, backend: Backend = "sqlite"): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `cafleet-bench-${prefix}-`));
  const dbPath = join(dir, "registry.db");
  return {
    dir,
    dbPath,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      TMUX_TMPDIR: dir,
      CAFLEET_DATABASE_URL: backend === "sqlite" ? `sqlite:///${dbPath}` : freshPostgresDatabase().url,
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type Team = { sessionId: string; directorId: string; administratorId: string; agentIds: string[] };

/** A session whose Director is followed by `members` registered agents (no tmux panes). */
export function createTeam(db: Database, members: number, label = "bench"): Team {
  const session = createSession(db, label, { session: "bench", windowId: "@1", paneId: "%1" });
  const agentIds: string[] = [];
  for (let index = 0; index < members; index++)
    agentIds.push(
      registerAgent(db, {
        sessionId: session.session_id,
        name: `agent-${index}`,
        description: `bench agent ${index}`,
        skills: [],
      }).agent_id,
    );
  return {
    sessionId: session.session_id,
    directorId: session.director.agent_id,
    administratorId: session.administrator_agent_id,
    agentIds,
  };
}

export function openWorkspaceDb(workspace: Workspace): Database {
  return openDatabase(workspace.env).db;
}
