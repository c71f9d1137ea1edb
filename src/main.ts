import { version } from "../package.json" with { type: "json" };
import { NUDGE_COMMAND, RELAY_COMMAND } from "./broker/push-line.ts";
import { parseArgv } from "./cli/parse.ts";
import { CafleetError, exitCodeOf, isSqliteError, messageOf } from "./errors.ts";
import { writeStderr, writeStdout } from "./output.ts";
import type * as PostgresStore from "./store/postgres/open.ts";
import { isPostgresUrl } from "./store/postgres/url.ts";

const SESSION_ID_REQUIRED =
  "--session-id <uuid> is required for this subcommand. Create a session with 'cafleet session create' and pass its id.";

async function main(argv: string[]): Promise<number> {
  // The background nudger (src/broker/nudger.ts): internal, started by the binary itself, not in help.
  if (argv[0] === NUDGE_COMMAND) {
    // A long-lived process: the normal JIT, not the binary's start-up policy (build.ts).
    Bun.unsafe.setJITPolicy(1);
    await (await import("./broker/nudger.ts")).runNudger(argv.slice(1), process.env);
    return 0;
  }
  // The host's relay (src/broker/relay.ts): internal likewise.
  if (argv[0] === RELAY_COMMAND) {
    Bun.unsafe.setJITPolicy(1);
    await (await import("./broker/relay.ts")).runRelay(process.env);
    return 0;
  }
  const url = process.env.CAFLEET_DATABASE_URL;
  if (url && isPostgresUrl(url))
    (require("./store/postgres/open.ts") as typeof PostgresStore).connectEarly(url);
  const parsed = parseArgv(argv);
  if (parsed.kind === "version") {
    await writeStdout(`cafleet ${version}\n`);
    return 0;
  }
  if (parsed.kind === "help") {
    await (parsed.exitCode === 0 ? writeStdout : writeStderr)(parsed.text);
    return parsed.exitCode;
  }
  const { def, sessionId, json, options, args } = parsed;
  if (def.needsSession && !sessionId) throw new CafleetError(SESSION_ID_REQUIRED);
  await def.run({ sessionId, json, options, args, env: process.env });
  return 0;
}

/**
 * A disk-full, read-only or corrupt database can fail any statement of a command, not only the
 * open: name the file and say what to do for those too. The broker is loaded only on that path.
 */
async function describeIfStorageError(error: unknown): Promise<unknown> {
  if (!isSqliteError(error)) return error;
  const { databasePath, describeStorageError } = await import("./broker/db.ts");
  return describeStorageError(error, databasePath());
}

// The one catch of the CLI: every failure becomes a single `Error: ...` line, never a stack trace.
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (thrown) {
  // A reader that went away (`cafleet poll | head`) is not an error worth a line: end like the
  // other tools a shell pipeline stops, quietly with 128 + SIGPIPE.
  if ((thrown as { code?: string } | null)?.code === "EPIPE") process.exit(141);
  const error = await describeIfStorageError(thrown);
  const message = messageOf(error);
  await writeStderr(`Error: ${message}\n`);
  process.exitCode = exitCodeOf(error);
}
