import type { Database } from "bun:sqlite";
import { notifyRecipient } from "./notify.ts";
import { type Broadcast, sendBroadcast, sendUnicast, type Task } from "./tasks.ts";

/** Send and broadcast as both doors (CLI and HTTP) use them: store, commit, then wake the panes. */

export async function deliverUnicast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; toAgentId: string; text: string; replyToTaskId?: string },
): Promise<{ task: Task; notificationSent: boolean }> {
  const task = sendUnicast(db, input);
  const notificationSent = await notifyRecipient(db, {
    sessionId: input.sessionId,
    senderId: input.fromAgentId,
    recipientId: input.toAgentId,
    taskIds: [task.id],
  });
  return { task, notificationSent };
}

/** Each recipient's calls stay in order (text, pause, Enter); recipients are pushed concurrently. */
export async function deliverBroadcast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; text: string },
): Promise<Broadcast & { notificationsSentCount: number }> {
  const broadcast = sendBroadcast(db, input);
  const results = await Promise.all(
    broadcast.recipientIds.map((recipientId, index) =>
      notifyRecipient(db, {
        sessionId: input.sessionId,
        senderId: input.fromAgentId,
        recipientId,
        taskIds: [broadcast.taskIds[index]!],
      }),
    ),
  );
  return { ...broadcast, notificationsSentCount: results.filter(Boolean).length };
}
