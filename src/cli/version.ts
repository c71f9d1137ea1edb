import { Database } from "bun:sqlite";
import { version } from "../../package.json" with { type: "json" };
import { printJson, printLine } from "../output.ts";
import type { JSON_ONLY } from "./commands.ts";
import type { Context } from "./options.ts";

// Replaced by build.ts at compile time (`--define CAFLEET_BUILD_TARGET="bun-linux-x64"`).
declare const CAFLEET_BUILD_TARGET: string | undefined;

/** The `--target` this binary was compiled for; a run from source names the host and says so. */
export function buildTarget(): string {
  if (typeof CAFLEET_BUILD_TARGET === "string") return CAFLEET_BUILD_TARGET;
  return `bun-${process.platform}-${process.arch} (source)`;
}

/** Asked of an in-memory database so that the user's database is never opened. */
export function sqliteVersion(): string {
  const db = new Database(":memory:");
  try {
    const row = db.query<{ version: string }, []>("SELECT sqlite_version() AS version").get();
    return row?.version ?? "unknown";
  } finally {
    db.close();
  }
}

export async function versionCommand(ctx: Context<typeof JSON_ONLY>): Promise<void> {
  const report = { version, sqlite: sqliteVersion(), target: buildTarget() };
  if (ctx.json) return printJson(report);
  return printLine(`cafleet ${report.version}\nsqlite ${report.sqlite}\ntarget ${report.target}`);
}
