import type { Database } from "bun:sqlite";
import { sendKey, sendKeysLiteral } from "../tmux/keys.ts";
import { tmuxOnPath } from "../tmux/run.ts";
import { findPlacement } from "./agents.ts";

const NOTIFY_TIMEOUT = { timeoutSeconds: 5 };

/**
 * Codex treats an Enter that follows a fast burst of characters within 120 ms as a newline
 * (paste-burst detection), and Claude Code holds pasted input for 100 ms: an Enter sent at once
 * can land in the input box instead of submitting it. 150 ms clears both windows.
 */
const ENTER_PAUSE_MS = 150;

/**
 * Types the recipient's poll command into its pane after the message is committed (tmux.md §5).
 * Returns whether both keystrokes reached the pane. Never throws and never prints: the queue is
 * the source of truth, a lost keystroke only delays the next poll.
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
    sendKeysLiteral(pane, `cafleet --session-id ${sessionId} poll --agent-id ${recipientId}`, NOTIFY_TIMEOUT);
    Bun.sleepSync(ENTER_PAUSE_MS);
    sendKey(pane, "Enter", NOTIFY_TIMEOUT);
    return true;
  } catch {
    return false;
  }
}
