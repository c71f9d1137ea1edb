import { Database } from "bun:sqlite";
import { agentCard } from "../../src/broker/agents.ts";
import type { Database as Store } from "../../src/store/database.ts";

/**
 * The rows both bulk history fixtures (history.ts, search-history.ts) write by direct INSERTs
 * through the real schema: sessions with their agents, and tasks with their task_json.
 */

export type SeededSession = { sessionId: string; agentIds: string[] };

export type TaskRow = {
  id: string;
  contextId: string;
  from: string;
  /** "" for a broadcast's summary. */
  to: string;
  type: "unicast" | "broadcast_summary";
  at: string;
  state: string;
  origin: string | null;
  text: string;
  metadata: Record<string, unknown>;
};

export const DAY_MS = 86_400_000;

export function iso(millis: number): string {
  return `${new Date(millis).toISOString().slice(0, 23)}000+00:00`;
}

/** The workspace's database, already at the schema head, opened for a bulk fixture: journal and syncs off. */
export function openForBulk(path: string): Database {
  const raw = new Database(path, { strict: true });
  raw.run("PRAGMA journal_mode = DELETE");
  raw.run("PRAGMA journal_mode = OFF");
  raw.run("PRAGMA synchronous = OFF");
  raw.run("PRAGMA cache_size = -262144");
  return raw;
}

/** Prepared once; call inside the fixture's transaction (with foreign keys deferred). */
export function historyRows(db: Store) {
  const insertSession = db.query(
    "INSERT INTO sessions (session_id, label, created_at, deleted_at, director_agent_id) VALUES (?, ?, ?, NULL, ?)",
  );
  const insertAgent = db.query(
    `INSERT INTO agents (agent_id, session_id, name, description, status, registered_at, deregistered_at, agent_card_json)
     VALUES (?, ?, ?, ?, 'active', ?, NULL, ?)`,
  );
  const insertTask = db.query(
    `INSERT INTO tasks (task_id, context_id, from_agent_id, to_agent_id, type, created_at, status_state,
                        status_timestamp, origin_task_id, task_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return {
    /** Session `"<kind> <index>"` with a Director and `agents - 1` members, all active. */
    session(kind: string, index: number, agents: number, createdAt: string): SeededSession {
      const sessionId = crypto.randomUUID();
      const agentIds = Array.from({ length: agents }, () => crypto.randomUUID());
      insertSession.run(sessionId, `${kind} ${index}`, createdAt, agentIds[0]!);
      agentIds.forEach((agentId, n) => {
        const name = n === 0 ? "Director" : `agent-${n}`;
        insertAgent.run(agentId, sessionId, name, `${kind} agent ${n}`, createdAt, agentCard(name, "d", []));
      });
      return { sessionId, agentIds };
    },
    task(row: TaskRow): void {
      const task = {
        id: row.id,
        contextId: row.contextId,
        status: { state: row.state, timestamp: row.at },
        artifacts: [{ artifactId: crypto.randomUUID(), parts: [{ kind: "text", text: row.text }] }],
        metadata: row.metadata,
        history: [],
      };
      insertTask.run(
        row.id,
        row.contextId,
        row.from,
        row.to,
        row.type,
        row.at,
        row.state,
        row.at,
        row.origin,
        JSON.stringify(task),
      );
    },
  };
}
