import { NotFoundError, RuleError } from "../errors.ts";
import type { Database } from "../store/database.ts";
import { isActiveInSession, KIND_SQL, requireAgentInSession } from "./agents.ts";
import { hostFor } from "./host.ts";
import { nowIso } from "./time.ts";

export type TaskState = "input_required" | "completed" | "canceled" | "failed";

export type TaskMetadata = {
  fromAgentId: string;
  toAgentId?: string;
  type: "unicast" | "broadcast_summary";
  recipientCount?: number;
  recipientIds?: string[];
  originTaskId?: string;
  notificationsSentCount?: number;
};

export type Task = {
  id: string;
  contextId: string;
  status: { state: TaskState; timestamp: string };
  artifacts: { artifactId: string; parts: { kind: "text"; text: string }[] }[];
  metadata: TaskMetadata;
  history: unknown[];
};

function newTask(
  contextId: string,
  state: TaskState,
  text: string,
  metadata: TaskMetadata,
  id = crypto.randomUUID(),
): Task {
  return {
    id,
    contextId,
    status: { state, timestamp: nowIso() },
    artifacts: [{ artifactId: crypto.randomUUID(), parts: [{ kind: "text", text }] }],
    metadata,
    history: [],
  };
}

/** The first non-empty text part, as the CLI and the web UI show it. */
export function taskText(task: Task): string | undefined {
  for (const artifact of task.artifacts ?? [])
    for (const part of artifact.parts ?? [])
      if (typeof part.text === "string" && part.text !== "") return part.text;
  return undefined;
}

/**
 * Every task write is this upsert: created_at and the writing host are kept, the state columns
 * follow task_json.
 */
function writeTask(db: Database, task: Task): void {
  db.query(
    `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at,
                        status_state, status_timestamp, origin_task_id, task_json, sent_from_host)
     VALUES ($id, $contextId, $fromAgentId, $toAgentId, $type, $timestamp, $state, $timestamp, $originTaskId, $json, $host)
     ON CONFLICT (task_id) DO UPDATE SET status_state = excluded.status_state,
       status_timestamp = excluded.status_timestamp, origin_task_id = excluded.origin_task_id,
       task_json = excluded.task_json`,
  ).run({
    id: task.id,
    contextId: task.contextId,
    fromAgentId: task.metadata.fromAgentId,
    toAgentId: task.metadata.toAgentId ?? "",
    type: task.metadata.type,
    timestamp: task.status.timestamp,
    state: task.status.state,
    originTaskId: task.metadata.originTaskId ?? null,
    json: JSON.stringify(task),
    // Which host's process pushes it: this one, unless its pane is on another host (relay.ts).
    host: hostFor(db),
  });
}

function requireActiveSender(db: Database, sessionId: string, agentId: string): void {
  if (!isActiveInSession(db, sessionId, agentId))
    throw new RuleError(`Sender agent not found or not active in session: ${agentId}`).withCode(
      "sender_inactive",
    );
}

/** Stores one unicast delivery. The recipient must be active and in the sender's session. */
export function sendUnicast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; toAgentId: string; text: string; replyToTaskId?: string },
): Task {
  return db
    .transaction((): Task => {
      requireActiveSender(db, input.sessionId, input.fromAgentId);
      const recipient = db
        .query("SELECT session_id FROM agents WHERE agent_id = ? AND status = 'active'")
        .get(input.toAgentId) as { session_id: string } | null;
      if (!recipient)
        throw new NotFoundError(`Destination agent not found: ${input.toAgentId}`).withCode(
          "destination_missing",
        );
      if (recipient.session_id !== input.sessionId)
        throw new NotFoundError(`Destination agent not in session: ${input.toAgentId}`).withCode(
          "destination_other_session",
        );
      if (input.replyToTaskId !== undefined) findSessionTask(db, input.sessionId, input.replyToTaskId);
      const task = newTask(input.toAgentId, "input_required", input.text, {
        fromAgentId: input.fromAgentId,
        toAgentId: input.toAgentId,
        type: "unicast",
      });
      writeTask(db, task);
      if (input.replyToTaskId !== undefined)
        db.query("UPDATE tasks SET reply_to_task_id = ? WHERE task_id = ?").run(input.replyToTaskId, task.id);
      return task;
    })
    .immediate();
}

