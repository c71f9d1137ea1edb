/** The one place cafleet starts tmux: `tmux` from PATH, an argv array, never a shell. */

import { messageOf } from "../errors.ts";
import { TmuxError, type TmuxServer, tmuxArgv } from "./argv.ts";

export { TmuxError };

export function tmuxOnPath(): boolean {
  return Bun.which("tmux") !== null;
}

/** `server`: the pane's own tmux socket (null: the one the caller reaches through $TMUX). */
export type TmuxOptions = { timeoutSeconds?: number; server?: TmuxServer };

function spawnFailure(error: unknown): TmuxError {
  return new TmuxError(`tmux binary not found: ${messageOf(error)}`);
}

/** The reference's wording for a timed-out or failed call; null when the call succeeded. */
function callFailure(
  argv: string[],
  outcome: { timedOut: boolean; exitCode: number | null; stderr: string },
  options: TmuxOptions,
): TmuxError | null {
  if (outcome.timedOut)
    return new TmuxError(`tmux command timed out after ${options.timeoutSeconds}s: ${argv.join(" ")}`);
  if (outcome.exitCode !== 0)
    return new TmuxError(`tmux command failed: ${argv.join(" ")}\nstderr: ${outcome.stderr.trim()}`);
  return null;
}

/** A tmux client waiting on a stopped server ignores SIGTERM: a timed-out call is killed outright. */
const TIMEOUT_SIGNAL = "SIGKILL";

function timeoutMs(options: TmuxOptions): number | undefined {
  return options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000;
}

/** Runs `tmux <args>` and returns stdout; throws TmuxError with the reference's wording on failure. */
export function runTmux(args: string[], options: TmuxOptions = {}): string {
  return runTmuxCommands([args], options);
}

/** Several tmux commands in one process (`a ; b`): one spawn where a push reads two facts. */
export function runTmuxCommands(commands: string[][], options: TmuxOptions = {}): string {
  const argv = tmuxArgv(commands, options.server ?? null);
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    result = Bun.spawnSync(argv, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: timeoutMs(options),
      killSignal: TIMEOUT_SIGNAL,
    });
  } catch (error) {
    throw spawnFailure(error);
  }
  const failure = callFailure(
    argv,
    {
      timedOut: result.exitedDueToTimeout === true,
      exitCode: result.exitCode,
      stderr: result.stderr?.toString() ?? "",
    },
    options,
  );
  if (failure) throw failure;
  return result.stdout?.toString() ?? "";
}

/** runTmux without blocking the event loop (the web server pushes through this). */
export async function runTmuxAsync(args: string[], options: TmuxOptions = {}): Promise<string> {
  return runTmuxCommandsAsync([args], options);
}

export async function runTmuxCommandsAsync(commands: string[][], options: TmuxOptions = {}): Promise<string> {
  const argv = tmuxArgv(commands, options.server ?? null);
  let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    child = Bun.spawn(argv, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (error) {
    throw spawnFailure(error);
  }
  const output = Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  const limit = timeoutMs(options);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A client gives its stdout and stderr to the server: one stuck on a stopped server leaves the
  // pipes open after it is killed, so the timeout answers without waiting for their end.
  const expired = new Promise<null>((resolve) => {
    if (limit !== undefined)
      timer = setTimeout(() => {
        child.kill(TIMEOUT_SIGNAL);
        resolve(null);
      }, limit);
  });
  const finished = await Promise.race([output, expired]).finally(() => clearTimeout(timer));
  const timedOut = finished === null;
  const [stdout, stderr, exitCode] = finished ?? ["", "", null];
  const failure = callFailure(argv, { timedOut, exitCode, stderr }, options);
  if (failure) throw failure;
  return stdout;
}

/** The pane's tmux server is not running (its socket is gone or refuses): its panes are gone too. */
export function isServerGone(error: unknown): boolean {
  const text = error instanceof Error ? error.message.toLowerCase() : "";
  return text.includes("no server running") || text.includes("error connecting to");
}

/** Pane-gone failures are the only ones `/exit` and `kill-pane` may ignore. */
export function isPaneGone(error: unknown): boolean {
  const text = error instanceof Error ? error.message.toLowerCase() : "";
  return text.includes("can't find pane") || text.includes("no such pane");
}
