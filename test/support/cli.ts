import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "../..");
export const BINARY = join(ROOT, "dist/cafleet");

export type Env = Record<string, string | undefined>;

/** A unique temp folder, removed by the returned cleanup. */
export function makeTempDir(prefix = "cafleet-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * An environment for the binary: its own HOME (so its own ~/.claude) and database, no tmux unless given. TMUX_TMPDIR
 * points into the temp folder so a push notification can never reach the machine's default
 * tmux server: without a private $TMUX, tmux finds no server at all.
 */
export function isolatedEnv(dir: string, extra: Env = {}): Env {
  const env: Env = {
    ...process.env,
    HOME: dir,
    TMUX_TMPDIR: dir,
    CAFLEET_DATABASE_URL: `sqlite:///${join(dir, "cafleet.db")}`,
    // The session watcher keeps a session's nudger running while it has members, with the knobs
    // of whoever started it; tests that tune the nudger per message turn it on only where watched.
    CAFLEET_TEST_WATCH: "off",
  };
  delete env.TMUX;
  delete env.TMUX_PANE;
  // Claude Code's own folders follow HOME unless these move them.
  delete env.CLAUDE_CONFIG_DIR;
  delete env.CLAUDE_CODE_PLUGIN_CACHE_DIR;
  return { ...env, ...extra };
}

export type CliResult = { stdout: string; stderr: string; exitCode: number };

/** Runs the compiled binary with an argv array. */
export function runCafleet(args: string[], env: Env, options: { cwd?: string } = {}): CliResult {
  const result = Bun.spawnSync([BINARY, ...args], {
    env: env as Record<string, string>,
    cwd: options.cwd,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  return {
    stdout: result.stdout.toString(),
    stderr: result.stderr.toString(),
    exitCode: result.exitCode ?? -1,
  };
}

/** Runs the binary asynchronously (for concurrent or blocking commands). */
export async function runCafleetAsync(args: string[], env: Env): Promise<CliResult> {
  const proc = Bun.spawn([BINARY, ...args], {
    env: env as Record<string, string>,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
  });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, exitCode };
}

/** Writes the binary's skills into `home`'s ~/.claude/skills, as for a user who ran `cafleet skills install`. */
export function installSkills(home: string): void {
  const result = runCafleet(["skills", "install"], isolatedEnv(home));
  if (result.exitCode !== 0) throw new Error(`skills install failed: ${result.stderr}`);
}
