import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type CliResult,
  type Env,
  installSkills,
  isolatedEnv,
  makeTempDir,
  ROOT,
  runCafleet,
} from "../support/cli.ts";
import { readRows } from "../support/db.ts";
import { PrivateTmux, waitFor } from "../support/tmux.ts";
import { fakeAgentCommand } from "./fake-agent.ts";

export const FAKE_AGENTS = join(ROOT, "test/fixtures/agents");
export const FAKE_AGENTS_IGNORING_EXIT = join(ROOT, "test/fixtures/agents-ignoring-exit");

export type DirectorSession = { sessionId: string; directorId: string; administratorId: string };
export type CreatedMember = {
  agent_id: string;
  name: string;
  registered_at: string;
  placement: {
    director_agent_id: string;
    tmux_session: string;
    tmux_window_id: string;
    tmux_pane_id: string;
    coding_agent: string;
    created_at: string;
  };
};

/**
 * One private tmux server per test file whose first pane plays the Director: a fake REPL that
 * records what is typed into it. Every pane (and the binary under test) finds the fake `claude`
 * and `codex` first on PATH; their records land in `dir`.
 */
export class MemberHarness {
  readonly tmux: PrivateTmux;
  readonly dir: string;
  readonly directorPane: string;
  readonly windowId: string;
  readonly path: string;
  private readonly cleanupDir: () => void;

  constructor(label: string, agents = FAKE_AGENTS) {
    const temp = makeTempDir(`cafleet-${label}-`);
    this.dir = temp.dir;
    this.cleanupDir = temp.cleanup;
    this.path = `${agents}:${process.env.PATH}`;
    this.tmux = new PrivateTmux(label);
    this.directorPane = this.tmux.start(
      "main",
      {},
      {
        env: {
          PATH: this.path,
          CAFLEET_FAKE_AGENT_DIR: this.dir,
          CAFLEET_DATABASE_URL: undefined,
          LANG: "C.UTF-8",
        },
        command: fakeAgentCommand("director"),
      },
    );
    this.windowId = this.tmux.tmux(["display-message", "-p", "-t", this.directorPane, "#{window_id}"]).trim();
    // The Director's HOME has the skills its claude members are told to load.
    installSkills(this.dir);
  }

  /**
   * The binary's environment as seen from `pane` (the Director's by default). Re-nudges are off
   * unless a test asks for them: the fakes never poll, so they would get a line every backoff step.
   */
  env(extra: Env = {}, pane = this.directorPane): Env {
    return isolatedEnv(this.dir, {
      ...this.tmux.envFor(pane),
      PATH: this.path,
      CAFLEET_TEST_NUDGE_BACKOFF_MS: "none",
      ...extra,
    });
  }

  run(args: string[], extra: Env = {}): CliResult {
    return runCafleet(args, this.env(extra));
  }

  /** `session create --json` from the Director's pane. */
  createSession(): DirectorSession {
    const result = this.run(["session", "create", "--json"]);
    if (result.exitCode !== 0) throw new Error(`session create failed: ${result.stderr}`);
    const session = JSON.parse(result.stdout);
    return {
      sessionId: session.session_id,
      directorId: session.director.agent_id,
      administratorId: session.administrator_agent_id,
    };
  }

  memberCreateArgs(session: DirectorSession, name: string, extra: string[] = []): string[] {
    return [
      "--session-id",
      session.sessionId,
      "member",
      "create",
      "--agent-id",
      session.directorId,
      "--name",
      name,
      "--description",
      `${name} works here`,
      ...extra,
    ];
  }

  /** `member create --json` (with `env` added to the binary's); returns the parsed output (throws on failure). */
  createMember(session: DirectorSession, name: string, extra: string[] = [], env: Env = {}): CreatedMember {
    const result = this.run(["--json", ...this.memberCreateArgs(session, name, extra)], env);
    if (result.exitCode !== 0) throw new Error(`member create failed: ${result.stderr}`);
    return JSON.parse(result.stdout);
  }

  /** Runs `member <sub>` as the Director of `session`. */
  member(session: DirectorSession, sub: string, args: string[], options: { json?: boolean } = {}): CliResult {
    const global = ["--session-id", session.sessionId, ...(options.json ? ["--json"] : [])];
    return this.run([...global, "member", sub, "--agent-id", session.directorId, ...args]);
  }

  private file(pane: string, suffix: string): string {
    return join(this.dir, `${pane}.${suffix}`);
  }

  /** The argv the fake coding agent in `pane` was started with (its own name first). */
  async argvOf(pane: string): Promise<string[]> {
    await waitFor(() => existsSync(this.file(pane, "argv")), 5000);
    return readFileSync(this.file(pane, "argv"), "utf8").split("\0").slice(0, -1);
  }

  async databaseUrlSeenBy(pane: string): Promise<string> {
    await waitFor(() => existsSync(this.file(pane, "database-url")), 5000);
    return readFileSync(this.file(pane, "database-url"), "utf8");
  }

  /** Lines the fake in `pane` has read so far. */
  inputOf(pane: string): string[] {
    const path = this.file(pane, "input");
    return existsSync(path) ? readFileSync(path, "utf8").split("\n").slice(0, -1) : [];
  }

  /** Waits until the fake in `pane` has read `count` lines; returns them. */
  async waitForInput(pane: string, count: number, timeoutMs = 5000): Promise<string[]> {
    await waitFor(() => this.inputOf(pane).length >= count, timeoutMs);
    return this.inputOf(pane);
  }

  /** Waits until the fake in `pane` shows its prompt, i.e. is ready to read. */
  async waitForReady(pane: string): Promise<void> {
    await waitFor(() => /ready\n>/.test(this.tmux.capture(pane)), 5000);
  }

  paneAlive(pane: string): boolean {
    return this.tmux.paneIds().includes(pane);
  }

  sql<T>(query: string, ...params: string[]): T[] {
    return readRows<T>(join(this.dir, "cafleet.db"), query, ...params);
  }

  dispose(): void {
    this.tmux.kill();
    this.cleanupDir();
  }
}
