import type { OpenedDatabase } from "../../broker/db.ts";
import type { Database } from "../database.ts";
import { PostgresDatabase } from "./client.ts";
import { bringPostgresSchemaToHead } from "./schema.ts";
import { parsePostgresUrl } from "./url.ts";

let early: { url: string; db: PostgresDatabase } | null = null;

/**
 * Starts the connection before the command is even parsed (main.ts): its worker and the
 * server's handshake then overlap the loading of the command. A URL that does not parse waits
 * for openPostgres to say so.
 */
export function connectEarly(url: string): void {
  try {
    const { connect, where } = parsePostgresUrl(url);
    early = { url, db: new PostgresDatabase(connect, where) };
  } catch {}
}

/** Opens CAFLEET_DATABASE_URL's PostgreSQL database for a command and brings its schema to head. */
export function openPostgres(url: string): OpenedDatabase {
  const { connect, where } = parsePostgresUrl(url);
  const started = early?.url === url ? early.db : null;
  early = null;
  const db = started ?? new PostgresDatabase(connect, where);
  try {
    const outcome = bringPostgresSchemaToHead(db);
    return { db, path: where, outcome };
  } catch (error) {
    db.close();
    throw error;
  }
}

export function isPostgresDatabase(db: Database): db is PostgresDatabase {
  return db instanceof PostgresDatabase;
}

export function reopen(db: PostgresDatabase): PostgresDatabase {
  return new PostgresDatabase(db.url, db.where);
}
