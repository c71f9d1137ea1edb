import type { Database } from "../store/database.ts";
import { notifyRecipients } from "./notify.ts";
import { type Broadcast, sendBroadcast, sendUnicast, type Task } from "./tasks.ts";

/** Send and broadcast as both doors (CLI and HTTP) use them: store, commit, then wake the panes. */

export async function deliverUnicast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; toAgentId: string; text: string; replyToTaskId?: string },
): Promise<{ task: Task; notificationSent: boolean }> {
  const task = sendUnicast(db, input);
  const sent = await notifyRecipients(db, {
    sessionId: input.sessionId,
    senderId: input.fromAgentId,
    recipients: [{ recipientId: input.toAgentId, taskIds: [task.id] }],
  });
  return { task, notificationSent: sent.has(input.toAgentId) };
}

/** Every recipient's pane is pushed at once; two recipients sharing a pane go in recipient order. */
export async function deliverBroadcast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; text: string },
): Promise<Broadcast & { notificationsSentCount: number }> {
  const broadcast = sendBroadcast(db, input);
  const sent = await notifyRecipients(db, {
    sessionId: input.sessionId,
    senderId: input.fromAgentId,
    recipients: broadcast.recipientIds.map((recipientId, index) => ({
      recipientId,
      taskIds: [broadcast.taskIds[index]!],
    })),
  });
  return { ...broadcast, notificationsSentCount: sent.size };
}
