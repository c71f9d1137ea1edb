/**
 * A cafleet session whose members are the real Claude Code, Codex, opencode and Gemini CLI: one
 * private tmux server whose first pane is the Director's shell, `claude`, `codex`, `opencode`,
 * `gemini` and `cafleet` (the compiled binary) first on every pane's PATH, every REPL set up to
 * start offline against one scripted model server, and a database in a folder of its own. The binary under test runs from the Director's
 * pane as it would for a user (TMUX and TMUX_PANE of that pane).
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/broker/db.ts";
import type { CodingAgent } from "../../src/broker/member-prompt.ts";
import { pushPollLine } from "../../src/broker/push-line.ts";
import { BINARY, type CliResult, runCafleet } from "../support/cli.ts";
import { readRows } from "../support/db.ts";
import { ModelServer, type Reply, shell, type Turn, text } from "../support/model-server.ts";
import { processesWithHome } from "../support/repl-pane.ts";
import {
  claudeLaunch,
  codexLaunch,
  ensureRepls,
  geminiLaunch,
  opencodeLaunch,
  REPLS_DIR,
} from "../support/repls.ts";
import { waitFor } from "../support/tmux.ts";

export type Member = { agent_id: string; name: string; pane: string };

/**
 * A line each REPL shows once its input prompt is drawn (spawnSettled then waits for the screen
 * to stop changing, which a running turn's spinner never does). opencode and Gemini CLI draw it
 * before they submit the member prompt: for them spawnSettled first waits for that turn.
 */
const PROMPT_DRAWN: Record<CodingAgent, { line: RegExp; firstTurn: boolean }> = {
  claude: { line: /\? for shortcuts/, firstTurn: false },
  codex: { line: /\? for shortcuts/, firstTurn: false },
  opencode: { line: /ctrl\+p commands/, firstTurn: true },
  gemini: { line: /Type your message/, firstTurn: true },
};

