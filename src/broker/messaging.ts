import type { Database } from "bun:sqlite";
import { notifyRecipient } from "./notify.ts";
import { type Broadcast, sendBroadcast, sendUnicast, type Task } from "./tasks.ts";

/** Send and broadcast as both doors (CLI and HTTP) use them: store, commit, then wake the panes. */

export function deliverUnicast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; toAgentId: string; text: string },
): { task: Task; notificationSent: boolean } {
  const task = sendUnicast(db, input);
  const notificationSent = notifyRecipient(db, input.sessionId, input.fromAgentId, input.toAgentId);
  return { task, notificationSent };
}

export function deliverBroadcast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; text: string },
): Broadcast & { notificationsSentCount: number } {
  const broadcast = sendBroadcast(db, input);
  let notificationsSentCount = 0;
  for (const recipientId of broadcast.recipientIds)
    if (notifyRecipient(db, input.sessionId, input.fromAgentId, recipientId)) notificationsSentCount++;
  return { ...broadcast, notificationsSentCount };
}
