/**
 * Everything cafleet knows per coding agent, in one table: how to start it with the member
 * prompt, how it is asked to quit, and which screen grammar reads its pane. The verified
 * versions are named in the README; a new backend is one more row.
 */
import { join } from "node:path";
import type { CodingAgent } from "../broker/member-prompt.ts";

export type SpawnInput = {
  name: string;
  prompt: string;
  /** The folder of the SQLite database, which the member's own `cafleet` calls must write. */
  databaseDir: string | null;
  /** The database is a server (PostgreSQL): the member's own `cafleet` calls must reach it. */
  databaseOverNetwork: boolean;
  /** `member create --model`: passed with the backend's own flag; null leaves the REPL's default. */
  model: string | null;
  /** The folder the backend's `files` are written to before it starts (cafleet's data folder). */
  filesDir: string;
};

function modelFlag(flag: string, model: string | null): string[] {
  return model === null ? [] : [flag, model];
}

export type Backend = {
  /** The argv appended to split-window (tmux.md §4 and §10). */
  spawnArgv(input: SpawnInput): string[];
  /** The REPL reads keys as a paste while they keep coming: Enter must come this long after the text. */
  enterPauseMs: number;
  /** What `member delete` types to ask the REPL to quit. */
  exitCommand: string;
  /** The same after the exit command, which opens a command popup first. */
  exitEnterPauseMs: number;
  /** Files the argv names, by file name, with their exact content. */
  files?: Record<string, string>;
};

/**
 * opencode reads extra config from this variable: the member's own `cafleet` calls run without a
 * prompt each, every other command asks. opencode 1.18 runs any command unasked by default, and
 * its last matching pattern wins, so `*` comes first.
 */
const OPENCODE_ALLOW_CAFLEET = JSON.stringify({ permission: { bash: { "*": "ask", "cafleet *": "allow" } } });

const GEMINI_POLICY_FILE = "gemini-member-policy.toml";

/** A Gemini CLI policy rule (user tier, above the default "ask" for the shell tool). */
const GEMINI_ALLOW_CAFLEET = `# Written by cafleet for its Gemini CLI members: their own cafleet calls run without a
# prompt; every other shell command still asks.
[[rule]]
toolName = "run_shell_command"
commandPrefix = "cafleet"
decision = "allow"
priority = 100
`;

export const BACKENDS: Record<CodingAgent, Backend> = {
  claude: {
    // `--name` sets the pane title to the member name.
    spawnArgv: ({ name, prompt, model }) => [
      "claude",
      "--name",
      name,
      ...modelFlag("--model", model),
      prompt,
    ],
    // Claude Code 2.1.328 submits text and an Enter sent at once; a short pause costs little.
    enterPauseMs: 150,
    exitCommand: "/exit",
    exitEnterPauseMs: 150,
  },
  codex: {
    // The reference's `--approval-mode auto-edit` (edits allowed, commands asked) in the flags
    // Codex 0.169 accepts: edits and commands inside the workspace sandbox, anything beyond it
    // asked (`untrusted` is gone; `on-request` and `never` remain). The database folder joins the
    // sandbox's writable roots, or the member's own `cafleet poll` fails with "attempt to write a
    // readonly database". `--no-daemon`: no shared app-server that outlives the pane.
    spawnArgv: ({ prompt, databaseDir, databaseOverNetwork, model }) => [
      "codex",
      ...modelFlag("--model", model),
      "--ask-for-approval",
      "on-request",
      "--sandbox",
      "workspace-write",
      ...(databaseDir ? ["--add-dir", databaseDir] : []),
      // The workspace sandbox has no network: a PostgreSQL store is reached through it.
      ...(databaseOverNetwork ? ["-c", "sandbox_workspace_write.network_access=true"] : []),
      "--no-daemon",
      prompt,
    ],
    // Codex 0.169 reads a fast burst of keys as a paste and drops an Enter that follows it too
    // soon: measured, a 118-character line needed 200 ms (100 ms worked 2 of 3 times), `/exit`
    // about 700 ms (its command popup opens first).
    enterPauseMs: 300,
    exitCommand: "/exit",
    exitEnterPauseMs: 1000,
  },
  opencode: {
    // opencode 1.18: `--prompt` submits the member prompt at start; `--model provider/model`.
    spawnArgv: ({ prompt, model }) => [
      "env",
      `OPENCODE_CONFIG_CONTENT=${OPENCODE_ALLOW_CAFLEET}`,
      "opencode",
      ...modelFlag("--model", model),
      "--prompt",
      prompt,
    ],
    // Codex's pauses, the longest known: every push in the real-REPL suite was submitted with
    // them (shorter ones were not tried).
    enterPauseMs: 300,
    exitCommand: "/exit",
    exitEnterPauseMs: 1000,
  },
  gemini: {
    // Gemini CLI 0.61: `--prompt-interactive` runs the member prompt and stays interactive. The
    // policy file lets shell commands starting with `cafleet` run without a prompt; every other
    // command still asks. (Its `--allowed-tools=run_shell_command(cafleet)` would instead refuse
    // every other command outright.) The `=` form keeps the array flag from swallowing the next
    // argument.
    spawnArgv: ({ prompt, model, filesDir }) => [
      "gemini",
      ...modelFlag("--model", model),
      `--policy=${join(filesDir, GEMINI_POLICY_FILE)}`,
      "--prompt-interactive",
      prompt,
    ],
    enterPauseMs: 300,
    exitCommand: "/quit",
    exitEnterPauseMs: 1000,
    files: { [GEMINI_POLICY_FILE]: GEMINI_ALLOW_CAFLEET },
  },
};

export function isCodingAgent(name: string): name is CodingAgent {
  return Object.hasOwn(BACKENDS, name);
}
