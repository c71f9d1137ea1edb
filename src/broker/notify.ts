import type { Database } from "bun:sqlite";
import { messageOf } from "../errors.ts";
import { sendKeyAsync, sendKeysLiteralAsync } from "../tmux/keys.ts";
import { isPaneGone, tmuxOnPath } from "../tmux/run.ts";
import { readPaneState } from "../tmux/screen.ts";
import { findPlacement } from "./agents.ts";
import { hasLiveNudgeLease, markPaneGone, recordNudged, recordPushFailed } from "./delivery.ts";

const NOTIFY_TIMEOUT = { timeoutSeconds: 5 };

/**
 * Codex treats an Enter that follows a fast burst of characters within 120 ms as a newline
 * (paste-burst detection), and Claude Code holds pasted input for 100 ms: an Enter sent at once
 * can land in the input box instead of submitting it. 150 ms clears both windows.
 */
const ENTER_PAUSE_MS = 150;

export type PushTarget = { pane: string; codingAgent: string };

/** tmux.md §5 steps 1-3: self-sends, agents without a pane and a missing tmux get no push. */
export function pushTarget(db: Database, senderId: string, recipientId: string): PushTarget | null {
  if (recipientId === senderId) return null;
  const placement = findPlacement(db, recipientId);
  if (!placement?.tmux_pane_id || !tmuxOnPath()) return null;
  return { pane: placement.tmux_pane_id, codingAgent: placement.coding_agent };
}

export function pollCommand(sessionId: string, recipientId: string): string {
  return `cafleet --session-id ${sessionId} poll --agent-id ${recipientId}`;
}

/** The text, the pause, then Enter: always in this order for one pane. Throws TmuxError. */
export async function typeLine(pane: string, line: string): Promise<void> {
  await sendKeysLiteralAsync(pane, line, NOTIFY_TIMEOUT);
  await Bun.sleep(ENTER_PAUSE_MS);
  await sendKeyAsync(pane, "Enter", NOTIFY_TIMEOUT);
}

/**
 * Types `line` into the pane and records the outcome on `taskIds`: notified, or the failure and
 * its error (a pane-gone error also marks the member's pane gone). Never throws, never prints.
 */
export async function pushLine(
  db: Database,
  recipientId: string,
  target: PushTarget,
  line: string,
  taskIds: string[],
): Promise<boolean> {
  try {
    await typeLine(target.pane, line);
  } catch (error) {
    recordPushFailed(db, taskIds, messageOf(error));
    if (isPaneGone(error)) markPaneGone(db, recipientId, target.pane);
    return false;
  }
  recordNudged(db, taskIds);
  return true;
}

/**
 * Pushes after the message is committed (tmux.md §5), politely: a coding agent whose screen
 * says it is busy gets no keystrokes now; the background nudger types one line for everything
 * pending once it is idle, and re-nudges what stays unfetched. An unrecognised screen is idle.
 * Returns whether the poll command reached the pane now.
 */
export async function notifyRecipient(
  db: Database,
  input: { sessionId: string; senderId: string; recipientId: string; taskIds: string[] },
): Promise<boolean> {
  const target = pushTarget(db, input.senderId, input.recipientId);
  if (!target) return false;
  if ((await readPaneState(target.pane, target.codingAgent)) === "busy") {
    startNudger(db, input.sessionId, input.recipientId);
    return false;
  }
  const sent = await pushLine(
    db,
    input.recipientId,
    target,
    pollCommand(input.sessionId, input.recipientId),
    input.taskIds,
  );
  if (sent) startNudger(db, input.sessionId, input.recipientId);
  return sent;
}

export const NUDGE_COMMAND = "__nudge";

/** How this program runs itself: the compiled binary alone, or bun with the entry script. */
function selfArgv(): string[] {
  return Bun.main.endsWith(".ts") ? [process.execPath, Bun.main] : [process.execPath];
}

/**
 * Starts the detached background nudger for `recipientId` unless one holds the lease. It runs in
 * its own process group with no stdio, so it outlives the CLI and never writes to the caller's
 * terminal; it exits once nothing is pending (src/broker/nudger.ts).
 */
export function startNudger(db: Database, sessionId: string, recipientId: string): void {
  if (hasLiveNudgeLease(db, recipientId)) return;
  try {
    const child = Bun.spawn([...selfArgv(), NUDGE_COMMAND, sessionId, recipientId], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "ignore",
      detached: true,
    });
    child.unref();
  } catch {}
}