/** `taskIds[i]` is the delivery to `recipientIds[i]`. */
export type Broadcast = { summary: Task; recipientIds: string[]; taskIds: string[] };

/** One delivery per active non-Administrator peer, then the summary: all in one transaction. */
export function sendBroadcast(
  db: Database,
  input: { sessionId: string; fromAgentId: string; text: string },
): Broadcast {
  return db
    .transaction((): Broadcast => {
      requireActiveSender(db, input.sessionId, input.fromAgentId);
      const recipientIds = (
        db
          .query(
            `SELECT agent_id FROM agents WHERE session_id = ? AND status = 'active' AND agent_id <> ?
           AND ${KIND_SQL} <> 'builtin-administrator' ORDER BY rowid`,
          )
          .all(input.sessionId, input.fromAgentId) as { agent_id: string }[]
      ).map((row) => row.agent_id);
      const summaryId = crypto.randomUUID();
      const taskIds: string[] = [];
      for (const recipientId of recipientIds) {
        const delivery = newTask(recipientId, "input_required", input.text, {
          fromAgentId: input.fromAgentId,
          toAgentId: recipientId,
          type: "unicast",
          originTaskId: summaryId,
        });
        writeTask(db, delivery);
        taskIds.push(delivery.id);
      }
      const summary = newTask(
        input.fromAgentId,
        "completed",
        `Broadcast sent to ${recipientIds.length} recipients`,
        {
          fromAgentId: input.fromAgentId,
          type: "broadcast_summary",
          recipientCount: recipientIds.length,
          recipientIds,
          originTaskId: summaryId,
        },
        summaryId,
      );
      writeTask(db, summary);
      return { summary, recipientIds, taskIds };
    })
    .immediate();
}

export type InboxQuery = { since?: string; limit?: number };

/** The one inbox query (data-model.md §8.3): all states, newest first, summaries excluded. */
function inboxRows<Row>(db: Database, columns: string, agentId: string, query: InboxQuery): Row[] {
  const since = query.since === undefined ? "" : "AND status_timestamp > $since";
  const limit = query.limit === undefined ? "" : "LIMIT $limit";
  return db
    .query(
      `SELECT ${columns} FROM tasks WHERE context_id = $agentId AND type <> 'broadcast_summary' ${since}
       ORDER BY status_timestamp DESC, rowid DESC ${limit}`,
    )
    .all({
      agentId,
      ...(query.since === undefined ? {} : { since: query.since }),
      // SQLite's LIMIT takes a 64-bit integer; a larger page size (Python's int has no bound) is "all".
      ...(query.limit === undefined ? {} : { limit: Math.min(query.limit, Number.MAX_SAFE_INTEGER) }),
    }) as Row[];
}

/** An agent's inbox as full Task objects. */
export function listInbox(db: Database, agentId: string, query: InboxQuery = {}): Task[] {
  return inboxRows<{ task_json: string }>(db, "task_json", agentId, query).map(
    (row) => JSON.parse(row.task_json) as Task,
  );
}

/** What the text renderings show of a task (cli.md §5.4). */
export type TaskLine = {
  id: string;
  state: string;
  fromAgentId: string;
  toAgentId?: string;
  type: string;
  text?: string;
};

export function taskLine(task: Task): TaskLine {
  return {
    id: task.id,
    state: task.status.state,
    fromAgentId: task.metadata.fromAgentId,
    toAgentId: task.metadata.toAgentId,
    type: task.metadata.type,
    text: taskText(task),
  };
}

type InboxLineRow = {
  task_id: string;
  status_state: string;
  from_agent_id: string;
  to_agent_id: string;
  type: string;
  first_text?: unknown;
  task_json?: string;
};

