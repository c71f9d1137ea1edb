import type { Message } from "../server/model.ts";
import type { Database } from "../store/database.ts";
import { type Task, taskText } from "./tasks.ts";

/**
 * The web timeline's read side (data-model.md §8.3): deliveries as the web API's Message objects
 * (src/server/model.ts, the one definition of the wire shape), names joined.
 */

export const TIMELINE_LIMIT = 200;

/** A row of MESSAGE_COLUMNS. */
export type MessageRow = Omit<Message, "body" | "from_agent_name" | "to_agent_name"> & {
  from_agent_name: string | null;
  to_agent_name: string | null;
  task_json: string;
};

/** What a Message is read from; the names come from the agents table whatever the agent's status. */
export const MESSAGE_COLUMNS = `t.task_id, t.from_agent_id, fa.name AS from_agent_name, t.to_agent_id,
    ta.name AS to_agent_name, t.type, t.status_state AS status, t.created_at, t.status_timestamp,
    t.origin_task_id, t.task_json, t.reply_to_task_id, t.notified_at, t.notify_failed_at, t.notify_error,
    t.fetched_at, t.nudge_count, t.held_at, t.held_reason, t.last_nudged_at`;
export const MESSAGE_NAME_JOINS = `LEFT JOIN agents AS fa ON fa.agent_id = t.from_agent_id
  LEFT JOIN agents AS ta ON ta.agent_id = t.to_agent_id`;
// Summaries are never listed.
const MESSAGE_SELECT = `SELECT ${MESSAGE_COLUMNS} FROM tasks AS t ${MESSAGE_NAME_JOINS}
  WHERE t.type <> 'broadcast_summary'`;

const NEWEST_FIRST = "ORDER BY t.status_timestamp DESC, t.rowid DESC";

export function toMessage({
  task_json,
  reply_to_task_id,
  notified_at,
  notify_failed_at,
  notify_error,
  fetched_at,
  nudge_count,
  held_at,
  held_reason,
  last_nudged_at,
  ...row
}: MessageRow): Message {
  return {
    ...row,
    from_agent_name: row.from_agent_name ?? "",
    to_agent_name: row.to_agent_name ?? "",
    body: taskText(JSON.parse(task_json) as Task) ?? "",
    reply_to_task_id,
    notified_at,
    notify_failed_at,
    notify_error,
    fetched_at,
    nudge_count,
    held_at,
    held_reason,
    last_nudged_at,
  };
}

/** A delivery's times that the live feed watches (each written by `writeStamped`, under the lock). */
const CHANGE_TIMES = ["notified_at", "notify_failed_at", "fetched_at", "held_at", "last_nudged_at"] as const;

/** The last time anything shown about a delivery changed: its status or a delivery time. */
export function lastChange(message: Message): string {
  let latest = message.status_timestamp;
  for (const key of CHANGE_TIMES) {
    const at = message[key];
    if (at !== null && at > latest) latest = at;
  }
  return latest;
}

/** Every delivery addressed to the agent, newest first. */
export function listInboxMessages(db: Database, agentId: string): Message[] {
  const rows = db
    .query(`${MESSAGE_SELECT} AND t.context_id = ? ${NEWEST_FIRST}`)
    .all(agentId) as MessageRow[];
  return rows.map(toMessage);
}

/** Every delivery the agent sent, newest first. */
export function listSentMessages(db: Database, agentId: string): Message[] {
  const rows = db
    .query(`${MESSAGE_SELECT} AND t.from_agent_id = ? ${NEWEST_FIRST}`)
    .all(agentId) as MessageRow[];
  return rows.map(toMessage);
}

/**
 * The session's newest task rowids, read through the (from_agent_id, status_timestamp) index of
 * the session's senders only: the scan's cost follows the session's own history, never the whole
 * table's. `window` bounds it; -1 reads every one (by leaving LIMIT out: PostgreSQL refuses
 * SQLite's LIMIT -1).
 */
const SESSION_NEWEST_ROWIDS = `SELECT rowid FROM tasks
  WHERE from_agent_id IN (SELECT agent_id FROM agents WHERE session_id = $sessionId) SINCE
  ORDER BY status_timestamp DESC, rowid DESC WINDOW`;

function timelineRows(
  db: Database,
  sessionId: string,
  since: string | undefined,
  window: number,
): MessageRow[] {
  const inner = SESSION_NEWEST_ROWIDS.replace(
    "SINCE",
    since === undefined
      ? ""
      : `AND (status_timestamp >= $since ${CHANGE_TIMES.map((column) => `OR ${column} >= $since`).join(" ")})`,
  ).replace("WINDOW", window < 0 ? "" : "LIMIT $window");
  return db.query(`${MESSAGE_SELECT} AND t.rowid IN (${inner}) ${NEWEST_FIRST} LIMIT ${TIMELINE_LIMIT}`).all({
    sessionId,
    ...(window < 0 ? {} : { window }),
    ...(since === undefined ? {} : { since }),
  }) as MessageRow[];
}

/**
 * The session's most recent deliveries (sender in the session), newest first. With `since`, only
 * rows whose status or delivery times changed at or after it: what the live feed pushes.
 *
 * Without `since`, twice the page of newest tasks nearly always holds a page of deliveries (a
 * broadcast's summary comes with its deliveries); when it does not, the whole of the session's
 * tasks is read. With `since`, a delivery time can move on a task whose status is old, so every
 * task of the session is looked at (still never another session's).
 */
export function listTimelineMessages(
  db: Database,
  sessionId: string,
  options: { since?: string } = {},
): Message[] {
  if (options.since !== undefined) return timelineRows(db, sessionId, options.since, -1).map(toMessage);
  let rows = timelineRows(db, sessionId, undefined, TIMELINE_LIMIT * 2);
  if (rows.length < TIMELINE_LIMIT) rows = timelineRows(db, sessionId, undefined, -1);
  return rows.map(toMessage);
}

/** Changes whenever an agent of the session registers or deregisters. */
export function sessionAgentsStamp(db: Database, sessionId: string): string {
  const row = db
    .query(
      `SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END), 0) AS active,
         COALESCE(MAX(registered_at), '') AS registered, COALESCE(MAX(deregistered_at), '') AS deregistered
       FROM agents WHERE session_id = ?`,
    )
    .get(sessionId);
  return JSON.stringify(row);
}
