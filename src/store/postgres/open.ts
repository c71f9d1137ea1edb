import type { OpenedDatabase } from "../../broker/db.ts";
import type { Database } from "../database.ts";
import { PostgresDatabase } from "./client.ts";
import { bringPostgresSchemaToHead } from "./schema.ts";
import { parsePostgresUrl } from "./url.ts";

/** Opens CAFLEET_DATABASE_URL's PostgreSQL database for a command and brings its schema to head. */
export function openPostgres(url: string): OpenedDatabase {
  const { connect, where } = parsePostgresUrl(url);
  const db = new PostgresDatabase(connect, where);
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
