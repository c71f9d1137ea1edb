import migrationsSql from "../../migrations.sql" with { type: "text" };
import { CafleetError } from "../errors.ts";
import type { Database } from "../store/database.ts";

type Section = { version: number; sql: string };

/** migrations.sql split at its `-- version: N` lines. */
export function parseSections(text: string): Section[] {
  const sections: Section[] = [];
  for (const chunk of text.split(/^-- version: (?=\d+\s*$)/m).slice(1)) {
    const newline = chunk.indexOf("\n");
    sections.push({ version: Number(chunk.slice(0, newline)), sql: chunk.slice(newline + 1) });
  }
  return sections;
}

const SECTIONS = parseSections(migrationsSql);
export const HEAD_VERSION = SECTIONS.at(-1)?.version ?? 0;

export type SchemaOutcome =
  | { kind: "created" }
  | { kind: "at-head" }
  | { kind: "upgraded"; from: number }
  | { kind: "adopted" };

const REFERENCE_COLUMNS: Record<string, string[]> = {
  sessions: ["session_id", "label", "created_at", "deleted_at", "director_agent_id"],
  agents: [
    "agent_id",
    "session_id",
    "name",
    "description",
    "status",
    "registered_at",
    "deregistered_at",
    "agent_card_json",
  ],
  tasks: [
    "task_id",
    "context_id",
    "from_agent_id",
    "to_agent_id",
    "type",
    "created_at",
    "status_state",
    "status_timestamp",
    "origin_task_id",
    "task_json",
  ],
  agent_placements: [
    "agent_id",
    "director_agent_id",
    "tmux_session",
    "tmux_window_id",
    "tmux_pane_id",
    "coding_agent",
    "created_at",
  ],
};

const REFERENCE_INDEXES = [
  "CREATE INDEX IF NOT EXISTS idx_agents_session_status ON agents (session_id, status)",
  "CREATE INDEX IF NOT EXISTS idx_tasks_context_status_ts ON tasks (context_id, status_timestamp)",
  "CREATE INDEX IF NOT EXISTS idx_tasks_from_agent_status_ts ON tasks (from_agent_id, status_timestamp)",
  "CREATE INDEX IF NOT EXISTS idx_placements_director ON agent_placements (director_agent_id)",
];

function userVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

function tableNames(db: Database): string[] {
  return (
    db
      .query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
      .all() as { name: string }[]
  ).map((row) => row.name);
}

function columnNames(db: Database, table: string): Set<string> {
  return new Set(
    (db.query(`PRAGMA table_info("${table}")`).all() as { name: string }[]).map((column) => column.name),
  );
}

function isPythonCafleetDatabase(db: Database, tables: string[]): boolean {
  if (!tables.includes("alembic_version")) return false;
  if (!columnNames(db, "alembic_version").has("version_num")) return false;
  const revisions = db.query("SELECT version_num FROM alembic_version").all() as { version_num: string }[];
  if (revisions.length !== 1 || revisions[0]?.version_num !== "0008") return false;
  return Object.entries(REFERENCE_COLUMNS).every(([table, columns]) => {
    if (!tables.includes(table)) return false;
    const present = columnNames(db, table);
    return columns.every((column) => present.has(column));
  });
}

function applySections(db: Database, from: number): void {
  for (const section of SECTIONS) {
    if (section.version <= from) continue;
    db.run(section.sql);
    db.run(`PRAGMA user_version = ${section.version}`);
  }
}

export function aheadError(version: number): CafleetError {
  return new CafleetError(
    `DB schema is at version ${version} which is unknown to this version of cafleet. Refusing to downgrade automatically.`,
  );
}

function foreignTablesError(path: string): CafleetError {
  return new CafleetError(
    `${path} holds tables that are not a cafleet schema this binary knows (no PRAGMA user_version). If it is an older Python CAFleet database, upgrade it with that tool's 'cafleet db init' first; otherwise point CAFLEET_DATABASE_URL at another file.`,
  );
}

/**
 * Reads the schema state without writing anything and refuses the two states this binary must
 * leave alone (a newer schema, foreign tables): it runs before the connection switches the file
 * to WAL, so a refused file keeps its bytes and gets no -wal/-shm beside it. Returns user_version.
 */
export function inspectSchema(db: Database, path: string): number {
  // One read transaction: another process creating the schema may commit between two bare reads,
  // and "version 0, then tables" would look like a foreign database.
  return db.transaction((): number => {
    const version = userVersion(db);
    if (version > HEAD_VERSION) throw aheadError(version);
    if (version === 0) {
      const tables = tableNames(db);
      if (tables.length > 0 && !isPythonCafleetDatabase(db, tables)) throw foreignTablesError(path);
    }
    return version;
  })();
}

/**
 * Brings the schema to head. The fast path is the user_version already read. Otherwise the state
 * is re-read inside BEGIN IMMEDIATE, so two processes opening a new file at once apply it once.
 */
export function bringSchemaToHead(db: Database, path: string, seen = userVersion(db)): SchemaOutcome {
  if (seen === HEAD_VERSION) return { kind: "at-head" };
  if (seen > HEAD_VERSION) throw aheadError(seen);
  return db
    .transaction((): SchemaOutcome => {
      const version = userVersion(db);
      if (version === HEAD_VERSION) return { kind: "at-head" };
      if (version > HEAD_VERSION) throw aheadError(version);
      if (version > 0) {
        applySections(db, version);
        return { kind: "upgraded", from: version };
      }
      const tables = tableNames(db);
      if (tables.length === 0) {
        applySections(db, 0);
        return { kind: "created" };
      }
      if (!isPythonCafleetDatabase(db, tables)) throw foreignTablesError(path);
      for (const statement of REFERENCE_INDEXES) db.run(statement);
      db.run("DROP TABLE alembic_version");
      db.run("PRAGMA user_version = 1");
      applySections(db, 1);
      return { kind: "adopted" };
    })
    .immediate();
}
