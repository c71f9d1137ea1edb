import type { Database } from "../store/database.ts";
import { recordInboxFetched } from "./delivery.ts";
import { type InboxQuery, listInbox, type Task } from "./tasks.ts";
import { countUnseen, type InboxCounts, recordInboxRetractionsShown, takeNew, takeUnread } from "./unseen.ts";
import { waitUntil } from "./watch.ts";

/**
 * The reads of a poll and the records they leave, for every door that polls (the CLI's `--json`
 * and its text, the MCP `poll` tool): what was printed is what was shown.
 */

export const isUnread = (state: string) => state === "input_required";

/** The ids a plain poll printed, split the way the delivery records need them. */
export function recordPrinted(db: Database, agentId: string, printed: { id: string; state: string }[]): void {
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

/**
 * The whole inbox as Tasks, newest first (cli.md §6.11); with `wait` seconds, once it holds an
 * unread one or the time is up (§8.1).
 */
export async function pollInboxTasks(
  db: Database,
  agentId: string,
  query: InboxQuery,
  wait?: number,
  signal?: AbortSignal,
): Promise<Task[]> {
  const read = () => listInbox(db, agentId, query);
  const ready = (tasks: Task[]) => tasks.some((task) => isUnread(task.status.state));
  const tasks = wait === undefined ? read() : await waitUntil(db, read, ready, wait, signal);
  recordPrinted(
    db,
    agentId,
    tasks.map((task) => ({ id: task.id, state: task.status.state })),
  );
  return tasks;
}

/**
 * With `wait`, watches the read-only counts until `mode` has something; the read that marks
 * entries shown runs once, at the end.
 */
export async function waitForUnseen(
  db: Database,
  agentId: string,
  mode: keyof InboxCounts,
  wait: number,
  signal?: AbortSignal,
): Promise<void> {
  await waitUntil(
    db,
    () => countUnseen(db, agentId)[mode],
    (count) => count > 0,
    wait,
    signal,
  );
}

/** `--new` / `--unread` as the bare Task array of `--json`, oldest first. */
export async function pollUnseenTasks(
  db: Database,
  agentId: string,
  mode: keyof InboxCounts,
  wait?: number,
  signal?: AbortSignal,
): Promise<Task[]> {
  if (wait !== undefined) await waitForUnseen(db, agentId, mode, wait, signal);
  const entries = mode === "unread" ? takeUnread(db, agentId) : takeNew(db, agentId).entries;
  return entries.map((entry) => entry.task);
}