const LINE_COLUMNS = "task_id, status_state, from_agent_id, to_agent_id, type";
const FIRST_TEXT = "json_extract(task_json, '$.artifacts[0].parts[0].text') AS first_text";

/**
 * The inbox as text lines, read from the columns that mirror task_json plus SQLite's own JSON
 * reader for the text: `poll` on a large inbox then skips a JSON.parse per task, which was most
 * of its cost above the bare query. A task whose first part is not a non-empty string (never
 * written by cafleet itself) falls back to the full parse, so the §5.4 rule stays exact.
 * PostgreSQL parses JSON slower than JavaScript does (12 ms against 4 for 1,000 tasks): there
 * the task comes whole and is parsed here.
 */
export function listInboxLines(db: Database, agentId: string, query: InboxQuery = {}): TaskLine[] {
  const text = db.dialect === "postgres" ? "task_json" : FIRST_TEXT;
  const rows = inboxRows<InboxLineRow>(db, `${LINE_COLUMNS}, ${text}`, agentId, query);
  return rows.map((row) => {
    const text =
      typeof row.first_text === "string" && row.first_text !== ""
        ? row.first_text
        : taskText(
            row.task_json === undefined ? readTask(db, row.task_id) : (JSON.parse(row.task_json) as Task),
          );
    return {
      id: row.task_id,
      state: row.status_state,
      fromAgentId: row.from_agent_id,
      toAgentId: row.to_agent_id === "" ? undefined : row.to_agent_id,
      type: row.type,
      text,
    };
  });
}

function readTask(db: Database, taskId: string): Task {
  const row = db.query("SELECT task_json FROM tasks WHERE task_id = ?").get(taskId) as { task_json: string };
  return JSON.parse(row.task_json) as Task;
}

/** Session-scoped task lookup: another session's task is indistinguishable from a missing one. */
function findSessionTask(db: Database, sessionId: string, taskId: string): Task {
  const row = db
    .query(
      `SELECT task_json FROM tasks AS t WHERE t.task_id = ? AND EXISTS (
         SELECT 1 FROM agents AS a WHERE a.session_id = ? AND a.agent_id IN (t.from_agent_id, t.context_id))`,
    )
    .get(taskId, sessionId) as { task_json: string } | null;
  if (!row) throw new NotFoundError(`Task ${taskId} not found`).withCode("task_missing");
  return JSON.parse(row.task_json) as Task;
}

export type TaskAction = { sessionId: string; agentId: string; taskId: string };

export function getTask(db: Database, input: TaskAction): Task {
  requireAgentInSession(db, input.sessionId, input.agentId);
  return findSessionTask(db, input.sessionId, input.taskId);
}

function transition(db: Database, input: TaskAction, allowed: (task: Task) => void, state: TaskState): Task {
  return db
    .transaction((): Task => {
      requireAgentInSession(db, input.sessionId, input.agentId);
      const task = findSessionTask(db, input.sessionId, input.taskId);
      allowed(task);
      task.status = { state, timestamp: nowIso() };
      writeTask(db, task);
      return task;
    })
    .immediate();
}

/** Marks a delivery read: only its recipient, only while unread. */
export function ackTask(db: Database, input: TaskAction): Task {
  return transition(
    db,
    input,
    (task) => {
      if (task.contextId !== input.agentId) throw new RuleError("Only the recipient can ACK a task", 403);
      if (task.status.state !== "input_required")
        throw new RuleError(`Cannot ACK task in state ${task.status.state}`, 409);
    },
    "completed",
  );
}

/** Retracts a message: only its sender, only while unread. */
export function cancelTask(db: Database, input: TaskAction): Task {
  return transition(
    db,
    input,
    (task) => {
      if (task.metadata.fromAgentId !== input.agentId)
        throw new RuleError("Only the sender can cancel a task", 403);
      if (task.status.state !== "input_required")
        throw new RuleError(`Cannot cancel task in state ${task.status.state}`, 409);
    },
    "canceled",
  );
}
