import type { Database } from "bun:sqlite";
import { runTmux, tmuxOnPath } from "../tmux/run.ts";
import { findPlacement } from "./agents.ts";

const NOTIFY_TIMEOUT_SECONDS = 5;

/**
 * Types the recipient's poll command into its pane after the message is committed (tmux.md §5).
 * Never throws: the queue is the source of truth, a lost keystroke only delays the next poll.
 */
export function notifyRecipient(
  db: Database,
  sessionId: string,
  senderId: string,
  recipientId: string,
): boolean {
  if (recipientId === senderId) return false;
  const pane = findPlacement(db, recipientId)?.tmux_pane_id;
  if (!pane || !tmuxOnPath()) return false;
  try {
    const command = `cafleet --session-id ${sessionId} poll --agent-id ${recipientId}`;
    runTmux(["send-keys", "-t", pane, "-l", command], { timeoutSeconds: NOTIFY_TIMEOUT_SECONDS });
    runTmux(["send-keys", "-t", pane, "Enter"], { timeoutSeconds: NOTIFY_TIMEOUT_SECONDS });
    return true;
  } catch {
    return false;
  }
}
