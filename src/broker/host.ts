import type { Database } from "../store/database.ts";

/**
 * Which machine this process runs on, as placements and deliveries record it (migrations.sql
 * version 7): CAFLEET_HOST when set (two hosts simulated on one machine, or a name that stays
 * when the hostname changes), else the hostname.
 */
export function thisHost(env: Record<string, string | undefined> = process.env): string {
  return env.CAFLEET_HOST || process.getBuiltinModule("node:os").hostname();
}

/**
 * The host a row records, for a store several machines share (PostgreSQL); null for a SQLite
 * file, which is one machine's: nothing to tell apart, and no hostname to look up on the way.
 */
export function hostFor(db: Database): string | null {
  return db.dialect === "postgres" ? thisHost() : null;
}
