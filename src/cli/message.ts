import { openDatabase } from "../broker/db.ts";
import { readDelivery, readThread } from "../broker/delivery.ts";
import { deliverBroadcast, deliverUnicast } from "../broker/messaging.ts";
import { ackTask, cancelTask, getTask } from "../broker/tasks.ts";
import { CafleetError } from "../errors.ts";
import { broadcastJson, sendJson, taskBlock, taskDetailJson, taskList } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import type { BROADCAST, SEND, TASK_ACTION } from "./commands.ts";
import type { Context } from "./options.ts";

/** What Python's uuid.UUID() accepts: 32 hex digits, hyphens, braces, a urn:uuid: prefix. */
function isUuidLike(text: string): boolean {
  const hex = text
    .replaceAll("urn:", "")
    .replaceAll("uuid:", "")
    .replace(/^[{}]+|[{}]+$/g, "")
    .replaceAll("-", "");
  return /^[0-9a-f]{32}$/i.test(hex);
}

/** cli.md §6.9's first check, made before the database is opened. */
export function requireDestinationFormat(to: string): void {
  if (!isUuidLike(to)) throw new CafleetError(`Invalid destination format: ${to}`);
}

export async function send(ctx: Context<typeof SEND>): Promise<void> {
  const { agentId, to, text, replyTo } = ctx.options;
  requireDestinationFormat(to);
  const { db } = openDatabase(ctx.env);
  const { task, notificationSent } = await deliverUnicast(db, {
    sessionId: ctx.sessionId,
    fromAgentId: agentId,
    toAgentId: to,
    text,
    replyToTaskId: replyTo,
  });
  if (ctx.json) return printJson(sendJson(task, notificationSent));
  return printLine(`Message sent.\n${taskBlock(task)}`);
}

export async function broadcast(ctx: Context<typeof BROADCAST>): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const { summary, notificationsSentCount } = await deliverBroadcast(db, {
    sessionId: ctx.sessionId,
    fromAgentId: ctx.options.agentId,
    text: ctx.options.text,
  });
  if (ctx.json) return printJson(broadcastJson(summary, notificationsSentCount));
  return printLine(`Broadcast sent.\n${taskList([summary])}`);
}

type TaskContext = Context<typeof TASK_ACTION>;

function taskAction(ctx: TaskContext) {
  return { sessionId: ctx.sessionId, ...ctx.options };
}

export async function ack(ctx: TaskContext): Promise<void> {
  const task = ackTask(openDatabase(ctx.env).db, taskAction(ctx));
  if (ctx.json) return printJson({ task });
  return printLine(`Message acknowledged.\n${taskBlock(task)}`);
}

export async function cancel(ctx: TaskContext): Promise<void> {
  const task = cancelTask(openDatabase(ctx.env).db, taskAction(ctx));
  if (ctx.json) return printJson({ task });
  return printLine(`Task canceled.\n${taskBlock(task)}`);
}

/** JSON adds the delivery times and the reply thread after the normative `task` key. */
export async function getTaskCommand(ctx: TaskContext): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const task = getTask(db, taskAction(ctx));
  if (ctx.json) return printJson(taskDetailJson(task, readDelivery(db, task.id), readThread(db, task.id)));
  return printLine(taskBlock(task));
}
