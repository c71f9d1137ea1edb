import { CafleetError } from "../errors.ts";
import { runTmux, tmuxOnPath } from "./run.ts";

export type CallerContext = { session: string; windowId: string; paneId: string; tmuxPaneEnv: string };

/** "tmux available": the binary is on PATH and we are inside a tmux client. */
export function requireTmuxAvailable(env: Record<string, string | undefined> = process.env): void {
  if (!tmuxOnPath()) throw new CafleetError("tmux binary not found on PATH");
  if (!env.TMUX) throw new CafleetError("cafleet member commands must be run inside a tmux session");
}

/** Reads the calling pane's coordinates (anchored on $TMUX_PANE, not the focused pane). */
export function readCallerContext(env: Record<string, string | undefined> = process.env): CallerContext {
  const tmuxPaneEnv = env.TMUX_PANE;
  if (!tmuxPaneEnv) throw new CafleetError("TMUX_PANE is not set; not running inside a tmux pane");
  const raw = runTmux([
    "display-message",
    "-p",
    "-t",
    tmuxPaneEnv,
    "#{session_name}|#{window_id}|#{pane_id}",
  ]);
  const trimmed = raw.trim();
  const parts = splitAtMost(trimmed, "|", 3);
  // tmux 3.3 answers `-t %<unknown>` with empty fields and exit 0: a stale $TMUX_PANE lands here too.
  if (parts.length < 3 || parts.some((part) => part === ""))
    throw new CafleetError(`unexpected tmux display-message output: ${raw}`);
  const [session, windowId, paneId] = parts as [string, string, string];
  return { session, windowId, paneId, tmuxPaneEnv };
}

/** Python's str.split(sep, maxsplit=count - 1). */
function splitAtMost(text: string, separator: string, count: number): string[] {
  const parts = text.split(separator);
  return parts.length <= count
    ? parts
    : [...parts.slice(0, count - 1), parts.slice(count - 1).join(separator)];
}