/** Polls `check` until it holds; fails the test with `what` when `timeoutMs` passes first. */
export async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  if (!(await waitFor(check, timeoutMs)))
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export class ReplFleet {
  readonly server = new ModelServer();
  readonly home: string;
  readonly cwd: string;
  readonly dataDir: string;
  readonly socket: string;
  sessionId = "";
  directorId = "";
  directorPane = "";
  private readonly env: Record<string, string>;
  private readonly databaseUrl: string;

  /** `databaseUrl`: another store than the SQLite file in the fleet's data folder (PostgreSQL). */
  constructor(label: string, store: { databaseUrl?: string } = {}) {
    const bins = ensureRepls();
    this.server.start();
    mkdirSync(join(REPLS_DIR, "homes"), { recursive: true });
    // Codex refuses to put its helpers under /tmp: HOME lives beside the installed REPLs.
    this.home = mkdtempSync(join(REPLS_DIR, "homes", `${label}-`));
    this.cwd = mkdtempSync(`/tmp/cafleet-repl-${label}-`);
    // Like the default ~/.local/share/cafleet: outside the project and /tmp, which Codex's sandbox
    // leaves writable anyway, so the member's own `cafleet` calls prove the --add-dir.
    this.dataDir = join(this.home, ".local/share/cafleet");
    mkdirSync(this.dataDir, { recursive: true });
    const bin = join(this.home, "bin");
    mkdirSync(bin);
    for (const [name, target] of Object.entries(bins)) symlinkSync(target, join(bin, name));
    symlinkSync(BINARY, join(bin, "cafleet"));
    this.databaseUrl = store.databaseUrl ?? `sqlite:///${join(this.dataDir, "cafleet.db")}`;
    const options = {
      home: this.home,
      cwd: this.cwd,
      modelUrl: this.server.url,
      allow: ["Bash(cafleet:*)"],
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        CAFLEET_DATABASE_URL: this.databaseUrl,
        // A held push is retried every 200 ms; no re-nudges unless a test asks (they would type again).
        CAFLEET_TEST_NUDGE_TICK_MS: "200",
        CAFLEET_TEST_NUDGE_BACKOFF_MS: "none",
      },
    };
    this.env = {
      ...opencodeLaunch(options).env,
      ...geminiLaunch(options).env,
      ...codexLaunch(options).env,
      ...claudeLaunch(options).env,
    };
    // Codex runs its shell tool with a login PATH: the folder holding `cafleet` is put back on it.
    appendFileSync(
      join(this.env.CODEX_HOME!, "config.toml"),
      `\n[shell_environment_policy]\nset = { PATH = ${JSON.stringify(`${bin}:/usr/local/bin:/usr/bin:/bin`)} }\n`,
    );
    this.socket = `cafleet-fleet-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const conf = join(this.home, "tmux.conf");
    writeFileSync(conf, "set -g history-limit 5000\n");
    const started = Bun.spawnSync(
      ["tmux", "-L", this.socket, "-f", conf, "new-session", "-d", "-s", "team", "-x", "200", "-y", "50"],
      { env: this.env, cwd: this.cwd, stdout: "pipe", stderr: "pipe" },
    );
    if (started.exitCode !== 0) throw new Error(`tmux new-session failed: ${started.stderr.toString()}`);
    this.directorPane = this.tmux(["display-message", "-p", "-t", "team", "#{pane_id}"]).trim();
    this.server.respond(() => text("ok"));
  }

  tmux(args: string[]): string {
    const result = Bun.spawnSync(["tmux", "-L", this.socket, ...args], { stdout: "pipe", stderr: "pipe" });
    if (result.exitCode !== 0)
      throw new Error(`tmux ${args.join(" ")} failed: ${result.stderr.toString().trim()}`);
    return result.stdout.toString();
  }

  private socketPath(): string {
    return this.tmux(["display-message", "-p", "#{socket_path}"]).trim();
  }

  /** Runs the binary as the Director would, from its pane and its project folder (new panes start there). */
  cafleet(args: string[], extra: Record<string, string | undefined> = {}): CliResult {
    return runCafleet(
      args,
      { ...this.env, TMUX: `${this.socketPath()},0,0`, TMUX_PANE: this.directorPane, ...extra },
      { cwd: this.cwd },
    );
  }

  json<T>(args: string[]): T {
    const result = this.cafleet(["--json", ...args]);
    if (result.exitCode !== 0) throw new Error(`cafleet ${args.join(" ")}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  /** The skills where Claude Code looks, as a user has them (`Load Skill(cafleet)` finds them). */
  installSkills(): void {
    const result = this.cafleet(["skills", "install"]);
    if (result.exitCode !== 0) throw new Error(result.stderr);
  }

  createSession(): void {
    const session = this.json<{ session_id: string; director: { agent_id: string } }>(["session", "create"]);
    this.sessionId = session.session_id;
    this.directorId = session.director.agent_id;
  }

  createMember(name: string, codingAgent: CodingAgent, extra: string[] = []): Member {
    return this.spawnMember(name, codingAgent, extra).member;
  }

  /** `member create --json`, keeping what it wrote to stderr (warnings). */
  spawnMember(
    name: string,
    codingAgent: CodingAgent,
    extra: string[] = [],
  ): { member: Member; stderr: string } {
    const result = this.cafleet([
      "--json",
      "--session-id",
      this.sessionId,
      "member",
      "create",
      "--agent-id",
      this.directorId,
      "--name",
      name,
      "--description",
      `${name} works here`,
      "--coding-agent",
      codingAgent,
      ...extra,
    ]);
    if (result.exitCode !== 0) throw new Error(`member create ${name}: ${result.stderr}`);
    const created = JSON.parse(result.stdout) as { agent_id: string; placement: { tmux_pane_id: string } };
    return {
      member: { agent_id: created.agent_id, name, pane: created.placement.tmux_pane_id },
      stderr: result.stderr,
    };
  }

  send(to: string, message: string): { taskId: string; notified: boolean; ms: number } {
    const started = performance.now();
    const sent = this.json<{ task: { id: string }; notification_sent: boolean }>([
      "--session-id",
      this.sessionId,
      "send",
      "--agent-id",
      this.directorId,
      "--to",
      to,
      "--text",
      message,
    ]);
    return { taskId: sent.task.id, notified: sent.notification_sent, ms: performance.now() - started };
  }

  member(sub: string, memberId: string, args: string[] = []): CliResult {
    return this.cafleet([
      "--session-id",
      this.sessionId,
      "member",
      sub,
      "--agent-id",
      this.directorId,
      "--member-id",
      memberId,
      ...args,
    ]);
  }

  delivery(taskId: string): {
    notified_at: string | null;
    held_reason: string | null;
    fetched_at: string | null;
    acked_at: string | null;
  } {
    return this.json<{ delivery: never }>([
      "--session-id",
      this.sessionId,
      "get-task",
      "--agent-id",
      this.directorId,
      "--task-id",
      taskId,
    ]).delivery;
  }

  screen(pane: string): string {
    return this.tmux(["capture-pane", "-p", "-t", pane]);
  }

  async waitForScreen(pane: string, match: RegExp, timeoutMs = 30_000): Promise<void> {
    if (!(await waitFor(() => match.test(this.screen(pane)), timeoutMs)))
      throw new Error(`pane ${pane} never showed ${match}; it shows:\n${this.screen(pane)}`);
  }

  /** Waits until the pane's screen has not changed for `quietMs` (a REPL that just finished a turn still redraws). */
  async waitForQuiet(pane: string, quietMs = 1500, timeoutMs = 20_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last = this.screen(pane);
    let since = performance.now();
    while (performance.now() < deadline) {
      await Bun.sleep(100);
      const now = this.screen(pane);
      if (now !== last) {
        last = now;
        since = performance.now();
      } else if (performance.now() - since >= quietMs) return;
    }
    throw new Error(`pane ${pane} never settled; it shows:\n${last}`);
  }

  paneAlive(pane: string): boolean {
    return this.tmux(["list-panes", "-a", "-F", "#{pane_id}"]).split(/\s+/).includes(pane);
  }

  private readonly spawned: Member[] = [];

  /** A member whose REPL is up and settled at its prompt; `dismissMembers` removes it again. */
  async spawnSettled(name: string, codingAgent: CodingAgent, extra: string[] = []): Promise<Member> {
    const member = this.createMember(name, codingAgent, extra);
    this.spawned.push(member);
    const drawn = PROMPT_DRAWN[codingAgent];
    if (drawn.firstTurn)
      await this.server.waitForTurn(
        (turn) => turn.userText?.includes(`your agent_id is ${member.agent_id}.`) ?? false,
        45_000,
      );
    await this.waitForScreen(member.pane, drawn.line);
    await this.waitForQuiet(member.pane);
    return member;
  }

  /** Each test's members leave with it (--force: a test may leave one mid-prompt), so panes stay large. */
  dismissMembers(): void {
    for (const member of this.spawned.splice(0))
      if (this.paneAlive(member.pane)) this.member("delete", member.agent_id, ["--force"]);
  }

  /** The outputs of the tool calls that reached the model, in order. */
  toolResults(): string[] {
    return this.server.turns().flatMap((turn) => (turn.toolResult === undefined ? [] : [turn.toolResult]));
  }

  /** How many pushes (first pushes and nudges) reached `member`'s model as turns. */
  pushes(member: Member): number {
    return this.server.turns().filter((turn) => this.isPush(turn, member)).length;
  }

  /** The line a push types for `member`, and whether `turn` is that push (first push or a nudge). */
  pushLine(member: Member): string {
    return pushPollLine(this.sessionId, member.agent_id);
  }

  isPush(turn: Turn, member: Member): boolean {
    return turn.typed && (turn.userText ?? "").startsWith(this.pushLine(member));
  }

  /** The agent's answer to a push: run the exact line it was typed, then say it is done. */
  runsThePush(member: Member, after: (turn: Turn) => Reply = () => text("handled")): (turn: Turn) => Reply {
    return (turn) => {
      if (this.isPush(turn, member)) return shell(turn.userText!);
      if (!turn.typed) return after(turn);
      return text("ready");
    };
  }

  /**
   * A member's whole round on one message, as its model would script it: the push runs the typed
   * poll; the poll's output (which names the task) gets an ack; the ack's output gets a reply to
   * the Director (`send --reply-to`); the reply's output ends the turn with `done`.
   */
  answersAndReplies(member: Member, message: string, reply: string): (turn: Turn) => Reply {
    const cafleet = `cafleet --session-id ${this.sessionId}`;
    let taskId = "";
    return (turn) => {
      if (this.isPush(turn, member)) return shell(turn.userText!);
      const output = turn.toolResult ?? "";
      if (turn.typed) return text("ready");
      // The ack's and the reply's outputs quote the message too: they are matched first.
      if (output.includes("Message sent.")) return text("done");
      if (output.includes("Message acknowledged."))
        return shell(
          `${cafleet} send --agent-id ${member.agent_id} --to ${this.directorId} --reply-to ${taskId} --text "${reply}"`,
        );
      if (output.includes(message)) {
        taskId = /task ([0-9a-f-]{36})/.exec(output)?.[1] ?? "no-task-id-in-the-poll-output";
        return shell(`${cafleet} ack --agent-id ${member.agent_id} --task-id ${taskId}`);
      }
      return text("handled");
    };
  }

  /** The members of the session as `member list --json` prints them. */
  memberList(): { agent_id: string; model: string | null; placement: { coding_agent: string } }[] {
    return this.json(["--session-id", this.sessionId, "member", "list", "--agent-id", this.directorId]);
  }

  /** Rows of the fleet's store: its SQLite file, or the PostgreSQL database it was given. */
  sql<T>(query: string, ...params: string[]): T[] {
    if (this.databaseUrl.startsWith("sqlite:"))
      return readRows<T>(join(this.dataDir, "cafleet.db"), query, ...params);
    const { db } = openDatabase({ CAFLEET_DATABASE_URL: this.databaseUrl });
    try {
      return db.query(query).all(...params) as T[];
    } finally {
      db.close();
    }
  }

  dispose(): void {
    Bun.spawnSync(["tmux", "-L", this.socket, "kill-server"], { stdout: "ignore", stderr: "ignore" });
    for (const pid of processesWithHome(this.home)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    this.server.stop();
    for (const dir of [this.home, this.cwd]) rmSync(dir, { recursive: true, force: true });
  }
}
