/**
 * Builds dist/cafleet once per `bun test` run, and only when a source is newer than the binary,
 * so every end-to-end test runs the real compiled file.
 */
import { afterAll } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { stopPostgresCluster } from "./support/postgres.ts";

const root = join(import.meta.dir, "..");
const binary = join(root, "dist/cafleet");
const SOURCES = [
  "src",
  "web/src",
  "web/index.html",
  "skills",
  "migrations.sql",
  "package.json",
  "build.ts",
  "bun.lock",
];

function newestMtime(path: string): number {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const builtAt = newestMtime(binary);
const sourcesAt = Math.max(...SOURCES.map((source) => newestMtime(join(root, source))));
if (builtAt === 0 || sourcesAt > builtAt) {
  const result = Bun.spawnSync([process.execPath, "run", "build.ts"], {
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  });
  if (result.exitCode !== 0) throw new Error("bun run build failed: the tests need dist/cafleet");
}

// The private PostgreSQL cluster a run started on first use (test/support/postgres.ts) stops
// once every test file has run.
afterAll(() => stopPostgresCluster(), 30_000);
