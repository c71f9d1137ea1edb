import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import type { CodingAgent } from "../broker/member-prompt.ts";
import { CafleetError, messageOf } from "../errors.ts";
import { BACKENDS, type Backend } from "../repl/backends.ts";
import { type Look, lookAtPane } from "../repl/look.ts";
import { isPostgresUrl } from "../store/postgres/url.ts";
import { attachedServer } from "../tmux/argv.ts";
import type { CallerContext } from "../tmux/context.ts";
import { type PaneRef, paneExists } from "../tmux/pane.ts";
import { splitWindow } from "../tmux/split.ts";

/**
 * Starting a member's REPL in a new pane of the Director's window, and confirming that it came
 * up: a REPL that rejects its argv exits at once, and a member that never started must not be
 * reported as spawned.
 */

export type Env = Record<string, string | undefined>;

/** The folder a `sqlite://` database (or the default file) lives in; null for other URLs. */
export function databaseDir(env: Env, databaseFile: string): string | null {
  const url = env.CAFLEET_DATABASE_URL;
  if (url && !url.startsWith("sqlite:")) return null;
  return databaseFile === ":memory:" ? null : dirname(databaseFile);
}

/** Where a backend's files live: the database's folder, or the default one for other databases. */
function filesDir(env: Env, databaseFile: string): string {
  return databaseDir(env, databaseFile) ?? join(homedir(), ".local", "share", "cafleet");
}

/** Writes (or leaves, when it already holds exactly that) each file the backend's argv names. */
function writeBackendFiles(backend: Backend, dir: string): void {
  for (const [name, text] of Object.entries(backend.files ?? {})) {
    const path = join(dir, name);
    try {
      if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, text, { mode: 0o600 });
    } catch (error) {
      throw new CafleetError(
        `could not write ${path}, which the member's REPL reads at start: ${messageOf(error)}. Check that folder's permissions`,
      );
    }
  }
}

export type Spawned = { pane: PaneRef };

/** Throws CafleetError with the failure (a file or the split); the caller rolls the registration back. */
export function spawnPane(
  env: Env,
  caller: CallerContext,
  input: {
    codingAgent: CodingAgent;
    name: string;
    prompt: string;
    databaseFile: string;
    model: string | null;
  },
): Spawned {
  const backend = BACKENDS[input.codingAgent];
  const dir = filesDir(env, input.databaseFile);
  writeBackendFiles(backend, dir);
  const argv = backend.spawnArgv({
    name: input.name,
    prompt: input.prompt,
    model: input.model,
    databaseDir: databaseDir(env, input.databaseFile),
    databaseOverNetwork: isPostgresUrl(env.CAFLEET_DATABASE_URL ?? ""),
    filesDir: dir,
  });
  try {
    const id = splitWindow(caller.windowId, argv, env.CAFLEET_DATABASE_URL);
    return { pane: { id, server: attachedServer(env) } };
  } catch (error) {
    throw new CafleetError(`tmux split-window failed: ${messageOf(error)}`);
  }
}

const DEFAULT_START_TIMEOUT_SECONDS = 30;
const START_POLL_MS = 100;

/**
 * How long a new member may take to show its first screen. CAFLEET_TEST_START_TIMEOUT_SECONDS
 * is a test-only knob (read here and nowhere else).
 */
function startTimeoutMs(env: Env): number {
  const override = Number(env.CAFLEET_TEST_START_TIMEOUT_SECONDS);
  return (override > 0 ? override : DEFAULT_START_TIMEOUT_SECONDS) * 1000;
}

function lastLines(screen: string, count: number): string {
  return screen
    .split("\n")
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-count)
    .join(" / ");
}

/**
 * Waits until the pane shows a screen of its REPL (a prompt, a turn, a dialog) or a shell.
 * A pane that closes, or a screen that stays unrecognised, is a failed start: the error quotes
 * the last lines the pane showed. A shell counts only when two looks in a row see it: a REPL
 * started through a shell script shows that shell for the moment before it exits.
 */
export async function confirmStarted(env: Env, pane: PaneRef, codingAgent: CodingAgent): Promise<void> {
  const deadline = performance.now() + startTimeoutMs(env);
  let seen = "";
  let shellLooks = 0;
  for (;;) {
    let look: Look | null;
    try {
      look = await lookAtPane(pane, codingAgent);
    } catch {
      look = null;
    }
    if (look === null) {
      if (!(await paneExists(pane).catch(() => false)))
        throw new CafleetError(
          `the ${codingAgent} REPL exited right after it started (pane ${pane.id} closed)${seen ? `; its screen showed: ${seen}` : ""}. Run \`${codingAgent} --version\` and check that this version is supported (README)`,
        );
    } else {
      if (look.view.screen.trim() !== "") seen = lastLines(look.view.screen, 3);
      shellLooks = look.state.kind === "shell" ? shellLooks + 1 : 0;
      if (look.state.kind !== "unknown" && look.state.kind !== "shell") return;
      if (shellLooks >= 2) return;
    }
    if (performance.now() >= deadline)
      throw new CafleetError(
        `the ${codingAgent} REPL in pane ${pane.id} did not show its prompt within ${startTimeoutMs(env) / 1000}s${seen ? `; its screen shows: ${seen}` : ""}`,
      );
    await Bun.sleep(START_POLL_MS);
  }
}
