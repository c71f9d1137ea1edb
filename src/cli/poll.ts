import type { Database } from "bun:sqlite";
import { requireAgentInSession } from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { recordInboxFetched } from "../broker/delivery.ts";
import { type InboxQuery, listInbox, listInboxLines, type Task, type TaskLine } from "../broker/tasks.ts";
import { normalizeSince } from "../broker/time.ts";
import { lineList } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import { type CommandContext, optionNumber, optionString, requiredString } from "./spec.ts";

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
