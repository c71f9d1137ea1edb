import { Database as SqliteDatabase } from "bun:sqlite";
import { CafleetError, messageOf } from "../errors.ts";
import type { Database } from "../store/database.ts";
import type * as PostgresStore from "../store/postgres/open.ts";
import { isPostgresUrl } from "../store/postgres/url.ts";
import { bringSchemaToHead, inspectSchema, type SchemaOutcome } from "./schema.ts";
import { nowIso } from "./time.ts";

// node:fs, node:os and node:path are fetched with process.getBuiltinModule only where they are
// needed: a static import loads them (and starts the JIT) in every command, about 1 ms at start-up.

/** Resolves CAFLEET_DATABASE_URL (SQLAlchemy URL rules) to a filesystem path. */
export function databasePath(env: Record<string, string | undefined> = process.env): string {
  const url =
    env.CAFLEET_DATABASE_URL ||
    `sqlite:///${process.getBuiltinModule("node:os").homedir()}/.local/share/cafleet/registry.db`;
  const match = /^sqlite(?:\+[^:/]*)?:\/\/\/(.*)$/s.exec(url);
  const path = match?.[1]?.split("?")[0];
  if (!path) throw new CafleetError("database URL has no file path");
  // Each cafleet command is its own process: an in-memory database would lose everything at exit.
  if (path === ":memory:")
    throw new CafleetError(
      "database URL names an in-memory database (:memory:); cafleet's processes share one file, so give a file path.",
    );
  return path;
}

/** Creates the folder (0700) and the file (0600) ourselves: SQLite would use the umask. */
function createPrivateFile(path: string): void {
  const { mkdirSync, writeFileSync } = process.getBuiltinModule("node:fs");
  const { dirname } = process.getBuiltinModule("node:path");
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, "", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? "";
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

/**
 * The switch to WAL takes a brief exclusive lock and ignores busy_timeout, so a second process
 * opening the file at the same moment gets SQLITE_BUSY at once: retry for up to 5 s.
 */
function enableWal(db: SqliteDatabase): void {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      db.run("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      if (!isBusy(error) || Date.now() > deadline) throw error;
      Bun.sleepSync(5 + Math.random() * 20);
    }
  }
}

/**
 * Opens an existing file without creating anything; a missing one is created first with our
 * modes. Trying the open first spares every command after the first a mkdir and a failed
 * exclusive create on its start-up path.
 */
function openFile(path: string): SqliteDatabase {
  try {
    return new SqliteDatabase(path, { readwrite: true, create: false, strict: true });
  } catch (error) {
    if ((error as { code?: string }).code !== "SQLITE_CANTOPEN") throw error;
  }
  createPrivateFile(path);
  return new SqliteDatabase(path, { readwrite: true, create: true, strict: true });
}

/** The pragmas that change nothing in the file; `useWal` adds the rest. */
function openWithoutWal(path: string): SqliteDatabase {
  const db = openFile(path);
  // bun:sqlite's busy_timeout defaults to 0: without it concurrent agents get SQLITE_BUSY.
  db.run("PRAGMA busy_timeout = 5000");
  db.run("PRAGMA foreign_keys = ON");
  return db;
}

/** WAL lets readers (the server, polling agents) run beside the writer. */
function useWal(db: SqliteDatabase): void {
  enableWal(db);
  db.run("PRAGMA synchronous = NORMAL");
}

/**
 * Runs `write` in a write transaction with `at` taken once the write lock is held. The live feed
 * finds changes by these times: a time taken before a wait for the lock (another process may
 * hold it for seconds) would land behind what the feed has already read, and the change would
 * never reach an open page.
 */
export function writeStamped<T>(db: Database, write: (at: string) => T): T {
  return db.transaction(() => write(nowIso())).immediate();
}

/** Opens one more connection to a database already set up, with every pragma of data-model.md §2. */
export function openConnection(path: string): SqliteDatabase {
  const db = openWithoutWal(path);
  useWal(db);
  return db;
}

/** Whether `db` is the embedded SQLite store (its pragmas apply to it alone). */
export function isSqliteDatabase(db: Database): db is SqliteDatabase {
  return db instanceof SqliteDatabase;
}

/** The PostgreSQL store, loaded (with its worker) only for a postgres:// URL. */
function postgresStore(): typeof PostgresStore {
  return require("../store/postgres/open.ts");
}

/**
 * One more connection to the database `db` is open on (the server watches on its own). A SQLite
 * handle is told apart first, so SQLite never loads the PostgreSQL store.
 */
export function openAnotherConnection(db: Database): Database {
  if (isSqliteDatabase(db)) return openConnection(db.filename);
  const store = postgresStore();
  if (store.isPostgresDatabase(db)) return store.reopen(db);
  throw new CafleetError("the database handle is neither SQLite nor PostgreSQL");
}

export type OpenedDatabase = { db: Database; path: string; outcome: SchemaOutcome };

/**
 * Opens the configured database for a command: creates the file if needed and silently brings a
 * missing, empty, older or Python-CAFleet schema to head. A newer or foreign schema throws.
 */
export function openDatabase(env: Record<string, string | undefined> = process.env): OpenedDatabase {
  const url = env.CAFLEET_DATABASE_URL;
  if (url && isPostgresUrl(url)) return postgresStore().openPostgres(url);
  const path = databasePath(env);
  let db: SqliteDatabase | undefined;
  try {
    db = openWithoutWal(path);
    const version = inspectSchema(db, path);
    useWal(db);
    const outcome = bringSchemaToHead(db, path, version);
    return { db, path, outcome };
  } catch (error) {
    db?.close();
    throw describeStorageError(error, path);
  }
}

/** Turns SQLite and file-system failures into one line naming the file and what to do. */
export function describeStorageError(error: unknown, path: string): unknown {
  if (error instanceof CafleetError) return error;
  const code = (error as { code?: string }).code ?? "";
  const message = messageOf(error);
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT")
    return new CafleetError(
      `${path} is not a usable cafleet database (${message}). Move it aside or point CAFLEET_DATABASE_URL at another file.`,
    );
  if (
    code.startsWith("SQLITE_READONLY") ||
    code === "EACCES" ||
    code === "EROFS" ||
    code === "SQLITE_CANTOPEN"
  )
    return new CafleetError(
      `cannot write ${path} (${message}). Check the file's and folder's permissions, or point CAFLEET_DATABASE_URL at another file.`,
    );
  if (code === "SQLITE_FULL" || code === "ENOSPC")
    return new CafleetError(`the disk holding ${path} is full (${message}). Free some space and retry.`);
  if (isBusy(error))
    return new CafleetError(
      `${path} stayed locked by another process for over 5 s (${message}). Retry; if it persists, stop the process holding it.`,
    );
  // Other SQLite codes (constraint, mismatch…) are bugs, not the file's fault: they stay as they are.
  if (code.startsWith("SQLITE_IOERR") || code === "SQLITE_PROTOCOL" || /^E[A-Z]+$/.test(code))
    return new CafleetError(
      `cannot use ${path} (${message}). Check the path and the disk, or point CAFLEET_DATABASE_URL at another file.`,
    );
  return error;
}
