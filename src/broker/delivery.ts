import type { Database } from "../store/database.ts";
import { writeStamped } from "./db.ts";
import { hostFor } from "./host.ts";
import { isoAt } from "./time.ts";

/**
 * Per-recipient delivery facts (migrations.sql version 2): stored (created_at) → notified (the
 * poll command reached the pane) → fetched (the recipient's poll returned it) → acked. They live
 * in columns beside the task, never in the normative Task JSON.
 */

export type Delivery = {
  stored_at: string;
  notified_at: string | null;
  notify_failed_at: string | null;
  fetched_at: string | null;
  acked_at: string | null;
  notify_error: string | null;
  nudge_count: number;
  /** Why a push waits for the pane to come back to its idle prompt (a permission prompt, a turn). */
  held_at: string | null;
  held_reason: string | null;
};

export const DELIVERY_COLUMNS_SQL = `t.created_at AS stored_at, t.notified_at, t.notify_failed_at, t.fetched_at,
  CASE WHEN t.status_state = 'completed' AND t.type = 'unicast' THEN t.status_timestamp END AS acked_at,
  t.notify_error, t.nudge_count, t.held_at, t.held_reason`;

export function readDelivery(db: Database, taskId: string): Delivery | null {
  return db
    .query(`SELECT ${DELIVERY_COLUMNS_SQL} FROM tasks AS t WHERE t.task_id = ?`)
    .get(taskId) as Delivery | null;
}

// SQLite caps the number of bound parameters; a poll may return a very large unread inbox.
const IDS_PER_STATEMENT = 500;

/** Runs `update` (whose last `?` list is the ids) once per slice of `taskIds`. */
export function forEachSlice(taskIds: string[], update: (placeholders: string, ids: string[]) => void): void {
  for (let start = 0; start < taskIds.length; start += IDS_PER_STATEMENT) {
    const ids = taskIds.slice(start, start + IDS_PER_STATEMENT);
    update(ids.map(() => "?").join(", "), ids);
  }
}

/** The poll command was typed into the pane for these tasks (the first push or a nudge). */
export function recordNudged(db: Database, taskIds: string[]): void {
  writeStamped(db, (at) =>
    forEachSlice(taskIds, (placeholders, ids) =>
      db
        .query(
          `UPDATE tasks SET notified_at = COALESCE(notified_at, ?), last_nudged_at = ?, nudge_count = nudge_count + 1,
             held_at = NULL, held_reason = NULL
           WHERE task_id IN (${placeholders})`,
        )
        .run(at, at, ...ids),
    ),
  );
}

/** The pane was not at an idle prompt: the push waits, and the delivery says why. */
export function recordHeld(db: Database, taskIds: string[], reason: string): void {
  writeStamped(db, (at) =>
    forEachSlice(taskIds, (placeholders, ids) =>
      db
        .query(
          `UPDATE tasks SET held_at = COALESCE(held_at, ?), held_reason = ? WHERE task_id IN (${placeholders})`,
        )
        .run(at, reason, ...ids),
    ),
  );
}

/** After this long a held push is reported: member list, and a message to the Director. */
const DEFAULT_HOLD_REPORT_MS = 3 * 60_000;

/** CAFLEET_TEST_HOLD_REPORT_MS is a test-only knob (read here and nowhere else). */
export function holdReportMs(env: Record<string, string | undefined>): number {
  const override = Number(env.CAFLEET_TEST_HOLD_REPORT_MS);
  return override > 0 ? override : DEFAULT_HOLD_REPORT_MS;
}

/** A delivery (task `t`) in the recipient's inbox, unread, that no poll has returned yet: its unread count. */
export const UNFETCHED_SQL =
  "t.fetched_at IS NULL AND t.status_state = 'input_required' AND t.type = 'unicast'";

/** A delivery (task `t`) whose push is held and that no poll has returned yet. */
export const HELD_UNFETCHED_SQL = `t.held_at IS NOT NULL AND ${UNFETCHED_SQL}`;

/** Members of a session with a delivery held for at least `thresholdMs`. */
export function longHeldMembers(db: Database, sessionId: string, thresholdMs: number): Set<string> {
  const rows = db
    .query(
      `SELECT DISTINCT t.context_id AS agent_id FROM tasks AS t JOIN agents AS a ON a.agent_id = t.context_id
       WHERE a.session_id = ? AND t.held_at <= ? AND ${HELD_UNFETCHED_SQL}`,
    )
    .all(sessionId, isoAt(Date.now() - thresholdMs)) as { agent_id: string }[];
  return new Set(rows.map((row) => row.agent_id));
}

