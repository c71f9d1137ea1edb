import { join } from "node:path";
import { isSqliteDatabase, openDatabase } from "../broker/db.ts";
import { UI_DIR } from "../embedded.ts";
import { CafleetError, messageOf } from "../errors.ts";
import { writeStderr } from "../output.ts";
import { type App, createApp } from "../server/app.ts";
import { isLoopbackHost, MAX_BODY_BYTES } from "../server/guards.ts";
import type { SERVER } from "./commands.ts";
import type { Context } from "./options.ts";

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 8000;

/**
 * The server's connection lives for hours and reads the same timeline pages again and again: an
 * 8 MB page cache (SQLite's default is 2 MB) keeps a busy session's newest rows in memory when
 * months of other sessions' traffic lie between them in the file.
 */
const SERVER_CACHE_KIB = 8192;

/** Python's int() on the variable: digits with an optional sign, surrounding blanks allowed. */
function envPort(env: Record<string, string | undefined>): number | undefined {
  const raw = env.CAFLEET_BROKER_PORT;
  if (!raw) return undefined;
  if (!/^\s*[+-]?\d+\s*$/.test(raw)) throw new CafleetError(`invalid CAFLEET_BROKER_PORT value '${raw}'`);
  return Number(raw);
}

function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
}

/**
 * Runs the server until SIGINT/SIGTERM, serving the UI the binary embeds (src/embedded.ts).
 */
export async function serve(ctx: Context<typeof SERVER>): Promise<void> {
  // A long-lived process: the normal JIT, not the binary's start-up policy (build.ts).
  Bun.unsafe.setJITPolicy(1);
  // An empty --host (say, from an unset shell variable) must not mean "every interface".
  const host = ctx.options.host || ctx.env.CAFLEET_BROKER_HOST || DEFAULT_HOST;
  // A broken variable fails the command even when --port overrides it (cli.md §2).
  const fromEnv = envPort(ctx.env);
  const requestedPort = ctx.options.port ?? fromEnv ?? DEFAULT_PORT;
  const { db } = openDatabase(ctx.env);
  if (isSqliteDatabase(db)) db.run(`PRAGMA cache_size = -${SERVER_CACHE_KIB}`);
  // exists() can say false for an embedded file; reading it is the truth.
  if (
    !(await Bun.file(join(UI_DIR, "index.html"))
      .bytes()
      .then(Boolean, () => false))
  )
    await writeStderr("warning: admin WebUI is not built. /ui/ will return 404.\n");

  let app: App | undefined;
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: host.replace(/^\[(.*)\]$/, "$1"),
      port: requestedPort,
      // Bun answers a body over this limit itself, with an empty 413. Keep it far above ours so
      // the app answers instead (webui.md §5.2: a 413 error body): the guard refuses a large
      // Content-Length unread, and the send route stops reading a chunked body at 1 MiB.
      maxRequestBodySize: MAX_BODY_BYTES * 1024,
      // Event streams stay open; the 15 s keep-alive comment is well inside this.
      idleTimeout: 60,
      fetch: (request) => (app ? app.handle(request) : new Response(null, { status: 503 })),
    });
  } catch (error) {
    throw new CafleetError(messageOf(error));
  }
  const port = server.port ?? requestedPort;
  app = await createApp(db, { host, port, uiDir: UI_DIR });

  if (!isLoopbackHost(host))
    await writeStderr(
      `warning: ${host} is not a loopback address: every client on that network can read and send every message.\n`,
    );
  await writeStderr(`cafleet server listening on http://${urlHost(host)}:${port}/ui/\n`);

  await waitForStopSignal();
  await server.stop(true);
  app.decorator.live.close();
  db.close();
  // @elysiajs/static's file cache runs a timer it never unrefs: it would keep the process alive.
  process.exit(0);
}
