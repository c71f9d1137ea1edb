import { aheadError, HEAD_VERSION, parseSections, type SchemaOutcome } from "../../broker/schema.ts";
import { CafleetError } from "../../errors.ts";
import type { PostgresDatabase } from "./client.ts";
import schemaSql from "./schema.sql" with { type: "text" };

const SECTIONS = parseSections(schemaSql);
if (SECTIONS.at(-1)?.version !== HEAD_VERSION)
  throw new Error(
    `schema.sql ends at version ${SECTIONS.at(-1)?.version}, migrations.sql at ${HEAD_VERSION}`,
  );

const UNDEFINED_TABLE = "42P01";

function foreignTablesError(where: string): CafleetError {
  return new CafleetError(
    `${where} holds tables that are not a cafleet schema (no cafleet_schema table). Create an empty database for cafleet (createdb) and point CAFLEET_DATABASE_URL at it.`,
  );
}

function readVersion(db: PostgresDatabase): number {
  return (db.query("SELECT version FROM cafleet_schema").get() as { version: number } | null)?.version ?? 0;
}

/** The schema's version, or null when the database has no cafleet_schema table: one read. */
function versionOf(db: PostgresDatabase): number | null {
  try {
    return readVersion(db);
  } catch (error) {
    if ((error as { sqlState?: string }).sqlState === UNDEFINED_TABLE) return null;
    throw error;
  }
}

/** The same inside a transaction, which a failed statement would abort. */
function versionInTransaction(db: PostgresDatabase): number | null {
  const present = db.query("SELECT to_regclass('cafleet_schema') IS NOT NULL AS present").get() as {
    present: number;
  };
  return present.present ? readVersion(db) : null;
}

/**
 * Brings the schema to head. The fast path is one read of the version; otherwise the state is
 * read again under the write lock, so two first commands on an empty database apply it once.
 * A newer schema and another program's tables are refused, as on SQLite.
 */
export function bringPostgresSchemaToHead(db: PostgresDatabase): SchemaOutcome {
  const seen = versionOf(db);
  if (seen === HEAD_VERSION) return { kind: "at-head" };
  if (seen !== null && seen > HEAD_VERSION) throw aheadError(seen);
  return db.transaction((): SchemaOutcome => {
    const version = versionInTransaction(db);
    if (version === HEAD_VERSION) return { kind: "at-head" };
    if (version !== null && version > HEAD_VERSION) throw aheadError(version);
    if (version === null) {
      const tables = db
        .query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        .all() as { tablename: string }[];
      if (tables.length > 0) throw foreignTablesError(db.where);
    }
    for (const section of SECTIONS) {
      if (section.version <= (version ?? 0)) continue;
      db.runScript(section.sql);
      db.run("UPDATE cafleet_schema SET version = ?", section.version);
    }
    return version === null ? { kind: "created" } : { kind: "upgraded", from: version };
  })();
}