export function recordPushFailed(db: Database, taskIds: string[], error: string): void {
  writeStamped(db, (at) =>
    forEachSlice(taskIds, (placeholders, ids) =>
      db
        .query(`UPDATE tasks SET notify_failed_at = ?, notify_error = ? WHERE task_id IN (${placeholders})`)
        .run(at, error, ...ids),
    ),
  );
}

/**
 * A poll of `agentId` returned these tasks. Most polls re-read tasks fetched before: the partial
 * index answers that in one lookup, without reading the returned tasks.
 */
export function recordInboxFetched(db: Database, agentId: string, taskIds: string[]): void {
  if (
    db.query("SELECT 1 FROM tasks WHERE context_id = ? AND fetched_at IS NULL LIMIT 1").get(agentId) === null
  )
    return;
  recordFetched(db, taskIds);
}

/** A recipient's poll returned these tasks; the first time counts. */
export function recordFetched(db: Database, taskIds: string[]): void {
  if (taskIds.length === 0) return;
  // Most polls re-read tasks fetched before: a read finds that without taking the write lock.
  let unfetched = false;
  forEachSlice(taskIds, (placeholders, ids) => {
    unfetched ||=
      db
        .query(`SELECT 1 FROM tasks WHERE fetched_at IS NULL AND task_id IN (${placeholders}) LIMIT 1`)
        .get(...ids) !== null;
  });
  if (!unfetched) return;
  writeStamped(db, (at) =>
    forEachSlice(taskIds, (placeholders, ids) =>
      db
        .query(`UPDATE tasks SET fetched_at = ? WHERE fetched_at IS NULL AND task_id IN (${placeholders})`)
        .run(at, ...ids),
    ),
  );
}

export function markPaneGone(db: Database, agentId: string, pane: string): void {
  writeStamped(db, (at) =>
    db
      .query(
        "UPDATE agent_placements SET pane_gone_at = COALESCE(pane_gone_at, ?) WHERE agent_id = ? AND tmux_pane_id = ?",
      )
      .run(at, agentId, pane),
  );
}

export function paneGoneAt(db: Database, agentId: string): string | null {
  const row = db.query("SELECT pane_gone_at FROM agent_placements WHERE agent_id = ?").get(agentId) as {
    pane_gone_at: string | null;
  } | null;
  return row?.pane_gone_at ?? null;
}

/** Unread deliveries a recipient's poll has not returned yet: what a nudge is about. */
export type PendingDelivery = {
  task_id: string;
  recipient_id: string;
  created_at: string;
  session_id: string;
  from_name: string;
  notified_at: string | null;
  last_nudged_at: string | null;
  nudge_count: number;
  held_at: string | null;
};

const PENDING_SELECT = `SELECT t.task_id, t.context_id AS recipient_id, t.created_at, r.session_id,
         COALESCE(a.name, t.from_agent_id) AS from_name, t.notified_at, t.last_nudged_at, t.nudge_count,
         t.held_at
  FROM agents AS r
  JOIN agent_placements AS p ON p.agent_id = r.agent_id
    AND p.tmux_pane_id IS NOT NULL AND p.pane_gone_at IS NULL
  JOIN tasks AS t ON t.context_id = r.agent_id AND t.fetched_at IS NULL
  LEFT JOIN agents AS a ON a.agent_id = t.from_agent_id
  WHERE r.status = 'active' AND t.type = 'unicast'
    AND t.status_state = 'input_required' AND t.from_agent_id <> t.context_id`;

/**
 * Every pending delivery of a session whose recipient has a live pane on this host and that a
 * process of this host wrote (or one from before hosts were recorded), oldest first: what the
 * session's nudger pushes. What another host wrote is this host's relay's (listRelayUnfetched).
 */
export function listSessionUnfetched(db: Database, sessionId: string): PendingDelivery[] {
  return db
    .query(
      `${PENDING_SELECT} AND r.session_id = ?1
         AND (p.host IS NULL OR (p.host = ?2 AND (t.sent_from_host IS NULL OR t.sent_from_host = ?2)))
       ORDER BY t.created_at, t.rowid`,
    )
    .all(sessionId, hostFor(db)) as PendingDelivery[];
}

/** Every pending delivery, in any session, to a live pane on `host` that another host wrote. */
export function listRelayUnfetched(db: Database, host: string): PendingDelivery[] {
  return db
    .query(
      `${PENDING_SELECT} AND p.host = ?1 AND t.sent_from_host IS NOT NULL AND t.sent_from_host <> ?1
       ORDER BY t.created_at, t.rowid`,
    )
    .all(host) as PendingDelivery[];
}

