import type { Env } from "./cli.ts";

/**
 * A private tmux server (`tmux -L <name>`) for one test file. The binary under test finds it
 * through $TMUX (socket path) and $TMUX_PANE, exactly as it would inside a user's tmux.
 */
export class PrivateTmux {
  readonly name: string;
  private socketPath = "";

  constructor(label: string) {
    this.name = `cafleet-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  }

  tmux(args: string[]): string {
    const result = Bun.spawnSync(["tmux", "-L", this.name, ...args], { stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${result.stderr.toString()}`);
    return result.stdout.toString();
  }

  /**
   * Starts the server with one session; returns the first pane id. `env` is that session's
   * environment (-e); `server.env` is the server process's own environment (what every pane
   * inherits, e.g. a PATH with fake coding agents first); `server.command` runs in the first pane.
   */
  start(session = "main", env: Env = {}, server: { env?: Env; command?: string[] } = {}): string {
    const envArgs = Object.entries(env).flatMap(([key, value]) =>
      value === undefined ? [] : ["-e", `${key}=${value}`],
    );
    const args = ["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "220", "-y", "60", ...envArgs];
    const result = Bun.spawnSync(["tmux", "-L", this.name, ...args, ...(server.command ?? [])], {
      env: definedOnly({ ...process.env, ...server.env }),
      stdout: "pipe",
      stderr: "pipe",
    });
    if (result.exitCode !== 0) throw new Error(`tmux new-session failed: ${result.stderr.toString()}`);
    this.socketPath = this.tmux(["display-message", "-p", "#{socket_path}"]).trim();
    return this.tmux(["display-message", "-p", "-t", session, "#{pane_id}"]).trim();
  }

  /** TMUX/TMUX_PANE as a process running in `pane` would see them. */
  envFor(pane: string): Env {
    return { TMUX: `${this.socketPath},0,0`, TMUX_PANE: pane };
  }

  capture(pane: string): string {
    return this.tmux(["capture-pane", "-p", "-t", pane]);
  }

  paneIds(): string[] {
    return this.tmux(["list-panes", "-a", "-F", "#{pane_id}"]).split(/\s+/).filter(Boolean);
  }

  kill(): void {
    Bun.spawnSync(["tmux", "-L", this.name, "kill-server"], { stdout: "ignore", stderr: "ignore" });
  }
}

/** Drops unset variables, so `{ X: undefined }` removes X from a spawned process's environment. */
export function definedOnly(env: Env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (check()) return true;
    await Bun.sleep(20);
  }
  return check();
}
