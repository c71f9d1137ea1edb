import { runTmuxAsync } from "./run.ts";

/**
 * Is the coding agent in a pane ready for typed input? Read from what its screen shows.
 * Only a positively recognised busy screen counts as busy: anything else (a fake tmux printing
 * nothing, an unknown REPL) is `unknown`, which callers treat like idle, so the spec's immediate
 * push stays the fallback.
 */
export type PaneState = "idle" | "busy" | "unknown";

// Both Claude Code and Codex print this hint while a turn runs, and drop it when they wait for input.
// An open AskUserQuestion frame ("4. Type something") waits for its answer (member send-input):
// a typed poll line would land in it, so it counts as busy too.
const BUSY_HINTS = [/esc to interrupt/i, /^\s*(?:[❯>]\s*)?4\.\s+Type something/];
// Claude Code's input box (`│ > ` or a bare `> ` between rules); Codex's `›` prompt.
const IDLE_PROMPT: Record<string, RegExp> = {
  claude: /^\s*(?:│\s*)?>(?:\s|$)/,
  codex: /^\s*[›>](?:\s|$)/,
};
const BOTTOM_LINES = 15;

export function classifyScreen(codingAgent: string, screen: string): PaneState {
  const lines = screen
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-BOTTOM_LINES);
  if (lines.some((line) => BUSY_HINTS.some((hint) => hint.test(line)))) return "busy";
  const prompt = IDLE_PROMPT[codingAgent] ?? IDLE_PROMPT.claude!;
  return lines.some((line) => prompt.test(line)) ? "idle" : "unknown";
}

/** The visible screen of `pane`, classified; a failed capture is `unknown`, never an error. */
export async function readPaneState(pane: string, codingAgent: string): Promise<PaneState> {
  try {
    return classifyScreen(
      codingAgent,
      await runTmuxAsync(["capture-pane", "-p", "-t", pane], { timeoutSeconds: 5 }),
    );
  } catch {
    return "unknown";
  }
}
