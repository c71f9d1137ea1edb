/**
 * bun run build: vite build of web/ → Bun.build of the server → Bun.build({ compile }) of
 * src/main.ts → smoke test. Produces dist/cafleet, one file that holds the CLI, the server, the MCP
 * server, the UI and the skills. Nothing is generated into src/: the UI, the skills and the server
 * and MCP bundles are embedded as files (src/embedded.ts says where they are).
 */
import { existsSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { CompileBuildOptions } from "bun";
import { version } from "./package.json" with { type: "json" };

const root = import.meta.dir;

/**
 * What the binary carries besides its code; src/embedded.ts finds each under its last name. The
 * server is a bundle of its own, imported only by `cafleet server`: measured with Bun 1.4.4, a
 * binary whose bundle holds Elysia starts 4-5 ms later for every command, bytecode or not.
 */
const SERVER_BUNDLE = join(root, "dist/server/server.js");
/** `cafleet mcp` likewise: the MCP SDK and zod load only for that command. */
const MCP_BUNDLE = join(root, "dist/server/mcp.js");
/** The PostgreSQL store's worker, started only for a postgres:// URL. */
const POSTGRES_WORKER_BUNDLE = join(root, "dist/server/postgres-worker.js");
const EMBEDDED = [
  join(root, "web/dist"),
  join(root, "skills"),
  SERVER_BUNDLE,
  MCP_BUNDLE,
  POSTGRES_WORKER_BUNDLE,
];

/** The `bun build --target` of the machine running the build, e.g. `bun-linux-x64`. */
export function hostTarget(): string {
  return `bun-${process.platform}-${process.arch}`;
}

/**
 * The JIT's tier-up thresholds times this, from the first instruction: a command lives 10-20 ms,
 * and compiling the code it runs once costs more than interpreting it (measured with Bun 1.4.4:
 * poll of 1,000 messages 18.7 → 16.5 ms, send and agents 0.3-0.4 ms less). The long-lived
 * processes, `server` and the nudger, set the normal policy back when they start.
 */
export const STARTUP_JIT_POLICY = 10;

/** Identifiers stay unminified because Elysia compiles handlers from their source. */
const MINIFY = { whitespace: true, syntax: true, identifiers: false };

/**
 * How every compiled program of the project is built (the bench's floor too, so it pays what
 * dist/cafleet pays to start). Bytecode removes the cost of parsing the bundle at start-up.
 */
export async function compileProgram(
  entrypoint: string,
  outfile: string,
  options: { target?: string; assets?: string[]; define?: Record<string, string> } = {},
): Promise<void> {
  const target = (options.target ?? hostTarget()) as CompileBuildOptions["target"];
  const result = await Bun.build({
    entrypoints: [entrypoint],
    root,
    compile: {
      target,
      outfile,
      assets: options.assets,
      autoloadDotenv: false,
      autoloadBunfig: false,
      jitPolicy: STARTUP_JIT_POLICY,
    },
    bytecode: true,
    format: "esm",
    minify: MINIFY,
    define: options.define,
    throw: false,
  });
  check(result, relative(root, entrypoint));
}

function check(result: Bun.BuildOutput, what: string): void {
  for (const log of result.logs) console.error(String(log));
  if (!result.success) throw new Error(`build of ${what} failed`);
}

/** A lazily imported command's bundle: the same JavaScript on every platform. */
async function bundleCommand(entry: string, naming: string): Promise<void> {
  const result = await Bun.build({
    entrypoints: [join(root, entry)],
    outdir: join(root, "dist/server"),
    naming,
    target: "bun",
    format: "esm",
    minify: MINIFY,
    throw: false,
  });
  check(result, `the ${naming} bundle`);
}

/** Compiles dist/cafleet (or `outfile`) for `target`; a cross target fetches that Bun runtime. */
export async function compile(outfile: string, target = hostTarget()): Promise<void> {
  await bundleCommand("src/cli/server.ts", "server.js");
  await bundleCommand("src/mcp/serve.ts", "mcp.js");
  await bundleCommand("src/store/postgres/worker.ts", "postgres-worker.js");
  await compileProgram(join(root, "src/main.ts"), outfile, {
    target,
    assets: EMBEDDED,
    define: { CAFLEET_BUILD_TARGET: JSON.stringify(target) },
  });
}

function buildWeb(): void {
  // In its own folder: UnoCSS looks for uno.config.ts in the working directory.
  const vite = Bun.spawnSync([join(root, "node_modules/.bin/vite"), "build", "--logLevel", "warn"], {
    cwd: join(root, "web"),
    stdout: "inherit",
    stderr: "inherit",
  });
  if (vite.exitCode !== 0) throw new Error(`vite build failed (exit ${vite.exitCode})`);
}

export function smokeTest(binary: string): void {
  const result = Bun.spawnSync([binary, "--version"], { stdout: "pipe", stderr: "inherit" });
  const printed = result.stdout.toString().trim();
  if (result.exitCode !== 0 || printed !== `cafleet ${version}`)
    throw new Error(`smoke test: expected "cafleet ${version}", got "${printed}"`);
}

if (import.meta.main) {
  const started = performance.now();
  if (existsSync(join(root, "web/index.html"))) buildWeb();
  const outfile = join(root, "dist/cafleet");
  await compile(outfile);
  smokeTest(outfile);
  console.log(
    `built ${relative(root, outfile)} (${(statSync(outfile).size / 1e6).toFixed(1)} MB) in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
}
