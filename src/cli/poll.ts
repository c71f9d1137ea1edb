import { requireAgentInSession } from "../broker/agents.ts";
import { openDatabase } from "../broker/db.ts";
import { isUnread, pollInboxTasks, pollUnseenTasks, recordPrinted, waitForUnseen } from "../broker/poll.ts";
import { type InboxQuery, listInboxLines, type TaskLine } from "../broker/tasks.ts";
import { normalizeSince } from "../broker/time.ts";
import { countUnseen, type InboxCounts, takeNew, takeUnread } from "../broker/unseen.ts";
import { waitUntil } from "../broker/watch.ts";
import { countsLine, lineList, newEntriesText, unreadEntriesText } from "../format.ts";
import { printJson, printLine } from "../output.ts";
import type { Database } from "../store/database.ts";
import type { POLL } from "./commands.ts";
import type { Context } from "./options.ts";

type PollContext = Context<typeof POLL>;

/** The whole inbox, newest first (cli.md §6.11, §8.1): scripts parse this, byte for byte. */
async function pollInbox(ctx: PollContext, db: Database, agentId: string): Promise<void> {
  const { since, pageSize, wait } = ctx.options;
  const query: InboxQuery = {
    since: since === undefined ? undefined : normalizeSince(since),
    limit: pageSize,
  };
  if (ctx.json) return printJson(await pollInboxTasks(db, agentId, query, wait));
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
  if (ctx.json) return printJson(await pollUnseenTasks(db, agentId, mode, wait));
  if (wait !== undefined) await waitForUnseen(db, agentId, mode, wait);
  if (mode === "unread") return printLine(unreadEntriesText(takeUnread(db, agentId)));
  return printLine(newEntriesText(takeNew(db, agentId)));
}

export async function poll(ctx: PollContext): Promise<void> {
  const { db } = openDatabase(ctx.env);
  const { agentId } = ctx.options;
  requireAgentInSession(db, ctx.sessionId, agentId);
  if (ctx.options.count) {
    const counts = countUnseen(db, agentId);
    return ctx.json ? printJson(counts) : printLine(countsLine(counts));
  }
  // A wait ends quietly on Ctrl-C or a kill (cli.md §8.1).
  if (ctx.options.wait !== undefined) {
    process.once("SIGINT", () => process.exit(130));
    process.once("SIGTERM", () => process.exit(143));
  }
  if (ctx.options.new) return pollUnseen(ctx, db, agentId, "new");
  if (ctx.options.unread) return pollUnseen(ctx, db, agentId, "unread");
  return pollInbox(ctx, db, agentId);
}
