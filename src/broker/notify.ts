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

function pollCommand(sessionId: string, recipientId: string): string {
  return `cafleet --session-id ${sessionId} poll --agent-id ${recipientId}`;
}

/** The recipient's pane, or null when there is nothing to wake (self-send, no pane, no tmux). */
function paneToWake(db: Database, senderId: string, recipientId: string): string | null {
  if (recipientId === senderId) return null;
  return findPlacement(db, recipientId)?.tmux_pane_id ?? null;
}

function attempt(action: () => void): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}

/**
 * Types each recipient's poll command into its pane after the messages are committed
 * (tmux.md §5): all the texts first, one pause, then all the Enters, so a broadcast pays the
 * pause once. Returns, per recipient, whether both keystrokes reached the pane. Never throws and
 * never prints: the queue is the source of truth, a lost keystroke only delays the next poll.
 */
export function notifyRecipients(
  db: Database,
  sessionId: string,
  senderId: string,
  recipientIds: string[],
): boolean[] {
  const panes = recipientIds.map((recipientId) => paneToWake(db, senderId, recipientId));
  if (panes.every((pane) => pane === null) || !tmuxOnPath()) return recipientIds.map(() => false);
  const typed = panes.map(
    (pane, index) =>
      pane !== null &&
      attempt(() => sendKeysLiteral(pane, pollCommand(sessionId, recipientIds[index]!), NOTIFY_TIMEOUT)),
  );
  if (!typed.includes(true)) return typed;
  Bun.sleepSync(ENTER_PAUSE_MS);
  return panes.map(
    (pane, index) => typed[index] === true && attempt(() => sendKey(pane!, "Enter", NOTIFY_TIMEOUT)),
  );
}

export function notifyRecipient(
  db: Database,
  sessionId: string,
  senderId: string,
  recipientId: string,
): boolean {
  return notifyRecipients(db, sessionId, senderId, [recipientId])[0] === true;
}
