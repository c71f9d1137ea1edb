import type { Database } from "bun:sqlite";
import { requireAgentInSession } from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { recordInboxFetched } from "../broker/delivery.ts";
import { type InboxQuery, listInbox, listInboxLines, type Task, type TaskLine } from "../broker/tasks.ts";
import { normalizeSince } from "../broker/time.ts";
import {
  countUnseen,
  type InboxCounts,
  recordInboxRetractionsShown,
  takeNew,
  takeUnread,
} from "../broker/unseen.ts";
import { countsLine, lineList, newEntriesText, unreadEntriesText } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import type { POLL } from "./commands.ts";
import type { Context } from "./options.ts";

type PollContext = Context<typeof POLL>;

const WAIT_CHECK_INTERVAL_MS = 25;

function dataVersion(db: Database): number {
  return (db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
}

/**
 * `poll --wait`: sleeps on PRAGMA data_version (which changes when another connection commits)
 * and re-reads only then, until `ready` holds for what was read or the time runs out.
 */
async function waitUntil<T>(
  db: Database,
  read: () => T,
  ready: (value: T) => boolean,
  seconds: number,
): Promise<T> {
  const deadline = performance.now() + seconds * 1000;
  let seen = dataVersion(db);
  let value = read();
  process.once("SIGINT", () => process.exit(130));
  process.once("SIGTERM", () => process.exit(143));
  while (!ready(value)) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    await Bun.sleep(Math.min(WAIT_CHECK_INTERVAL_MS, left));
    const version = dataVersion(db);
    if (version === seen) continue;
    seen = version;
    value = read();
  }
  return value;
}

const isUnread = (state: string) => state === "input_required";

/** The ids a plain poll printed, split the way the delivery records need them. */
function recordPrinted(db: Database, agentId: string, printed: { id: string; state: string }[]): void {
  recordInboxFetched(
    db,
    agentId,
    printed.filter((item) => isUnread(item.state)).map((item) => item.id),
  );
  recordInboxRetractionsShown(
    db,
    agentId,
    printed.filter((item) => item.state === "canceled").map((item) => item.id),
  );
}

/** The whole inbox, newest first (cli.md §6.11, §8.1): scripts parse this, byte for byte. */
async function pollInbox(ctx: PollContext, db: Database, agentId: string): Promise<void> {
  const { since, wait } = ctx.options;
  const query: InboxQuery = {
    since: since === undefined ? undefined : normalizeSince(since),
    limit: ctx.options.pageSize,
  };
  if (ctx.json) {
    const read = () => listInbox(db, agentId, query);
    const ready = (tasks: Task[]) => tasks.some((task) => isUnread(task.status.state));
    const tasks = wait === undefined ? read() : await waitUntil(db, read, ready, wait);
    recordPrinted(
      db,
      agentId,
      tasks.map((task) => ({ id: task.id, state: task.status.state })),
    );
    return printJson(tasks);
  }
  const read = () => listInboxLines(db, agentId, query);
  const ready = (lines: TaskLine[]) => lines.some((line) => isUnread(line.state));
  const lines = wait === undefined ? read() : await waitUntil(db, read, ready, wait);
  recordPrinted(db, agentId, lines);
  return printLine(lineList(lines));
}

/**
 * `--new` (what no poll has shown yet) and `--unread` (every unread message), oldest first. With
 * `--wait` the read-only counts are watched; the read that marks entries shown runs once, at the end.
 */
async function pollUnseen(
  ctx: PollContext,
  db: Database,
  agentId: string,
  mode: keyof InboxCounts,
): Promise<void> {
  const { wait } = ctx.options;
  if (wait !== undefined)
    await waitUntil(
      db,
      () => countUnseen(db, agentId)[mode],
      (count) => count > 0,
      wait,
    );
  if (mode === "unread") {
    const entries = takeUnread(db, agentId);
    if (ctx.json) return printJson(entries.map((entry) => entry.task));
    return printLine(unreadEntriesText(entries));
  }
  const taken = takeNew(db, agentId);
  if (ctx.json) return printJson(taken.entries.map((entry) => entry.task));
  return printLine(newEntriesText(taken));
}

export async function poll(ctx: PollContext): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const { agentId } = ctx.options;
  requireAgentInSession(db, ctx.sessionId, agentId);
  if (ctx.options.count) {
    const counts = countUnseen(db, agentId);
    return ctx.json ? printJson(counts) : printLine(countsLine(counts));
  }
  if (ctx.options.new) return pollUnseen(ctx, db, agentId, "new");
  if (ctx.options.unread) return pollUnseen(ctx, db, agentId, "unread");
  return pollInbox(ctx, db, agentId);
}
