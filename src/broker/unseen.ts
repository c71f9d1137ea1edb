import type { Database } from "../store/database.ts";
import { forEachSlice, recordFetched } from "./delivery.ts";
import type { Task } from "./tasks.ts";
import { nowIso } from "./time.ts";

/**
 * What a recipient has not been shown yet, for wake-ups that print O(new) instead of the whole
 * inbox (README, "poll"). A poll *shows* a task when it prints it to the recipient:
 * - a new message: `input_required` and no poll has fetched it yet (fetched_at is NULL);
 * - an unreported retraction: `canceled` after a poll had fetched it, and no poll has printed it
 *   as canceled since (retraction_reported_at is NULL). A message retracted before any poll
 *   fetched it never reached the recipient, so there is nothing to take back.
 * Acks are never news: only the recipient acks, and `ack` itself printed the outcome.
 */

export type InboxEntry = { task: Task; fromName: string | null };

const DELIVERIES = "FROM tasks WHERE context_id = $agentId AND type <> 'broadcast_summary'";
const UNREAD = `${DELIVERIES} AND status_state = 'input_required'`;
const NEW_MESSAGES = `${UNREAD} AND fetched_at IS NULL`;
const UNREPORTED_RETRACTIONS = `${DELIVERIES} AND status_state = 'canceled' AND fetched_at IS NOT NULL
  AND retraction_reported_at IS NULL`;
/** The two parts of "new" stay two SELECTs: an OR of them would not use their partial indexes. */
const NEW = [NEW_MESSAGES, UNREPORTED_RETRACTIONS];

/** The entries of `sources` (each a FROM … WHERE over tasks), oldest change first. */
function readEntries(db: Database, agentId: string, sources: string[]): InboxEntry[] {
  const union = sources
    .map((source) => `SELECT rowid AS seq, status_timestamp, task_json, from_agent_id ${source}`)
    .join(" UNION ALL ");
  const rows = db
    .query(
      `SELECT e.task_json, a.name AS from_name FROM (${union}) AS e
       LEFT JOIN agents AS a ON a.agent_id = e.from_agent_id ORDER BY e.status_timestamp, e.seq`,
    )
    .all({ agentId }) as { task_json: string; from_name: string | null }[];
  return rows.map((row) => ({ task: JSON.parse(row.task_json) as Task, fromName: row.from_name }));
}

function count(db: Database, agentId: string, sources: string[]): number {
  const union = sources.map((source) => `SELECT 1 ${source}`).join(" UNION ALL ");
  return (db.query(`SELECT COUNT(*) AS n FROM (${union}) AS e`).get({ agentId }) as { n: number }).n;
}

function recordRetractionsReported(db: Database, taskIds: string[]): void {
  // Called inside a write transaction: the lock is already held.
  const at = nowIso();
  forEachSlice(taskIds, (placeholders, ids) =>
    db
      .query(
        `UPDATE tasks SET retraction_reported_at = ?
         WHERE retraction_reported_at IS NULL AND status_state = 'canceled' AND task_id IN (${placeholders})`,
      )
      .run(at, ...ids),
  );
}

/** Records that a poll printed these entries: new messages are fetched, retractions reported. */
function recordShown(db: Database, entries: InboxEntry[]): void {
  const ids = (state: string) =>
    entries.filter((entry) => entry.task.status.state === state).map((entry) => entry.task.id);
  recordFetched(db, ids("input_required"));
  recordRetractionsReported(db, ids("canceled"));
}

export type NewEntries = { entries: InboxEntry[]; unreadShownBefore: number };

/**
 * `poll --new`: the new messages and unreported retractions, oldest first, marked shown in the
 * same write transaction that reads them. A message committed after this transaction is still
 * unfetched and comes with the next call; one committed before it is read here. Either way it
 * is printed exactly once. `unreadShownBefore` counts unread messages an earlier poll showed.
 */
export function takeNew(db: Database, agentId: string): NewEntries {
  return db
    .transaction((): NewEntries => {
      const entries = readEntries(db, agentId, NEW);
      const unreadShownBefore = count(db, agentId, [`${UNREAD} AND fetched_at IS NOT NULL`]);
      recordShown(db, entries);
      return { entries, unreadShownBefore };
    })
    .immediate();
}

/** `poll --unread`: every unread message, shown before or not, oldest first; marks them fetched. */
export function takeUnread(db: Database, agentId: string): InboxEntry[] {
  return db
    .transaction((): InboxEntry[] => {
      const entries = readEntries(db, agentId, [UNREAD]);
      recordShown(db, entries);
      return entries;
    })
    .immediate();
}

/** `poll --count`: unread messages, and how many entries `poll --new` would print. Writes nothing. */
export type InboxCounts = { unread: number; new: number };

export function countUnseen(db: Database, agentId: string): InboxCounts {
  return db.transaction(
    (): InboxCounts => ({ unread: count(db, agentId, [UNREAD]), new: count(db, agentId, NEW) }),
  )();
}

/**
 * A plain poll printed these canceled tasks: their retractions are reported. Most plain polls
 * print no unreported one: the partial index says so in one lookup, without a write.
 */
export function recordInboxRetractionsShown(db: Database, agentId: string, canceledIds: string[]): void {
  if (canceledIds.length === 0) return;
  if (db.query(`SELECT 1 ${UNREPORTED_RETRACTIONS} LIMIT 1`).get({ agentId }) === null) return;
  db.transaction(() => recordRetractionsReported(db, canceledIds)).immediate();
}

/**
 * The row of the newest unread delivery (0 when none): it grows exactly when a message arrives,
 * since tasks are never deleted and a new row's rowid is above every other.
 */
export function newestUnreadRow(db: Database, agentId: string): number {
  return (db.query(`SELECT COALESCE(MAX(rowid), 0) AS seq ${UNREAD}`).get({ agentId }) as { seq: number })
    .seq;
}
