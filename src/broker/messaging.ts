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

/**
 * Recipients are pushed one after another, in recipient order, as tmux.md §5 lists the calls:
 * two members can share a pane id (a respawn, a fake tmux), and concurrent pushes into one pane
 * would type both lines before either Enter.
 */
export async function deliverBroadcast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; text: string },
): Promise<Broadcast & { notificationsSentCount: number }> {
  const broadcast = sendBroadcast(db, input);
  let notificationsSentCount = 0;
  for (const [index, recipientId] of broadcast.recipientIds.entries()) {
    const sent = await notifyRecipient(db, {
      sessionId: input.sessionId,
      senderId: input.fromAgentId,
      recipientId,
      taskIds: [broadcast.taskIds[index]!],
    });
    if (sent) notificationsSentCount += 1;
  }
  return { ...broadcast, notificationsSentCount };
}
