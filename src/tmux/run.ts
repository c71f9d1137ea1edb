/** The one place cafleet starts tmux: `tmux` from PATH, an argv array, never a shell. */

export class TmuxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TmuxError";
  }
}

export function tmuxOnPath(): boolean {
  return Bun.which("tmux") !== null;
}

export type TmuxOptions = { timeoutSeconds?: number };

/** Runs `tmux <args>` and returns stdout; throws TmuxError with the reference's wording on failure. */
export function runTmux(args: string[], options: TmuxOptions = {}): string {
  const argv = ["tmux", ...args];
  let result: ReturnType<typeof Bun.spawnSync>;
  try {
    result = Bun.spawnSync(argv, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000,
    });
  } catch (error) {
    throw new TmuxError(`tmux binary not found: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (result.exitedDueToTimeout)
    throw new TmuxError(`tmux command timed out after ${options.timeoutSeconds}s: ${argv.join(" ")}`);
  if (result.exitCode !== 0) {
    const stderr = result.stderr?.toString().trim() ?? "";
    throw new TmuxError(`tmux command failed: ${argv.join(" ")}\nstderr: ${stderr}`);
  }
  return result.stdout?.toString() ?? "";
}

/** runTmux without blocking the event loop (the web server pushes through this). */
export async function runTmuxAsync(args: string[], options: TmuxOptions = {}): Promise<string> {
  const argv = ["tmux", ...args];
  let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    child = Bun.spawn(argv, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: options.timeoutSeconds === undefined ? undefined : options.timeoutSeconds * 1000,
    });
  } catch (error) {
    throw new TmuxError(`tmux binary not found: ${error instanceof Error ? error.message : String(error)}`);
  }
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (child.signalCode !== null && options.timeoutSeconds !== undefined)
    throw new TmuxError(`tmux command timed out after ${options.timeoutSeconds}s: ${argv.join(" ")}`);
  if (exitCode !== 0) throw new TmuxError(`tmux command failed: ${argv.join(" ")}\nstderr: ${stderr.trim()}`);
  return stdout;
}

/** Pane-gone failures are the only ones `/exit` and `kill-pane` may ignore. */
export function isPaneGone(error: unknown): boolean {
  const text = error instanceof Error ? error.message.toLowerCase() : "";
  return text.includes("can't find pane") || text.includes("no such pane");
}