/** The live panes of active agents on `host`: its relay stays while there is one. */
export function hostLivePanes(
  db: Database,
  host: string,
): { agent_id: string; pane: string; server: string | null }[] {
  return db
    .query(
      `SELECT p.agent_id, p.tmux_pane_id AS pane, p.tmux_socket AS server
       FROM agent_placements AS p JOIN agents AS r ON r.agent_id = p.agent_id
       WHERE p.host = ? AND p.tmux_pane_id IS NOT NULL AND p.pane_gone_at IS NULL AND r.status = 'active'`,
    )
    .all(host) as { agent_id: string; pane: string; server: string | null }[];
}

/** One relay per host: a lease on its row of `relays` that expires unless its holder renews it. */
export function acquireRelay(db: Database, host: string, holder: string, ttlMs: number): boolean {
  const now = Date.now();
  return (
    db
      .query(
        `INSERT INTO relays (host, holder, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (host) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE relays.holder = excluded.holder OR relays.expires_at < ?4`,
      )
      .run(host, holder, now + ttlMs, now).changes > 0
  );
}

export function hasLiveRelay(db: Database, host: string): boolean {
  return db.query("SELECT 1 FROM relays WHERE host = ? AND expires_at >= ?").get(host, Date.now()) !== null;
}

export function dropRelay(db: Database, host: string, holder: string): void {
  db.query("DELETE FROM relays WHERE host = ? AND holder = ?").run(host, holder);
}

/**
 * One background nudger per session: a lease on the session row that expires unless its holder
 * renews it.
 */
export function acquireSessionNudger(
  db: Database,
  sessionId: string,
  holder: string,
  ttlMs: number,
): boolean {
  const now = Date.now();
  return (
    db
      .query(
        `UPDATE sessions SET nudge_holder = ?2, nudge_expires_at = ?3
         WHERE session_id = ?1 AND (nudge_holder IS NULL OR nudge_holder = ?2 OR nudge_expires_at < ?4)`,
      )
      .run(sessionId, holder, now + ttlMs, now).changes > 0
  );
}

export function hasLiveSessionNudger(db: Database, sessionId: string): boolean {
  return (
    db
      .query(
        "SELECT 1 FROM sessions WHERE session_id = ? AND nudge_holder IS NOT NULL AND nudge_expires_at >= ?",
      )
      .get(sessionId, Date.now()) !== null
  );
}

const RELEASE_LEASE_SQL =
  "UPDATE sessions SET nudge_holder = NULL, nudge_expires_at = NULL WHERE session_id = ? AND nudge_holder = ?";

/**
 * Gives the lease up only if `stillNeeded` says there is nothing left to do, in the same
 * transaction: a sender commits its task before it looks for a lease, so it either sees this
 * release (and starts a nudger) or its task is seen here (and this nudger stays).
 */
export function releaseSessionNudgerIfDone(
  db: Database,
  sessionId: string,
  holder: string,
  stillNeeded: () => boolean,
): boolean {
  return db
    .transaction((): boolean => {
      if (stillNeeded()) return false;
      db.query(RELEASE_LEASE_SQL).run(sessionId, holder);
      return true;
    })
    .immediate();
}

export function dropSessionNudger(db: Database, sessionId: string, holder: string): void {
  db.query(RELEASE_LEASE_SQL).run(sessionId, holder);
}

export type ThreadEntry = {
  task_id: string;
  reply_to_task_id: string | null;
  from_agent_id: string;
  to_agent_id: string;
  created_at: string;
  text: string | null;
};

const THREAD_LIMIT = 200;

/** The whole reply thread `taskId` belongs to: its root and every reply below it, oldest first. */
export function readThread(db: Database, taskId: string): ThreadEntry[] {
  return db
    .query(
      `WITH RECURSIVE up(task_id, reply_to_task_id, depth) AS (
         SELECT task_id, reply_to_task_id, 0 FROM tasks WHERE task_id = ?1
         UNION ALL SELECT t.task_id, t.reply_to_task_id, up.depth + 1 FROM tasks AS t
           JOIN up ON t.task_id = up.reply_to_task_id WHERE up.depth < ${THREAD_LIMIT}),
       root AS (SELECT task_id FROM up ORDER BY depth DESC LIMIT 1),
       down(task_id, depth) AS (
         SELECT task_id, 0 FROM root
         UNION ALL SELECT t.task_id, down.depth + 1 FROM tasks AS t
           JOIN down ON t.reply_to_task_id = down.task_id WHERE down.depth < ${THREAD_LIMIT})
       SELECT t.task_id, t.reply_to_task_id, t.from_agent_id, t.to_agent_id, t.created_at,
              json_extract(t.task_json, '$.artifacts[0].parts[0].text') AS text
       FROM tasks AS t WHERE t.task_id IN (SELECT task_id FROM down)
       ORDER BY t.created_at, t.rowid LIMIT ${THREAD_LIMIT}`,
    )
    .all(taskId) as ThreadEntry[];
}
