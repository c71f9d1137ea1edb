import { Database } from "bun:sqlite";
import { join } from "node:path";
import { openDatabase } from "../../src/broker/db.ts";
import { createSession } from "../../src/broker/sessions.ts";
import type { Database as Store } from "../../src/store/database.ts";
import { type Backend, databaseUrl } from "./backends.ts";
import { makeTempDir } from "./cli.ts";

/**
 * A fresh database in its own temp folder, opened the way every command opens it: a SQLite file,
 * or with `backend` postgres a new database of the run's cluster.
 */
export function tempDatabase(backend: Backend = (process.env.CAFLEET_TEST_BACKEND as Backend) || "sqlite"): {
  db: Store;
  path: string;
  dir: string;
  cleanup: () => void;
} {
  const { dir, cleanup } = makeTempDir("cafleet-broker-");
  const path = join(dir, "registry.db");
  const url = backend === "sqlite" ? `sqlite:///${path}` : databaseUrl(backend, dir);
  const { db } = openDatabase({ CAFLEET_DATABASE_URL: url });
  return {
    db,
    path,
    dir,
    cleanup: () => {
      db.close();
      cleanup();
    },
  };
}

export const FAKE_TMUX = { session: "main", windowId: "@1", paneId: "%1" };

/** A session as `session create` makes it, with its Director and Administrator ids. */
export function seedSession(db: Store, label: string | null = null) {
  const created = createSession(db, label, FAKE_TMUX);
  return {
    sessionId: created.session_id,
    directorId: created.director.agent_id,
    administratorId: created.administrator_agent_id,
    created,
  };
}

/**
 * Rows of a database another process is writing (the binary, its background nudger): read-only,
 * waiting for their write lock as the CLI does.
 */
export function readRows<T>(path: string, query: string, ...params: string[]): T[] {
  const db = new Database(path, { readonly: true });
  db.exec("PRAGMA busy_timeout = 5000");
  try {
    return db.query(query).all(...params) as T[];
  } finally {
    db.close();
  }
}
