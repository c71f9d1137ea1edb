import type { Database } from "../store/database.ts";
import { hasLiveSessionNudger } from "./delivery.ts";
import { startDetached } from "./detached.ts";
import { pushAll, pushTarget } from "./push.ts";
import { NUDGE_COMMAND, pushPollLine } from "./push-line.ts";

/** Wakes recipients after their messages are committed (tmux.md §5 and §10). */

export type Recipient = { recipientId: string; taskIds: string[] };

/**
 * Pushes the poll line to every recipient at once and returns those whose line was submitted
 * now. A held or pushed delivery starts the session's background nudger, which types held lines
 * once their pane is idle and re-nudges what stays unfetched. Never throws, never prints.
 */
export async function notifyRecipients(
  db: Database,
  input: { sessionId: string; senderId: string; recipients: Recipient[] },
): Promise<Set<string>> {
  const targets = input.recipients.flatMap((recipient) => {
    const line = pushPollLine(input.sessionId, recipient.recipientId);
    const target = pushTarget(db, input.senderId, { ...recipient, line });
    return target ? [target] : [];
  });
  if (targets.length === 0) return new Set();
  const outcomes = await pushAll(db, targets);
  if (outcomes.some((outcome) => outcome.sent || outcome.held)) startNudger(db, input.sessionId);
  return new Set(outcomes.filter((outcome) => outcome.sent).map((outcome) => outcome.target.recipientId));
}

/**
 * Starts the session's detached background nudger unless one holds the lease; it exits once
 * nothing is pending (nudger.ts).
 */
export function startNudger(db: Database, sessionId: string): void {
  if (hasLiveSessionNudger(db, sessionId)) return;
  startDetached([NUDGE_COMMAND, sessionId]);
}
