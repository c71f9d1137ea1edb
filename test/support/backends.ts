/**
 * The two stores every backend-neutral suite runs against: one parameter, the same assertions.
 * SQLite is a file in the test's folder; PostgreSQL a new database of the run's private cluster
 * (test/support/postgres.ts).
 */
import { describe } from "bun:test";
import { join } from "node:path";
import { freshPostgresDatabase } from "./postgres.ts";

export type Backend = "sqlite" | "postgres";
export const BACKENDS: Backend[] = ["sqlite", "postgres"];

/**
 * CAFLEET_DATABASE_URL for a new database of `backend` (SQLite: a file in `dir`, created by the
 * first command). PostgreSQL's comes at the schema's head, as after a first command, unless
 * `empty`, as a team's administrator creates it.
 */
export function databaseUrl(backend: Backend, dir: string, options: { empty?: boolean } = {}): string {
  return backend === "sqlite" ? `sqlite:///${join(dir, "cafleet.db")}` : freshPostgresDatabase(options).url;
}

/** `describe(name)` once per backend, the backend named after the title. */
export function describeEachBackend(name: string, body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) describe(`${name} [${backend}]`, () => body(backend));
}
