/**
 * Everything cafleet knows per coding agent, in one table: how to start it with the member
 * prompt, how it is asked to quit, and which screen grammar reads its pane. The verified
 * versions are named in the README; a new backend is one more row.
 */
import type { CodingAgent } from "../broker/member-prompt.ts";

export type SpawnInput = {
  name: string;
  prompt: string;
  /** The folder of the SQLite database, which the member's own `cafleet` calls must write. */
  databaseDir: string | null;
};

export type Backend = {
  /** The argv appended to split-window (tmux.md §4 and §10). */
  spawnArgv(input: SpawnInput): string[];
  /** The REPL reads keys as a paste while they keep coming: Enter must come this long after the text. */
  enterPauseMs: number;
};

/**
 * Codex treats an Enter that follows a fast burst of characters within ~120 ms as a newline
 * (paste-burst detection), and Claude Code holds pasted input for ~100 ms: 150 ms clears both.
 */
const ENTER_PAUSE_MS = 150;

export const BACKENDS: Record<CodingAgent, Backend> = {
  claude: {
    // `--name` sets the pane title to the member name.
    spawnArgv: ({ name, prompt }) => ["claude", "--name", name, prompt],
    enterPauseMs: ENTER_PAUSE_MS,
  },
  codex: {
    // The reference's `--approval-mode auto-edit` (edits allowed, commands asked) in the flags
    // Codex 0.169 accepts: edits and commands inside the workspace sandbox, anything beyond it
    // asked (`untrusted` is gone; `on-request` and `never` remain). The database folder joins the
    // sandbox's writable roots, or the member's own `cafleet poll` fails with "attempt to write a
    // readonly database". `--no-daemon`: no shared app-server that outlives the pane.
    spawnArgv: ({ prompt, databaseDir }) => [
      "codex",
      "--ask-for-approval",
      "on-request",
      "--sandbox",
      "workspace-write",
      ...(databaseDir ? ["--add-dir", databaseDir] : []),
      "--no-daemon",
      prompt,
    ],
    enterPauseMs: ENTER_PAUSE_MS,
  },
};

export function isCodingAgent(name: string): name is CodingAgent {
  return Object.hasOwn(BACKENDS, name);
}
