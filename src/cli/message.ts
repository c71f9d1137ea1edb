import type { Database } from "bun:sqlite";
import { requireAgentInSession } from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { readDelivery, readThread, recordInboxFetched } from "../broker/delivery.ts";
import { deliverBroadcast, deliverUnicast } from "../broker/messaging.ts";
import {
  ackTask,
  cancelTask,
  getTask,
  type InboxQuery,
  listInbox,
  listInboxLines,
  type Task,
  type TaskLine,
} from "../broker/tasks.ts";
import { normalizeSince } from "../broker/time.ts";
import { CafleetError } from "../errors.ts";
import { lineList, taskBlock, taskList } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import { type CommandContext, optionNumber, optionString, requiredString } from "./spec.ts";

/** What Python's uuid.UUID() accepts: 32 hex digits, hyphens, braces, a urn:uuid: prefix. */
function isUuidLike(text: string): boolean {
  const hex = text
    .replaceAll("urn:", "")
    .replaceAll("uuid:", "")
    .replace(/^[{}]+|[{}]+$/g, "")
    .replaceAll("-", "");
  return /^[0-9a-f]{32}$/i.test(hex);
}

export async function send(ctx: CommandContext): Promise<void> {
  const to = requiredString(ctx, "--to");
  if (!isUuidLike(to)) throw new CafleetError(`Invalid destination format: ${to}`);
  const { db } = openDatabase(ctx.env);
  const { task, notificationSent } = await deliverUnicast(db, {
    sessionId: ctx.sessionId,
    fromAgentId: requiredString(ctx, "--agent-id"),
    toAgentId: to,
    text: requiredString(ctx, "--text"),
    replyToTaskId: optionString(ctx, "--reply-to"),
  });
  if (ctx.json) return printJson({ task, notification_sent: notificationSent });
  return printLine(`Message sent.\n${taskBlock(task)}`);
}

export async function broadcast(ctx: CommandContext): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const { summary, notificationsSentCount } = await deliverBroadcast(db, {
    sessionId: ctx.sessionId,
    fromAgentId: requiredString(ctx, "--agent-id"),
    text: requiredString(ctx, "--text"),
  });
  const reported: Task = { ...summary, metadata: { ...summary.metadata, notificationsSentCount } };
  if (ctx.json) return printJson([{ task: reported, notifications_sent_count: notificationsSentCount }]);
  return printLine(`Broadcast sent.\n${taskList([summary])}`);
}

const WAIT_CHECK_INTERVAL_MS = 25;

function dataVersion(db: Database): number {
  return (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
}

/**
 * `poll --wait`: sleeps on PRAGMA data_version (which changes when another connection commits)
 * and re-reads the inbox only then, until an unread task shows up or the time runs out.
 */
async function waitForUnread<T>(
  db: Database,
  read: () => T[],
  isUnread: (item: T) => boolean,
  seconds: number,
): Promise<T[]> {
  const deadline = performance.now() + seconds * 1000;
  let seen = dataVersion(db);
  let items = read();
  process.once("SIGINT", () => process.exit(130));
  process.once("SIGTERM", () => process.exit(143));
  while (!items.some(isUnread)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    await Bun.sleep(Math.min(WAIT_CHECK_INTERVAL_MS, left));
    const version = dataVersion(db);
    if (version === seen) continue;
    seen = version;
    items = read();
  }
  return items;
}

export async function poll(ctx: CommandContext): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const agentId = requiredString(ctx, "--agent-id");
  requireAgentInSession(db, ctx.sessionId, agentId);
  const since = optionString(ctx, "--since");
  const query: InboxQuery = {
    since: since === undefined ? undefined : normalizeSince(since),
    limit: optionNumber(ctx, "--page-size"),
  };
  const wait = optionNumber(ctx, "--wait");
  if (ctx.json) {
    const read = () => listInbox(db, agentId, query);
    const unread = (task: Task) => task.status.state === "input_required";
    const tasks = wait === undefined ? read() : await waitForUnread(db, read, unread, wait);
    recordInboxFetched(
      db,
      agentId,
      tasks.filter(unread).map((task) => task.id),
    );
    return printJson(tasks);
  }
  const read = () => listInboxLines(db, agentId, query);
  const unread = (line: TaskLine) => line.state === "input_required";
  const lines = wait === undefined ? read() : await waitForUnread(db, read, unread, wait);
  recordInboxFetched(
    db,
    agentId,
    lines.filter(unread).map((line) => line.id),
  );
  return printLine(lineList(lines));
}

function taskAction(ctx: CommandContext) {
  return {
    sessionId: ctx.sessionId,
    agentId: requiredString(ctx, "--agent-id"),
    taskId: requiredString(ctx, "--task-id"),
  };
}

export async function ack(ctx: CommandContext): Promise<void> {
  const task = ackTask(openDatabase(ctx.env).db, taskAction(ctx));
  if (ctx.json) return printJson({ task });
  return printLine(`Message acknowledged.\n${taskBlock(task)}`);
}

export async function cancel(ctx: CommandContext): Promise<void> {
  const task = cancelTask(openDatabase(ctx.env).db, taskAction(ctx));
  if (ctx.json) return printJson({ task });
  return printLine(`Task canceled.\n${taskBlock(task)}`);
}

/** JSON adds the delivery times and the reply thread after the normative `task` key. */
export async function getTaskCommand(ctx: CommandContext): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const task = getTask(db, taskAction(ctx));
  if (ctx.json)
    return printJson({ task, delivery: readDelivery(db, task.id), thread: readThread(db, task.id) });
  return printLine(taskBlock(task));
}
