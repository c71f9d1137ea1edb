/**
 * A real REPL in the only pane of a private tmux server (`tmux -L <unique>`), with screen
 * helpers. Teardown kills the server and every process that still carries the REPL's temp HOME
 * in its environment, so nothing a REPL started (Codex's app-server, a tool's `sleep`) outlives
 * the test even after it was reparented away from the pane.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReplLaunch } from "./repls.ts";

export type PaneSize = { width: number; height: number };

export class ReplPane {
  private constructor(
    readonly socket: string,
    readonly pane: string,
    private readonly home: string,
  ) {}

  /**
   * Starts `launch.argv` in `cwd`. The tmux server itself runs with `launch.env`, so the pane gets
   * exactly that environment plus tmux's own TMUX and TMUX_PANE. `remain-on-exit` keeps a pane
   * whose REPL died, so its last screen can be read.
   */
  static start(launch: ReplLaunch, cwd: string, size: PaneSize = { width: 120, height: 40 }): ReplPane {
    const home = launch.env.HOME;
    if (!home) throw new Error("ReplPane.start: the launch environment has no HOME");
    const conf = join(home, "tmux.conf");
    writeFileSync(conf, "set -g remain-on-exit on\nset -g history-limit 5000\n");
    const socket = `cafleet-repl-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const argv = ["tmux", "-L", socket, "-f", conf, "new-session", "-d", "-s", "repl"];
    argv.push("-x", String(size.width), "-y", String(size.height), "-c", cwd, "-P", "-F", "#{pane_id}");
    const result = Bun.spawnSync([...argv, "--", ...launch.argv], {
      env: launch.env,
      stdout: "pipe",
      stderr: "pipe",
    });
    if (result.exitCode !== 0) throw new Error(`tmux new-session failed: ${result.stderr.toString()}`);
    return new ReplPane(socket, result.stdout.toString().trim(), home);
  }

  tmux(args: string[]): string {
    const result = Bun.spawnSync(["tmux", "-L", this.socket, ...args], { stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0) {
      throw new Error(`tmux ${args.join(" ")} failed: ${result.stderr.toString().trim()}`);
    }
    return result.stdout.toString();
  }

  /** The visible screen, as `capture-pane -p` prints it. */
  screen(): string {
    return this.tmux(["capture-pane", "-p", "-t", this.pane]);
  }

  /** Types `text` literally (`send-keys -l`): no key names, no Enter. */
  type(text: string): void {
    this.tmux(["send-keys", "-t", this.pane, "-l", text]);
  }

  /** Sends tmux key names (`Enter`, `Escape`, `Down`, `C-c`, a digit …). */
  keys(...keys: string[]): void {
    this.tmux(["send-keys", "-t", this.pane, ...keys]);
  }

  /** Types a line, pauses, then presses Enter as a separate keystroke. */
  async submit(line: string, pauseMs = 300): Promise<void> {
    this.type(line);
    await Bun.sleep(pauseMs);
    this.keys("Enter");
  }

  format(format: string): string {
    return this.tmux(["display-message", "-p", "-t", this.pane, format]).trim();
  }

  isDead(): boolean {
    return this.format("#{pane_dead}") === "1";
  }

  resize(size: PaneSize): void {
    this.tmux(["resize-window", "-t", this.pane, "-x", String(size.width), "-y", String(size.height)]);
  }

  /** Polls the screen until `match` holds; throws with the last screen after `timeoutMs`. */
  async waitForScreen(match: RegExp | ((screen: string) => boolean), timeoutMs: number): Promise<string> {
    const test = typeof match === "function" ? match : (screen: string) => match.test(screen);
    const deadline = performance.now() + timeoutMs;
    let screen = "";
    while (performance.now() < deadline) {
      screen = this.screen();
      if (test(screen)) return screen;
      await Bun.sleep(100);
    }
    screen = this.screen();
    if (test(screen)) return screen;
    const state = this.isDead() ? "the REPL has exited" : "the REPL is running";
    throw new Error(
      `screen did not match ${String(match)} within ${timeoutMs} ms (${state}); last screen:\n${screen}`,
    );
  }

  /** Waits until the screen has not changed for `quietMs` (spinners and clocks keep it moving). */
  async waitForQuiet(quietMs: number, timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    let last = this.screen();
    let since = performance.now();
    while (performance.now() < deadline) {
      await Bun.sleep(100);
      const now = this.screen();
      if (now !== last) {
        last = now;
        since = performance.now();
      } else if (performance.now() - since >= quietMs) {
        return now;
      }
    }
    return last;
  }

  /** Pids of the REPL process and its descendants (`ps` rows: pid, ppid, args). */
  processTree(): { pid: number; ppid: number; args: string }[] {
    const root = Number(this.format("#{pane_pid}"));
    const rows = processTable();
    const tree = rows.filter((row) => row.pid === root);
    for (let i = 0; i < tree.length; i++) {
      tree.push(...rows.filter((row) => row.ppid === tree[i]?.pid));
    }
    return tree;
  }

  /** Kills the tmux server, then anything left running with this REPL's HOME. */
  kill(): void {
    Bun.spawnSync(["tmux", "-L", this.socket, "kill-server"], { stdout: "ignore", stderr: "ignore" });
    killByHome(this.home);
  }
}

function processTable(): { pid: number; ppid: number; args: string }[] {
  const out = Bun.spawnSync(["ps", "-e", "-o", "pid=,ppid=,args="], { stdout: "pipe" }).stdout.toString();
  return out
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .flatMap((match) =>
      match ? [{ pid: Number(match[1]), ppid: Number(match[2]), args: match[3] ?? "" }] : [],
    );
}

/** Pids whose environment has `HOME=<home>` exactly. */
export function processesWithHome(home: string): number[] {
  const needle = `HOME=${home}`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ = "";
    try {
      environ = readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue; // gone, or not ours to read
    }
    if (environ.split("\0").includes(needle)) pids.push(pid);
  }
  return pids;
}

function killByHome(home: string): void {
  for (const pid of processesWithHome(home)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
